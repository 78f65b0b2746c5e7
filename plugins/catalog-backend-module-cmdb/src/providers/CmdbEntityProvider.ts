import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  DeferredEntity,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import { CmdbHttpClient } from '../adapters/CmdbHttpClient';
import { GenericHttpAdapter } from '../adapters/GenericHttpAdapter';
import { ServiceNowAdapter } from '../adapters/ServiceNowAdapter';
import { CMDB_ID_ANNOTATION, planSync } from '../lib/planSync';
import { ENTITY_KIND, SyncState } from '../lib/SyncState';
import {
  CmdbAdapter,
  CmdbLink,
  CmdbRecord,
  CmdbRecordKind,
  CmdbSyncReport,
  isCmdbLink,
} from '../lib/types';
import { CmdbEntityProviderConfig } from './CmdbEntityProviderConfig';

/**
 * The entities this provider put in the catalog before the process started (read from the catalog
 * itself), so that the removal guard holds on the first sync after a restart too.
 * @public
 */
export type CmdbKnownEntitiesLoader = (
  providerId: string,
) => AsyncIterable<Entity>;

/**
 * How many of the given entity refs the catalog serves (processed and stitched), so that a first
 * load is fed no faster than the catalog takes it in.
 * @public
 */
export type CmdbCatalogProgress = (entityRefs: string[]) => Promise<number>;

/** A full sync's new entities being fed to the catalog in delta batches. */
interface Feed {
  /** What the closing full mutation will hold, by lower-case ref (deltas during the feed update it). */
  entities: Map<string, DeferredEntity>;
  /** Delta syncs asked for while feeding: they run between two batches. */
  deltas: Array<{
    signal?: AbortSignal;
    resolve: (report: CmdbSyncReport) => void;
  }>;
}

const refOf = (entity: Entity) => stringifyEntityRef(entity).toLowerCase();
const FEED_POLL_MS = 500;
const FEED_KIND_ORDER = ['group', 'user', 'domain', 'system', 'component'];

/**
 * The order a first load is fed in: kind by kind, and within a kind the entities pointing at the
 * same parent and owner together. Each processed entity makes the catalog stitch the entities it
 * points at again (a team's ownerOf, a system's hasPart); entities of one team and system in one
 * batch let the catalog stitch that team and system once for the batch instead of once for each.
 */
function feedOrder(entity: Entity): string {
  const spec = (entity.spec ?? {}) as Record<string, unknown>;
  const first = (value: unknown) =>
    String((Array.isArray(value) ? value[0] : value) ?? '');
  const kind = FEED_KIND_ORDER.indexOf(entity.kind.toLowerCase());
  return [
    kind < 0 ? FEED_KIND_ORDER.length : kind,
    first(spec.system ?? spec.domain ?? spec.parent ?? spec.memberOf),
    first(spec.owner),
    entity.metadata.name,
  ].join('\u0000');
}

/** Delta syncs ask for changes since the last sync's start minus this, to allow for clock skew. */
const DELTA_OVERLAP_MS = 60_000;
const PROGRESS_EVERY = 10_000;
const SKIPS_LOGGED_ONE_BY_ONE = 100;

const KIND_OF_ENTITY = Object.fromEntries(
  Object.entries(ENTITY_KIND).map(([record, entity]) => [
    entity.toLowerCase(),
    record as CmdbRecordKind,
  ]),
);

/**
 * Puts the business lines, projects, services, teams and people of one CMDB into the catalog:
 * a full mutation on `schedule`, delta mutations on `deltaSchedule`. Runs never overlap; a run that
 * fails or would remove too much leaves the catalog as it was.
 * @public
 */
export class CmdbEntityProvider implements EntityProvider {
  private connection?: EntityProviderConnection;
  private state?: SyncState;
  private lastSyncStartedAt?: Date;
  /** Set while the last full sync did not get applied: the next delta tick retries it. */
  private fullSyncDue = true;
  private queue: Promise<unknown> = Promise.resolve();
  /** Set while a full sync feeds its new entities to the catalog batch by batch. */
  private feed?: Feed;

  static fromConfig(
    config: CmdbEntityProviderConfig,
    deps: {
      logger: LoggerService;
      scheduler?: SchedulerService;
      loadKnownEntities?: CmdbKnownEntitiesLoader;
      catalogProgress?: CmdbCatalogProgress;
    },
  ): CmdbEntityProvider {
    const logger = deps.logger.child({ target: `cmdb-provider:${config.id}` });
    const client = new CmdbHttpClient(config.auth, config.http, logger);
    const { source } = config;
    const adapter =
      source.adapter === 'generic'
        ? new GenericHttpAdapter(client, {
            baseUrl: config.baseUrl,
            pageSize: config.pageSize,
            pagination: source.pagination,
            itemsPath: source.itemsPath,
            updatedSinceParam: source.updatedSinceParam,
            records: source.records,
          })
        : new ServiceNowAdapter(client, {
            baseUrl: config.baseUrl,
            pageSize: config.pageSize,
            tables: source.tables,
            memberships: source.memberships,
            dependencies: source.dependencies,
          });
    return new CmdbEntityProvider(
      config,
      adapter,
      logger,
      deps.scheduler,
      deps.loadKnownEntities,
      deps.catalogProgress,
    );
  }

  constructor(
    private readonly config: CmdbEntityProviderConfig,
    private readonly adapter: CmdbAdapter,
    private readonly logger: LoggerService,
    private readonly scheduler?: SchedulerService,
    private readonly loadKnownEntities?: CmdbKnownEntitiesLoader,
    private readonly catalogProgress?: CmdbCatalogProgress,
  ) {}

  getProviderName(): string {
    return `cmdb-provider:${this.config.id}`;
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    if (!this.scheduler) return;
    await this.scheduler.scheduleTask({
      id: `${this.getProviderName()}:full`,
      ...this.config.schedule,
      fn: async signal => {
        await this.run({ type: 'full', signal });
      },
    });
    if (this.config.deltaSchedule) {
      await this.scheduler.scheduleTask({
        id: `${this.getProviderName()}:delta`,
        ...this.config.deltaSchedule,
        fn: async signal => {
          await this.run({ type: 'delta', signal });
        },
      });
    }
  }

  /**
   * Runs one sync now (after any sync already running) and reports what it did. A delta asked for
   * while a full sync is due (none applied yet in this process, or the last one failed) runs as a
   * full sync, so a CMDB outage during a full sync is retried at the delta schedule's pace. Never
   * throws for CMDB problems: they end in a `failed` report and the catalog keeps what it had.
   * A delta asked for while a full sync feeds its new entities to the catalog runs between two of
   * its batches, so a changed record does not wait for the whole first load.
   */
  run(
    options: { type?: 'full' | 'delta'; signal?: AbortSignal } = {},
  ): Promise<CmdbSyncReport> {
    const type =
      options.type === 'delta' && !this.fullSyncDue && this.lastSyncStartedAt
        ? 'delta'
        : 'full';
    const feed = this.feed;
    if (type === 'delta' && feed) {
      return new Promise(resolve =>
        feed.deltas.push({ signal: options.signal, resolve }),
      );
    }
    const next = this.queue.then(() => this.sync(type, options.signal));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async sync(
    type: 'full' | 'delta',
    signal?: AbortSignal,
  ): Promise<CmdbSyncReport> {
    if (!this.connection) {
      throw new Error(
        `${this.getProviderName()} is not connected to the catalog`,
      );
    }
    const startedAt = new Date();
    const report: CmdbSyncReport = {
      type,
      outcome: 'failed',
      recordsRead: 0,
      entitiesEmitted: 0,
      entitiesRemoved: 0,
      skipped: [],
      durationMs: 0,
    };
    this.logger.info(`CMDB ${type} sync started`);
    try {
      this.state ??= await this.readKnownState();
      const previous = this.state;
      const since =
        type === 'delta'
          ? new Date(this.lastSyncStartedAt!.getTime() - DELTA_OVERLAP_MS)
          : undefined;
      const records: CmdbRecord[] = [];
      const links: CmdbLink[] = [];
      for await (const item of this.adapter.read({ since, signal })) {
        if (isCmdbLink(item)) {
          links.push(item);
          continue;
        }
        records.push(item);
        report.recordsRead += 1;
        if (report.recordsRead % PROGRESS_EVERY === 0) {
          this.logger.info(
            `CMDB ${type} sync: read ${report.recordsRead} records`,
          );
        }
      }

      const plan = planSync(type, records, links, previous, {
        providerId: this.config.id,
        namespace: this.config.namespace,
        baseUrl: this.config.baseUrl,
        defaultLifecycle: this.config.defaultLifecycle,
        defaultOwner: this.config.defaultOwner,
      });
      records.length = 0;
      report.skipped = plan.skipped;

      const knownCount = previous?.size ?? 0;
      if (
        knownCount > 0 &&
        plan.removedRefs.length / knownCount > this.config.maxRemovalShare
      ) {
        report.outcome = 'refused';
        report.message = `would remove ${
          plan.removedRefs.length
        } of ${knownCount} entities (${(
          (plan.removedRefs.length / knownCount) *
          100
        ).toFixed(1)}%), more than removalGuard.maxRemovalShare ${
          this.config.maxRemovalShare
        }; nothing applied`;
        return report;
      }

      const locationKey = this.getProviderName();
      const deferred = plan.entities.map(entity => ({ entity, locationKey }));
      const known = new Set<string>();
      for (const entity of previous?.entities() ?? []) known.add(entity.ref);
      const fresh = deferred.filter(d => !known.has(refOf(d.entity)));
      const { batchSize } = this.config.firstLoad;
      if (type === 'full' && batchSize > 0 && fresh.length > batchSize) {
        // Many new entities (a first load): from here on the plan is what the provider stands
        // for, and deltas asked for while it is fed run against it.
        this.state = plan.nextState();
        this.lastSyncStartedAt = startedAt;
        this.fullSyncDue = false;
        await this.feedNewEntities(fresh, deferred, signal);
        report.outcome = 'applied';
        report.entitiesEmitted = plan.entities.length;
        report.entitiesRemoved = plan.removedRefs.length;
        return report;
      }
      const nothingChanged =
        type === 'delta' &&
        deferred.length === 0 &&
        plan.removedRefs.length === 0;
      if (!nothingChanged) {
        await this.connection.applyMutation(
          type === 'full'
            ? { type: 'full', entities: deferred }
            : {
                type: 'delta',
                added: deferred,
                removed: plan.removedRefs.map(entityRef => ({
                  entityRef,
                  locationKey,
                })),
              },
        );
      }
      if (type === 'delta' && this.feed) {
        // keep the closing full mutation of the feed in line with this delta
        for (const d of deferred) this.feed.entities.set(refOf(d.entity), d);
        for (const ref of plan.removedRefs) this.feed.entities.delete(ref);
      }
      this.state = plan.nextState();
      this.lastSyncStartedAt = startedAt;
      if (type === 'full') this.fullSyncDue = false;
      report.outcome = 'applied';
      report.entitiesEmitted = plan.entities.length;
      report.entitiesRemoved = plan.removedRefs.length;
      return report;
    } catch (error) {
      if (type === 'full') this.fullSyncDue = true;
      report.outcome = 'failed';
      report.message = `${
        (error as Error).message
      }; the catalog keeps the entities of the last good sync`;
      return report;
    } finally {
      report.durationMs = Date.now() - startedAt.getTime();
      this.logReport(report);
    }
  }

  /**
   * Sends the new entities of a full sync as delta mutations of `firstLoad.batchSize`, each once
   * the catalog serves the batch before the previous one (so its queue stays short and processing
   * overlaps ingestion), runs the delta syncs asked for meanwhile between batches, and closes
   * with the full mutation: the catalog then holds exactly this sync's entities (records gone
   * from the CMDB, or removed by a delta meanwhile, are removed).
   */
  private async feedNewEntities(
    fresh: DeferredEntity[],
    all: DeferredEntity[],
    signal?: AbortSignal,
  ): Promise<void> {
    const feed: Feed = {
      entities: new Map(all.map(d => [refOf(d.entity), d])),
      deltas: [],
    };
    const { batchSize } = this.config.firstLoad;
    const refs = fresh
      .map(d => ({ ref: refOf(d.entity), order: feedOrder(d.entity) }))
      .sort((a, b) => (a.order < b.order ? -1 : Number(a.order > b.order)))
      .map(r => r.ref);
    this.feed = feed;
    try {
      let inFlight: string[] = [];
      let awaited: string[] = [];
      for (let start = 0; start < refs.length; start += batchSize) {
        await this.waitForCatalog(awaited, feed, signal);
        await this.runFeedDeltas(feed);
        const batch = refs.slice(start, start + batchSize);
        const added = batch.flatMap(ref => {
          const d = feed.entities.get(ref);
          return d ? [d] : [];
        });
        if (added.length) {
          await this.connection!.applyMutation({
            type: 'delta',
            added,
            removed: [],
          });
        }
        awaited = inFlight;
        inFlight = batch;
        const sent = Math.min(start + batchSize, refs.length);
        if (
          Math.floor(sent / PROGRESS_EVERY) >
          Math.floor((sent - batchSize) / PROGRESS_EVERY)
        ) {
          this.logger.info(
            `CMDB full sync: ${sent} of ${refs.length} new entities handed to the catalog`,
          );
        }
      }
      await this.runFeedDeltas(feed);
    } finally {
      // deltas asked for from now on queue behind this sync
      this.feed = undefined;
      for (const waiting of feed.deltas) {
        this.queue
          .then(() => this.run({ type: 'delta', signal: waiting.signal }))
          .then(waiting.resolve);
      }
    }
    await this.connection!.applyMutation({
      type: 'full',
      entities: [...feed.entities.values()],
    });
  }

  /** Waits until the catalog serves `refs` (or stops making progress), running deltas meanwhile. */
  private async waitForCatalog(
    refs: string[],
    feed: Feed,
    signal?: AbortSignal,
  ): Promise<void> {
    if (!this.catalogProgress || refs.length === 0) return;
    const { stallTimeoutMs } = this.config.firstLoad;
    let best = -1;
    let progressAt = Date.now();
    for (;;) {
      if (signal?.aborted) throw new Error('the sync was aborted');
      let served: number;
      try {
        served = await this.catalogProgress(refs);
      } catch (error) {
        // pacing is a courtesy to the catalog: when it cannot tell, the load goes on
        this.logger.warn(
          `CMDB full sync: could not ask the catalog how far it is (${
            (error as Error).message
          }); handing it the next batch`,
        );
        return;
      }
      if (served >= refs.length) return;
      if (served > best) {
        best = served;
        progressAt = Date.now();
      } else if (Date.now() - progressAt > stallTimeoutMs) {
        this.logger.warn(
          `CMDB full sync: the catalog serves ${served} of the last ${refs.length} entities handed to it and made no progress for ${stallTimeoutMs} ms; handing it the next batch anyway`,
        );
        return;
      }
      await this.runFeedDeltas(feed);
      await new Promise(resolve => setTimeout(resolve, FEED_POLL_MS));
    }
  }

  private async runFeedDeltas(feed: Feed): Promise<void> {
    while (feed.deltas.length) {
      const waiting = feed.deltas.shift()!;
      waiting.resolve(await this.sync('delta', waiting.signal));
    }
  }

  /** The provider's entities as the catalog has them; undefined when it cannot tell. */
  private async readKnownState(): Promise<SyncState | undefined> {
    if (!this.loadKnownEntities) return undefined;
    const state = new SyncState();
    for await (const entity of this.loadKnownEntities(this.config.id)) {
      const kind = KIND_OF_ENTITY[entity.kind.toLowerCase()];
      const id = entity.metadata.annotations?.[CMDB_ID_ANNOTATION];
      if (!kind || !id) continue;
      const name = entity.metadata.name;
      const namespace = entity.metadata.namespace ?? 'default';
      state.set({
        kind,
        id,
        name,
        ref: `${entity.kind}:${namespace}/${name}`.toLowerCase(),
        rawName: (entity.metadata.title ?? name).trim().toLowerCase(),
      });
    }
    return state;
  }

  private logReport(report: CmdbSyncReport) {
    const reasons = new Map<string, number>();
    report.skipped.forEach((skip, index) => {
      if (index < SKIPS_LOGGED_ONE_BY_ONE) {
        this.logger.warn(
          `CMDB record skipped: ${skip.kind} ${skip.id}: ${skip.reason}`,
        );
      }
      const reason = `${skip.kind} ${skip.problem}`;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    });
    const summary = [...reasons]
      .map(([reason, count]) => `${count}× ${reason}`)
      .join('; ');
    const line = `CMDB ${report.type} sync ${report.outcome}: read ${
      report.recordsRead
    } records, emitted ${report.entitiesEmitted} entities, removed ${
      report.entitiesRemoved
    }, skipped ${report.skipped.length}${summary ? ` (${summary})` : ''}, in ${
      report.durationMs
    } ms${report.message ? ` — ${report.message}` : ''}`;
    if (report.outcome === 'applied') this.logger.info(line);
    else this.logger.error(line);
  }
}
