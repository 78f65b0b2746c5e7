import { appStoreInstanceChannel } from '@internal/plugin-container-cloud-common';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import type {
  InstanceDetail,
  InstanceSummary,
  instanceInstallSchema,
  instanceListQuerySchema,
  instanceUpgradeSchema,
} from '@internal/plugin-container-cloud-common';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import type { AppStoreDeps } from '../deps';
import type { Catalogue } from '../catalogue/Catalogue';
import type { HelmRelease, HelmRevision, HelmRunner } from '../helm/HelmRunner';
import type { Authority, OwnerResource } from './authority';
import {
  InstanceConflictError,
  type InstanceFailure,
  type InstancePhase,
  type InstanceRecord,
  InstanceStore,
} from './InstanceStore';
import { checkValues, installValues, mergeValues } from './values';
import { markInstanceSecrets } from './secretMarks';

/** The annotation of a chart's client Service naming its password: `<secret>/<key>`. @public */
export const PASSWORD_SECRET_ANNOTATION =
  'container-cloud.io/app-store-password-secret';
/** The annotation of a chart's client Service naming the user to connect as. @public */
export const USER_ANNOTATION = 'container-cloud.io/app-store-user';
/** The annotation of a chart's client Service naming the port clients connect to. @public */
export const PORT_NAME_ANNOTATION = 'container-cloud.io/app-store-port-name';
/** The label Helm charts put on their objects: the release's name. */
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';

type Install = z.output<typeof instanceInstallSchema>;
type Upgrade = z.output<typeof instanceUpgradeSchema>;
type ListQuery = z.output<typeof instanceListQuerySchema>;

interface Placement {
  cluster: string;
  namespace: string;
  name: string;
}

function isKwokNode(node?: {
  metadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}): boolean {
  return (
    node?.metadata?.labels?.type === 'kwok' ||
    node?.metadata?.annotations?.['kwok.x-k8s.io/node'] !== undefined
  );
}

function podReady(pod: V1Pod): boolean {
  return (
    pod.status?.conditions?.some(
      c => c.type === 'Ready' && c.status === 'True',
    ) ?? false
  );
}

/** Waiting reasons that do not pass by themselves: the install failed until someone acts. */
const HARD_WAITING = new Set([
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'CrashLoopBackOff',
]);

/** How long a pod may stay unschedulable before the install counts as failed (a claim binding, a node joining). */
export const UNSCHEDULABLE_GRACE_MS = 30_000;

/** Whether a pod is stuck: a hard waiting reason, or unschedulable beyond the grace. */
export function isStuck(pod: V1Pod, now: Date): boolean {
  if (
    pod.status?.containerStatuses?.some(s =>
      HARD_WAITING.has(s.state?.waiting?.reason ?? ''),
    )
  ) {
    return true;
  }
  const unscheduled = pod.status?.conditions?.find(
    c =>
      c.type === 'PodScheduled' &&
      c.status === 'False' &&
      c.reason === 'Unschedulable',
  );
  if (!unscheduled) return false;
  const since = new Date(
    unscheduled.lastTransitionTime ?? pod.metadata?.creationTimestamp ?? now,
  ).getTime();
  return now.getTime() - since >= UNSCHEDULABLE_GRACE_MS;
}

function podMessage(pod: V1Pod): string | undefined {
  const waiting = pod.status?.containerStatuses
    ?.map(s => s.state?.waiting)
    .find(w => w?.reason);
  if (waiting) {
    return `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
  }
  const unscheduled = pod.status?.conditions?.find(
    c => c.type === 'PodScheduled' && c.status === 'False',
  );
  if (unscheduled) return unscheduled.message ?? unscheduled.reason;
  return undefined;
}

type StepState = 'waiting' | 'running' | 'done' | 'failed';

function helmStepOf(
  phase: InstancePhase,
  release: HelmRelease | undefined,
): { state: StepState; message: string } {
  if (!release) {
    return phase === 'failed'
      ? { state: 'failed', message: 'Helm has no release of this name' }
      : { state: 'running', message: 'Helm is installing the release' };
  }
  const message = `Helm release revision ${release.version}: ${release.info.status}`;
  if (release.info.status === 'failed') return { state: 'failed', message };
  if (release.info.status.startsWith('pending')) {
    return { state: 'running', message };
  }
  return { state: 'done', message };
}

/** The install's steps as the page shows them: Helm, then the pods, then ready. */
export function progressOf(
  phase: InstancePhase,
  release: HelmRelease | undefined,
  pods: { ready: number; total: number; simulated: boolean },
): Array<{
  step: 'helm' | 'pods' | 'ready';
  state: StepState;
  message: string;
}> {
  const helm = helmStepOf(phase, release);
  let podsState: StepState = 'waiting';
  if (phase === 'ready') podsState = 'done';
  else if (phase === 'failed' && pods.total > 0) podsState = 'failed';
  else if (helm.state === 'done') podsState = 'running';
  let readyState: StepState = 'waiting';
  if (phase === 'ready') readyState = 'done';
  else if (phase === 'failed') readyState = 'failed';
  return [
    { step: 'helm', ...helm },
    {
      step: 'pods',
      state: podsState,
      message:
        pods.total === 0
          ? 'no pods yet'
          : `${pods.ready} of ${pods.total} pod(s) ready${
              pods.simulated ? ' (simulated: kwok nodes)' : ''
            }`,
    },
    {
      step: 'ready',
      state: readyState,
      message: phase === 'ready' ? 'ready' : `phase ${phase}`,
    },
  ];
}

/** What the service needs. @public */
export interface InstanceServiceOptions {
  deps: AppStoreDeps;
  helm: HelmRunner;
  catalogue: Catalogue;
  store: InstanceStore;
  authority: Authority;
  now?: () => Date;
}

/**
 * Instances: install, read (phase and progress derived on each read from Helm and the pods),
 * upgrade, roll back, uninstall, reveal. Authority is checked by the routes (the owner's
 * permission) and here (the owner's binding covers the placement actually touched).
 * @public
 */
export class InstanceService {
  private readonly now: () => Date;

  constructor(private readonly options: InstanceServiceOptions) {
    this.now = options.now ?? (() => new Date());
  }

  private get deps() {
    return this.options.deps;
  }

  private userRef(credentials: BackstageCredentials): string {
    const principal = credentials.principal as { userEntityRef?: string };
    return principal.userEntityRef ?? 'unknown';
  }

  /** The default expiry of an environment's test instances, in days. */
  defaultExpiryDays(environment: string): number {
    const config = this.deps.config;
    return (
      config.getOptionalNumber(
        `containerCloud.appStore.expiry.environments.${environment}.defaultDays`,
      ) ??
      config.getOptionalNumber('containerCloud.appStore.expiry.defaultDays') ??
      7
    );
  }

  private summary(
    record: InstanceRecord,
    pods: { ready: number; total: number; simulated: boolean } = {
      ready: 0,
      total: 0,
      simulated: false,
    },
    phase: InstancePhase = record.phase,
  ): InstanceSummary {
    return {
      cluster: record.cluster,
      namespace: record.namespace,
      name: record.name,
      repository: record.repository,
      chart: record.chart,
      version: record.version,
      owner: record.owner,
      environment: record.environment,
      phase,
      createdBy: record.createdBy,
      createdAt: record.createdAt.toISOString(),
      ...(record.expiresAt
        ? { expiresAt: record.expiresAt.toISOString() }
        : {}),
      ready: { ready: pods.ready, total: pods.total },
      simulated: pods.simulated,
    };
  }

  /** The chart's values.yaml, parsed, for the schema check. */
  private async chartDefaults(
    repository: string,
    chart: string,
    version: string,
  ): Promise<Record<string, unknown>> {
    const detail = await this.options.catalogue.detail(
      repository,
      chart,
      version,
    );
    const parsed = parseYaml(detail.defaultValues);
    return typeof parsed === 'object' && parsed ? parsed : {};
  }

  /** The chart version's schema; a 400 naming the field when the chart or the version does not exist. */
  private async chartSchema(
    repository: string,
    chart: string,
    version: string,
  ) {
    this.options.catalogue.repository(repository);
    try {
      return await this.options.catalogue.schema(repository, chart, version);
    } catch (error) {
      if (error instanceof NotFoundError) {
        throw new InputError(`invalid request: chart: ${error.message}`);
      }
      throw error;
    }
  }

  /**
   * Installs: checks the body beyond its schema (production, the chart, the values against the
   * chart's values.schema.json, the placement), records the instance (a 409 with the current one
   * when the name lives), then runs `helm install` without waiting. A dry run records nothing.
   */
  async install(
    body: Install,
    owner: OwnerResource,
    credentials: BackstageCredentials,
  ): Promise<{ detail: InstanceDetail; dryRun: boolean }> {
    if (
      body.environment === 'production' &&
      !this.deps.config.getOptionalBoolean(
        'containerCloud.appStore.allowProduction',
      )
    ) {
      throw new InputError(
        'invalid request: environment: production installs are not allowed here (containerCloud.appStore.allowProduction)',
      );
    }
    if (body.environment === 'production' && body.expiresInDays !== undefined) {
      throw new InputError(
        'invalid request: expiresInDays: production instances never expire',
      );
    }
    if (!this.deps.clusters.names.includes(body.cluster)) {
      throw new InputError(
        `invalid request: cluster: no cluster '${body.cluster}' is configured`,
      );
    }
    const { explicit } = await this.options.authority.assertCovers(
      owner,
      body.cluster,
      body.namespace,
    );
    const schema = await this.chartSchema(
      body.repository,
      body.chart,
      body.version,
    );
    const values = installValues(body);
    checkValues(
      schema,
      values,
      await this.chartDefaults(body.repository, body.chart, body.version),
    );
    const chart = this.options.catalogue.chartRef(
      body.repository,
      body.chart,
      body.version,
    );
    const target = { cluster: body.cluster, namespace: body.namespace };
    if (body.dryRun) {
      const existing = await this.options.store.get(body);
      if (existing) {
        throw new InstanceConflictError(
          `an instance named '${body.name}' already lives in ${body.cluster}/${body.namespace}`,
          this.summary(existing),
        );
      }
      const rendered = await this.options.helm.install(
        target,
        body.name,
        chart,
        values,
        { dryRun: true, createNamespace: explicit },
      );
      const objects = (rendered.manifest ?? '')
        .split(/^---\s*$/m)
        .filter(doc => /\bkind:/.test(doc)).length;
      const record: InstanceRecord = {
        id: 0,
        ...body,
        owner: owner.ownerRef,
        phase: 'unknown',
        createdBy: this.userRef(credentials),
        createdAt: this.now(),
        updatedAt: this.now(),
      };
      return {
        dryRun: true,
        detail: {
          ...this.summary(record),
          progress: [
            {
              step: 'helm',
              state: 'done',
              message: `dry run: the apiserver accepted ${objects} object(s); nothing was installed`,
            },
          ],
          pods: [],
          history: [],
        },
      };
    }
    const expiresAt =
      body.environment === 'production'
        ? undefined
        : new Date(
            this.now().getTime() +
              (body.expiresInDays ?? this.defaultExpiryDays(body.environment)) *
                86_400_000,
          );
    let record: InstanceRecord;
    try {
      record = await this.options.store.insert({
        cluster: body.cluster,
        namespace: body.namespace,
        name: body.name,
        repository: body.repository,
        chart: body.chart,
        version: body.version,
        owner: owner.ownerRef,
        environment: body.environment,
        preset: body.preset,
        createdBy: this.userRef(credentials),
        expiresAt,
      });
    } catch (error) {
      if (error instanceof InstanceConflictError && error.current) {
        throw new InstanceConflictError(
          error.message,
          this.summary(error.current as InstanceRecord),
        );
      }
      throw error;
    }
    try {
      await this.options.helm.install(target, body.name, chart, values, {
        createNamespace: explicit,
      });
    } catch (error) {
      if (error instanceof ConflictError) {
        // a release of that name that is not the app store's (or another install's): not ours
        await this.options.store.forget(record.id);
        const current = await this.options.helm
          .status(target, body.name)
          .catch(() => undefined);
        throw new InstanceConflictError(
          `a Helm release named '${body.name}' already exists in ${body.cluster}/${body.namespace}: ${error.message}`,
          current
            ? {
                name: current.name,
                namespace: current.namespace,
                revision: current.version,
                status: current.info.status,
                chart: current.chart?.metadata
                  ? `${current.chart.metadata.name}-${current.chart.metadata.version}`
                  : undefined,
              }
            : null,
        );
      }
      await this.options.store.update(record, {
        phase: 'failed',
        failure: { reason: (error as Error).message, events: [] },
      });
      this.signal(record, 'failed');
      throw error;
    }
    // the owner on the release's Secrets: what lets the owner's services reference them
    await markInstanceSecrets(
      this.deps.clusters.connection(record.cluster),
      record,
    ).catch(error =>
      this.deps.logger.warn(
        `app store: could not mark the Secrets of ${record.cluster}/${record.namespace}/${record.name} with their owner (attach marks them again): ${error}`,
      ),
    );
    this.signal(record, 'installing');
    return { dryRun: false, detail: await this.detail(record) };
  }

  private signal(p: Placement, phase: InstancePhase) {
    this.deps.signals
      .publish({
        recipients: { type: 'broadcast' },
        channel: appStoreInstanceChannel(p),
        message: {
          cluster: p.cluster,
          namespace: p.namespace,
          name: p.name,
          phase,
        },
      })
      .catch(() => undefined);
  }

  /** The live record of an instance: a 404 in words when there is none. */
  async record(p: Placement): Promise<InstanceRecord> {
    const record = await this.options.store.get(p);
    if (!record) {
      throw new NotFoundError(
        `no app store instance '${p.name}' in ${p.cluster}/${p.namespace}`,
      );
    }
    return record;
  }

  private async podsOf(record: InstanceRecord) {
    const connection = this.deps.clusters.connection(record.cluster);
    const list = await connection.core.listNamespacedPod({
      namespace: record.namespace,
      labelSelector: `${INSTANCE_LABEL}=${record.name}`,
    });
    const nodeNames = [
      ...new Set(list.items.map(p => p.spec?.nodeName).filter(Boolean)),
    ] as string[];
    const nodes = new Map(
      await Promise.all(
        nodeNames.map(async name => {
          const node = await connection.core
            .readNode({ name })
            .catch(() => undefined);
          return [name, isKwokNode(node)] as const;
        }),
      ),
    );
    return list.items
      .map(pod => ({
        pod,
        view: {
          name: pod.metadata?.name ?? '',
          phase: pod.status?.phase ?? 'Unknown',
          ready: podReady(pod),
          ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
          simulated: pod.spec?.nodeName
            ? nodes.get(pod.spec.nodeName) ?? false
            : false,
          ...(podMessage(pod) ? { message: podMessage(pod) } : {}),
        },
      }))
      .sort((a, b) => a.view.name.localeCompare(b.view.name));
  }

  private async eventsOf(record: InstanceRecord, object: string) {
    const connection = this.deps.clusters.connection(record.cluster);
    const list = await connection.core
      .listNamespacedEvent({
        namespace: record.namespace,
        fieldSelector: `involvedObject.name=${object}`,
      })
      .catch(() => ({ items: [] as any[] }));
    return list.items
      .filter(e => e.type === 'Warning')
      .slice(-10)
      .map(e => `${e.reason ?? ''}: ${e.message ?? ''}`.trim());
  }

  private async connectionOf(record: InstanceRecord) {
    const connection = this.deps.clusters.connection(record.cluster);
    const list = await connection.core.listNamespacedService({
      namespace: record.namespace,
      labelSelector: `${INSTANCE_LABEL}=${record.name}`,
    });
    const service: V1Service | undefined =
      list.items.find(
        s => s.metadata?.annotations?.[PASSWORD_SECRET_ANNOTATION],
      ) ?? list.items.find(s => s.spec?.clusterIP !== 'None');
    if (!service?.metadata?.name) return undefined;
    const annotations = service.metadata.annotations ?? {};
    const ports = service.spec?.ports ?? [];
    const port = (
      ports.find(p => p.name === annotations[PORT_NAME_ANNOTATION]) ?? ports[0]
    )?.port;
    if (!port) return undefined;
    const secret = annotations[PASSWORD_SECRET_ANNOTATION];
    const [secretName, key] = secret?.split('/') ?? [];
    return {
      host: `${service.metadata.name}.${record.namespace}.svc`,
      port,
      ...(annotations[USER_ANNOTATION]
        ? { user: annotations[USER_ANNOTATION] }
        : {}),
      ...(secretName && key
        ? { passwordSecret: { name: secretName, key } }
        : {}),
    };
  }

  private revisions(history: HelmRevision[]) {
    return [...history]
      .sort((a, b) => b.revision - a.revision)
      .map(h => ({
        revision: h.revision,
        status: h.status,
        chart: h.chart,
        ...(h.app_version ? { appVersion: h.app_version } : {}),
        updated: h.updated,
        description: h.description ?? '',
      }));
  }

  /** Derives the phase from Helm's status and the pods. */
  private derive(
    record: InstanceRecord,
    release: HelmRelease | undefined,
    pods: Array<{ pod: V1Pod; view: { ready: boolean } }>,
  ): InstancePhase {
    if (record.phase === 'deleting') return 'deleting';
    if (!release) {
      // the install may not have written its release yet
      const young = this.now().getTime() - record.updatedAt.getTime() < 60_000;
      return record.phase === 'installing' && young ? 'installing' : 'failed';
    }
    const status = release.info.status;
    if (status === 'pending-install') return 'installing';
    if (status === 'pending-upgrade' || status === 'pending-rollback') {
      return 'upgrading';
    }
    if (status === 'uninstalling') return 'deleting';
    if (status === 'failed') return 'failed';
    if (status !== 'deployed') return 'unknown';
    if (pods.length > 0 && pods.every(p => p.view.ready)) return 'ready';
    if (pods.some(p => !p.view.ready && isStuck(p.pod, this.now()))) {
      return 'failed';
    }
    return release.version > 1 ? 'upgrading' : 'installing';
  }

  /** One instance in detail, its phase derived now (and written back when it changed). */
  async detail(
    recordOrPlacement: InstanceRecord | Placement,
  ): Promise<InstanceDetail> {
    const record =
      'id' in recordOrPlacement
        ? (recordOrPlacement as InstanceRecord)
        : await this.record(recordOrPlacement);
    const target = { cluster: record.cluster, namespace: record.namespace };
    const [release, history, pods, connection] = await Promise.all([
      this.options.helm.status(target, record.name),
      this.options.helm.history(target, record.name),
      this.podsOf(record),
      this.connectionOf(record).catch(() => undefined),
    ]);
    const phase = this.derive(record, release, pods);
    let failure: InstanceFailure | undefined = record.failure;
    if (phase === 'failed') {
      const failing =
        pods.find(p => !p.view.ready && isStuck(p.pod, this.now())) ??
        pods.find(p => !p.view.ready);
      if (failing) {
        failure = {
          resource: `Pod/${failing.view.name}`,
          reason: failing.view.message ?? `pod ${failing.view.phase}`,
          events: await this.eventsOf(record, failing.view.name),
        };
      } else if (!failure) {
        failure = {
          reason: release
            ? release.info.description ?? `Helm release ${release.info.status}`
            : 'the Helm release does not exist',
          events: [],
        };
      }
    } else if (phase !== 'installing' && phase !== 'upgrading') {
      failure = undefined;
    }
    const version = release?.chart?.metadata.version ?? record.version;
    if (phase !== record.phase || version !== record.version) {
      await this.options.store.update(record, {
        phase,
        version,
        failure: failure ?? null,
      });
      this.signal(record, phase);
    }
    const ready = pods.filter(p => p.view.ready).length;
    const simulated = pods.length > 0 && pods.some(p => p.view.simulated);
    const progress = progressOf(phase, release, {
      ready,
      total: pods.length,
      simulated,
    });
    return {
      ...this.summary(
        { ...record, version },
        { ready, total: pods.length, simulated },
        phase,
      ),
      progress,
      pods: pods.map(p => p.view),
      ...(connection ? { connection } : {}),
      history: this.revisions(history),
      ...(failure ? { failure } : {}),
      ...(record.notifiedAt
        ? { notifiedAt: record.notifiedAt.toISOString() }
        : {}),
    };
  }

  /** A page of instances (the table's records), their phase as last seen; unreachable clusters named. */
  async list(query: ListQuery) {
    const page = await this.options.store.list(
      { owner: query.owner, cluster: query.cluster, chart: query.chart },
      { offset: query.offset, limit: query.limit },
    );
    let health = this.deps.clusters.health();
    if (Object.values(health).some(h => h.error === 'not probed yet')) {
      // the cluster layer is started by whoever needs its watches: probe once if nobody has
      await this.deps.clusters.probeAll();
      health = this.deps.clusters.health();
    }
    // every configured cluster the probe cannot reach (only the filtered one when filtered)
    const unreachable = Object.entries(health)
      .filter(([cluster]) => !query.cluster || cluster === query.cluster)
      .filter(([, h]) => !h.reachable && h.error !== 'not probed yet')
      .map(([cluster, h]) => ({ cluster, error: h.error ?? 'unreachable' }));
    const down = new Set(unreachable.map(u => u.cluster));
    const counts = await this.podCounts(
      page.items.filter(r => !down.has(r.cluster)),
    );
    const items = await Promise.all(
      page.items.map(async r => {
        if (down.has(r.cluster)) return this.summary(r, undefined, 'unknown');
        const pods = counts.get(r.liveKey ?? '');
        let phase = r.phase;
        // an install or upgrade whose pods are all Ready is ready, without waiting for a detail read
        if (
          (phase === 'installing' || phase === 'upgrading') &&
          pods &&
          pods.total > 0 &&
          pods.ready === pods.total
        ) {
          phase = 'ready';
          await this.options.store.update(r, { phase, failure: null });
          this.signal(r, phase);
        }
        return this.summary(r, pods, phase);
      }),
    );
    return { items, totalCount: page.totalCount, unreachable };
  }

  /**
   * Pods ready / total / simulated of each record, by live key: one pod list per (cluster,
   * namespace) of the page (a label selector naming its releases) and one node list per cluster.
   * A cluster that fails to answer leaves its records without counts.
   */
  private async podCounts(records: InstanceRecord[]) {
    const counts = new Map<
      string,
      { ready: number; total: number; simulated: boolean }
    >();
    const groups = new Map<string, InstanceRecord[]>();
    for (const r of records) {
      const key = `${r.cluster}\u0000${r.namespace}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const kwokNodes = new Map<string, Promise<Set<string>>>();
    const kwokOf = (cluster: string) => {
      let nodes = kwokNodes.get(cluster);
      if (!nodes) {
        nodes = this.deps.clusters
          .connection(cluster)
          .core.listNode({})
          .then(
            list =>
              new Set(
                list.items
                  .filter(n => isKwokNode(n))
                  .map(n => n.metadata?.name ?? ''),
              ),
          );
        kwokNodes.set(cluster, nodes);
      }
      return nodes;
    };
    await Promise.all(
      [...groups.values()].map(async group => {
        const { cluster, namespace } = group[0];
        try {
          const [pods, kwok] = await Promise.all([
            this.deps.clusters.connection(cluster).core.listNamespacedPod({
              namespace,
              labelSelector: `${INSTANCE_LABEL} in (${group
                .map(r => r.name)
                .join(',')})`,
            }),
            kwokOf(cluster),
          ]);
          for (const r of group) {
            const mine = pods.items.filter(
              p => p.metadata?.labels?.[INSTANCE_LABEL] === r.name,
            );
            counts.set(r.liveKey ?? '', {
              ready: mine.filter(podReady).length,
              total: mine.length,
              simulated: mine.some(p => kwok.has(p.spec?.nodeName ?? '')),
            });
          }
        } catch {
          // no counts for this cluster's records
        }
      }),
    );
    return counts;
  }

  /** Upgrades to another chart version and/or other values (the release's values kept). */
  async upgrade(record: InstanceRecord, owner: OwnerResource, body: Upgrade) {
    await this.options.authority.assertCovers(
      owner,
      record.cluster,
      record.namespace,
    );
    const schema = await this.chartSchema(
      record.repository,
      record.chart,
      body.version,
    );
    const values = installValues({
      preset: body.preset,
      storage: body.storage,
      values: body.values,
    });
    const target = { cluster: record.cluster, namespace: record.namespace };
    const current = await this.options.helm.getValues(target, record.name);
    checkValues(
      schema,
      {
        values: mergeValues(current, values.values ?? {}),
        secretValues: values.secretValues,
      },
      await this.chartDefaults(record.repository, record.chart, body.version),
    );
    const chart = this.options.catalogue.chartRef(
      record.repository,
      record.chart,
      body.version,
    );
    try {
      await this.options.helm.upgrade(target, record.name, chart, values, {
        dryRun: body.dryRun,
      });
    } catch (error) {
      if (error instanceof ConflictError) {
        throw new InstanceConflictError(
          error.message,
          await this.detail(record),
        );
      }
      throw error;
    }
    if (body.dryRun) return this.detail(record);
    await this.options.store.update(record, {
      version: body.version,
      ...(body.preset ? { preset: body.preset } : {}),
      phase: 'upgrading',
      failure: null,
    });
    this.signal(record, 'upgrading');
    return this.detail((await this.options.store.get(record))!);
  }

  /** Rolls back to an earlier revision of the release's history. */
  async rollback(
    record: InstanceRecord,
    owner: OwnerResource,
    revision: number,
  ) {
    await this.options.authority.assertCovers(
      owner,
      record.cluster,
      record.namespace,
    );
    const target = { cluster: record.cluster, namespace: record.namespace };
    const history = await this.options.helm.history(target, record.name);
    const to = history.find(h => h.revision === revision);
    if (!to) {
      throw new InputError(
        `invalid request: revision: the release has no revision ${revision} (${history
          .map(h => h.revision)
          .join(', ')})`,
      );
    }
    try {
      await this.options.helm.rollback(target, record.name, revision);
    } catch (error) {
      if (error instanceof ConflictError) {
        throw new InstanceConflictError(
          error.message,
          await this.detail(record),
        );
      }
      throw error;
    }
    const version =
      /-(\d+\.\d+\.\d+\S*)$/.exec(to.chart)?.[1] ?? record.version;
    await this.options.store.update(record, {
      version,
      phase: 'upgrading',
      failure: null,
    });
    this.signal(record, 'upgrading');
    return this.detail((await this.options.store.get(record))!);
  }

  /** Uninstalls the release and ends the record (kept, with its reason). */
  async uninstall(
    record: InstanceRecord,
    owner: OwnerResource,
    credentials: BackstageCredentials,
  ): Promise<void> {
    await this.options.authority.assertCovers(
      owner,
      record.cluster,
      record.namespace,
    );
    await this.options.store.update(record, { phase: 'deleting' });
    try {
      await this.options.helm.uninstall(
        { cluster: record.cluster, namespace: record.namespace },
        record.name,
      );
    } catch (error) {
      await this.options.store.update(record, { phase: record.phase });
      throw error;
    }
    await this.options.store.markDeleted(
      record,
      'uninstalled',
      this.userRef(credentials),
    );
    this.signal(record, 'deleted');
  }

  /** The instance's password, from the Secret its client Service names. */
  async reveal(record: InstanceRecord, owner: OwnerResource): Promise<string> {
    await this.options.authority.assertCovers(
      owner,
      record.cluster,
      record.namespace,
    );
    const connection = await this.connectionOf(record);
    if (!connection?.passwordSecret) {
      throw new NotFoundError(
        `instance '${record.name}' names no password Secret (annotation ${PASSWORD_SECRET_ANNOTATION} on its client Service)`,
      );
    }
    const { name, key } = connection.passwordSecret;
    const secret = await this.deps.clusters
      .connection(record.cluster)
      .core.readNamespacedSecret({ name, namespace: record.namespace })
      .catch(() => undefined);
    if (!secret) {
      throw new NotFoundError(
        `instance '${record.name}''s password Secret ${name} does not exist`,
      );
    }
    // the Secret must be the release's own, not any Secret the annotation could name
    if (secret.metadata?.labels?.[INSTANCE_LABEL] !== record.name) {
      throw new NotAllowedError(
        `the Secret ${name} is not instance '${record.name}''s own (label ${INSTANCE_LABEL})`,
      );
    }
    const value = secret.data?.[key];
    if (value === undefined) {
      throw new NotFoundError(`the Secret ${name} has no key '${key}'`);
    }
    return Buffer.from(value, 'base64').toString('utf8');
  }
}
