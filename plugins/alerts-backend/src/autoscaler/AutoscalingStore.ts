import { createHash } from 'node:crypto';
import { ConflictError } from '@backstage/errors';
import type {
  AutoscalingDecision,
  AutoscalingSettings,
  AutoscalingSettingsView,
} from '@internal/plugin-container-cloud-common';
import type { Knex } from 'knex';
import type { Recommendation } from './decide';

const SETTINGS = 'autoscaling_settings';
const DECISIONS = 'autoscaling_decisions';

/** A save made from another version than the saved one: 409 with the settings as they are. */
export class AutoscalingSettingsConflictError extends ConflictError {
  constructor(
    message: string,
    readonly current: AutoscalingSettingsView | null,
  ) {
    super(message);
  }
}

/** Saved settings, with the loop's stabilisation window. */
export interface StoredSettings extends AutoscalingSettingsView {
  entityRef: string;
  recommendations: Recommendation[];
}

/** A decision as the loop records it (times and count are the store's). */
export type DecisionRecord = Omit<
  AutoscalingDecision,
  'at' | 'lastAt' | 'count'
>;

interface SettingsRow {
  entity_ref: string;
  enabled: boolean | number;
  deployment: string;
  metric: string;
  target: number | string;
  min_replicas: number;
  max_replicas: number;
  version: number;
  updated_by: string;
  updated_at: number | string;
  recommendations: string;
}

interface DecisionRow {
  id: number | string;
  entity_ref: string;
  at: number | string;
  last_at: number | string;
  count: number;
  outcome: string;
  decision: string;
  fingerprint: string;
}

const key = (entityRef: string) => entityRef.toLocaleLowerCase('en-US');

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    result.push(items.slice(i, i + size));
  }
  return result;
}

function settingsOf(row: SettingsRow): StoredSettings {
  return {
    entityRef: row.entity_ref,
    enabled: Boolean(row.enabled),
    deployment: row.deployment,
    metric: row.metric as AutoscalingSettings['metric'],
    target: Number(row.target),
    minReplicas: row.min_replicas,
    maxReplicas: row.max_replicas,
    version: row.version,
    updatedBy: row.updated_by,
    updatedAt: new Date(Number(row.updated_at)).toISOString(),
    recommendations: JSON.parse(row.recommendations),
  };
}

function viewOf(stored: StoredSettings): AutoscalingSettingsView {
  const { entityRef: _ref, recommendations: _window, ...view } = stored;
  return view;
}

/** The only place that knows the autoscaler's tables. */
export class AutoscalingStore {
  constructor(private readonly knex: Knex) {}

  async getSettings(entityRef: string): Promise<StoredSettings | undefined> {
    const row = await this.knex<SettingsRow>(SETTINGS)
      .where({ entity_ref: key(entityRef) })
      .first();
    return row ? settingsOf(row) : undefined;
  }

  /**
   * Saves the settings edited from `fromVersion` (0: there were none) as the next version; a
   * stale version saves nothing (AutoscalingSettingsConflictError with the saved settings).
   */
  async saveSettings(
    entityRef: string,
    settings: AutoscalingSettings,
    fromVersion: number,
    user: string,
    now = Date.now(),
  ): Promise<AutoscalingSettingsView> {
    const columns = {
      enabled: settings.enabled,
      deployment: settings.deployment,
      metric: settings.metric,
      target: settings.target,
      min_replicas: settings.minReplicas,
      max_replicas: settings.maxReplicas,
      version: fromVersion + 1,
      updated_by: user,
      updated_at: now,
    };
    let saved: boolean;
    if (fromVersion === 0) {
      try {
        await this.knex(SETTINGS).insert({
          entity_ref: key(entityRef),
          ...columns,
          recommendations: '[]',
        });
        saved = true;
      } catch (error) {
        // another save created them first (the primary key): a conflict, told below
        if (!(await this.getSettings(entityRef))) throw error;
        saved = false;
      }
    } else {
      const updated = await this.knex(SETTINGS)
        .where({ entity_ref: key(entityRef), version: fromVersion })
        .update(columns);
      saved = updated === 1;
    }
    const current = await this.getSettings(entityRef);
    if (!saved || !current) {
      throw new AutoscalingSettingsConflictError(
        current
          ? `the autoscaling settings of ${entityRef} changed since you loaded them (version ${fromVersion}, now ${current.version}, saved by ${current.updatedBy}); reload and try again`
          : `${entityRef} has no autoscaling settings any more (you edited version ${fromVersion}); reload and try again`,
        current ? viewOf(current) : null,
      );
    }
    return viewOf(current);
  }

  async listEnabled(): Promise<StoredSettings[]> {
    const rows = await this.knex<SettingsRow>(SETTINGS)
      .where({ enabled: true })
      .orderBy('entity_ref');
    return rows.map(settingsOf);
  }

  /** The loop's stabilisation window for the settings at `version` (a newer save starts afresh). */
  async saveRecommendations(
    entityRef: string,
    version: number,
    window: Recommendation[],
  ): Promise<void> {
    await this.knex(SETTINGS)
      .where({ entity_ref: key(entityRef), version })
      .update({ recommendations: JSON.stringify(window) });
  }

  /**
   * Records a decision; the same decision as the service's last one (same outcome, reason,
   * numbers) only counts one more time on it.
   */
  async recordDecision(
    entityRef: string,
    decision: DecisionRecord,
    now = Date.now(),
  ): Promise<void> {
    const text = JSON.stringify(decision);
    const fingerprint = createHash('sha256').update(text).digest('hex');
    await this.knex.transaction(async tx => {
      const last = await tx<DecisionRow>(DECISIONS)
        .where({ entity_ref: key(entityRef) })
        .orderBy('id', 'desc')
        .first();
      if (last && last.fingerprint === fingerprint) {
        await tx(DECISIONS)
          .where({ id: last.id })
          .update({ last_at: now, count: last.count + 1 });
        return;
      }
      await tx(DECISIONS).insert({
        entity_ref: key(entityRef),
        at: now,
        last_at: now,
        count: 1,
        outcome: decision.outcome,
        decision: text,
        fingerprint,
      });
    });
  }

  /**
   * Everything one cycle of the loop records, in one transaction: each service's decision (counted
   * on its last one when the same) and, for the services it decided, the stabilisation window of
   * the settings version it read. One transaction for the cycle instead of two per service.
   */
  async recordCycle(
    entries: Array<{
      entityRef: string;
      decision: DecisionRecord;
      /** set when the cycle decided (not when it held) */
      window?: Recommendation[];
      version: number;
    }>,
    now = Date.now(),
  ): Promise<void> {
    const rows = entries.map(e => {
      const text = JSON.stringify(e.decision);
      return {
        ...e,
        ref: key(e.entityRef),
        text,
        fingerprint: createHash('sha256').update(text).digest('hex'),
      };
    });
    await this.knex.transaction(async tx => {
      const last = new Map<string, DecisionRow>();
      for (const chunk of chunks(rows, 500)) {
        const latest = await tx<DecisionRow>(DECISIONS).whereIn(
          'id',
          tx(DECISIONS)
            .max('id')
            .whereIn(
              'entity_ref',
              chunk.map(r => r.ref),
            )
            .groupBy('entity_ref'),
        );
        for (const row of latest) last.set(row.entity_ref, row);
      }
      const inserts = [];
      const repeated: Array<number | string> = [];
      for (const r of rows) {
        const previous = last.get(r.ref);
        if (previous && previous.fingerprint === r.fingerprint) {
          repeated.push(previous.id);
        } else {
          inserts.push({
            entity_ref: r.ref,
            at: now,
            last_at: now,
            count: 1,
            outcome: r.decision.outcome,
            decision: r.text,
            fingerprint: r.fingerprint,
          });
        }
      }
      for (const ids of chunks(repeated, 500)) {
        await tx(DECISIONS)
          .whereIn('id', ids)
          .update({ last_at: now, count: tx.raw('?? + 1', ['count']) });
      }
      for (const chunk of chunks(inserts, 100)) {
        await tx(DECISIONS).insert(chunk);
      }
      // the windows, a few hundred rows per statement: each only for the version the cycle read
      const windows = rows.filter(r => r.window);
      for (const chunk of chunks(windows, 200)) {
        const cases = chunk
          .map(() => 'WHEN entity_ref = ? AND version = ? THEN ?')
          .join(' ');
        await tx(SETTINGS)
          .whereIn(
            'entity_ref',
            chunk.map(r => r.ref),
          )
          .update({
            recommendations: tx.raw(
              `CASE ${cases} ELSE recommendations END`,
              chunk.flatMap(r => [r.ref, r.version, JSON.stringify(r.window)]),
            ),
          });
      }
    });
  }

  /** The service's decisions, newest first. */
  async listDecisions(
    entityRef: string,
    limit = 20,
  ): Promise<AutoscalingDecision[]> {
    const rows = await this.knex<DecisionRow>(DECISIONS)
      .where({ entity_ref: key(entityRef) })
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(row => ({
      ...(JSON.parse(row.decision) as DecisionRecord),
      at: new Date(Number(row.at)).toISOString(),
      lastAt: new Date(Number(row.last_at)).toISOString(),
      count: row.count,
    }));
  }

  /**
   * Bounded retention: drops decisions last seen before `before`, and every service's decisions
   * beyond its newest `keepPerService`. Returns how many went.
   */
  async pruneDecisions(
    before: number,
    keepPerService: number,
  ): Promise<number> {
    let removed = await this.knex(DECISIONS)
      .where('last_at', '<', before)
      .delete();
    const crowded = await this.knex(DECISIONS)
      .select('entity_ref')
      .groupBy('entity_ref')
      .havingRaw('count(*) > ?', [keepPerService]);
    for (const { entity_ref } of crowded as { entity_ref: string }[]) {
      const keep = this.knex(DECISIONS)
        .select('id')
        .where({ entity_ref })
        .orderBy('id', 'desc')
        .limit(keepPerService);
      // a subquery with LIMIT inside NOT IN is refused by some databases: read the ids first
      const ids = (await keep).map((r: { id: number | string }) => r.id);
      removed += await this.knex(DECISIONS)
        .where({ entity_ref })
        .whereNotIn('id', ids)
        .delete();
    }
    return removed;
  }
}
