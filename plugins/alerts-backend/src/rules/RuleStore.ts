import type { Knex } from 'knex';
import type {
  AlertRule,
  AlertRuleVersionSummary,
  AlertRulesQuery,
} from '@internal/plugin-container-cloud-common';

/** A service's current rules, as stored. */
export interface StoredRuleSet {
  entityRef: string;
  owner: string;
  kubernetesId: string;
  version: number;
  rules: AlertRule[];
  clusters: string[];
  updatedBy: string;
  updatedAt: string;
}

/** Where one Prometheus stands with a service's rules, as stored. */
export interface StoredDelivery {
  entityRef: string;
  prometheus: string;
  version: number;
  checksum: string;
  state: 'delivered' | 'failed' | 'loaded';
  loadedVersion: number | null;
  alertingRules: number;
  message: string;
  at: string;
}

/** The version a save was made from is no longer the current one. */
export class StaleVersionError extends Error {
  constructor(readonly current: StoredRuleSet | undefined) {
    super('stale');
  }
}

/** A timestamp column as ISO text: a Date (PostgreSQL), or epoch milliseconds (SQLite). */
function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || /^\d+$/.test(String(value))) {
    return new Date(Number(value)).toISOString();
  }
  return new Date(String(value)).toISOString();
}

const clusterList = (clusters: string[]) =>
  clusters.length === 0 ? ',' : `,${[...clusters].sort().join(',')},`;
const parseClusters = (text: string) => text.split(',').filter(Boolean);

/** The only place that knows the rule tables. */
export class RuleStore {
  constructor(private readonly knex: Knex) {}

  private toSet(row: any): StoredRuleSet {
    return {
      entityRef: row.entity_ref,
      owner: row.owner,
      kubernetesId: row.kubernetes_id,
      version: Number(row.version),
      rules: JSON.parse(row.rules),
      clusters: parseClusters(row.clusters),
      updatedBy: row.updated_by,
      updatedAt: iso(row.updated_at),
    };
  }

  async get(entityRef: string, tx: Knex = this.knex) {
    const row = await tx('alert_rule_sets')
      .where({ entity_ref: entityRef })
      .first();
    return row ? this.toSet(row) : undefined;
  }

  async listSets(): Promise<StoredRuleSet[]> {
    const rows = await this.knex('alert_rule_sets').orderBy('entity_ref');
    return rows.map(r => this.toSet(r));
  }

  /**
   * Saves a new version of a service's rules if its current version is still `baseVersion`
   * (0: it has none); else StaleVersionError with the current set. One transaction: the set,
   * its version and the admin list's rows change together or not at all.
   */
  async save(input: {
    entityRef: string;
    owner: string;
    kubernetesId: string;
    baseVersion: number;
    rules: AlertRule[];
    clusters: string[];
    author: string;
    message: string;
    rollbackOf?: number;
  }): Promise<StoredRuleSet> {
    return this.knex.transaction(async tx => {
      const now = new Date();
      const version = input.baseVersion + 1;
      const row = {
        owner: input.owner,
        kubernetes_id: input.kubernetesId,
        version,
        rules: JSON.stringify(input.rules),
        clusters: clusterList(input.clusters),
        updated_by: input.author,
        updated_at: now,
      };
      if (input.baseVersion === 0) {
        const existing = await this.get(input.entityRef, tx);
        if (existing) throw new StaleVersionError(existing);
        try {
          await tx('alert_rule_sets').insert({
            entity_ref: input.entityRef,
            ...row,
          });
        } catch (error) {
          // another replica created it first (primary key)
          throw new StaleVersionError(await this.get(input.entityRef));
        }
      } else {
        const updated = await tx('alert_rule_sets')
          .where({ entity_ref: input.entityRef, version: input.baseVersion })
          .update(row);
        if (updated !== 1) {
          throw new StaleVersionError(await this.get(input.entityRef, tx));
        }
      }
      await tx('alert_rule_versions').insert({
        entity_ref: input.entityRef,
        version,
        rules: JSON.stringify(input.rules),
        author: input.author,
        created_at: now,
        message: input.message,
        rollback_of: input.rollbackOf ?? null,
      });
      await tx('alert_rules').where({ entity_ref: input.entityRef }).delete();
      const rows = input.rules.map(rule => ({
        entity_ref: input.entityRef,
        rule_id: rule.id,
        owner: input.owner,
        severity: rule.severity,
        name: rule.name,
        clusters: clusterList(input.clusters),
      }));
      for (let i = 0; i < rows.length; i += 200) {
        await tx('alert_rules').insert(rows.slice(i, i + 200));
      }
      return {
        entityRef: input.entityRef,
        owner: input.owner,
        kubernetesId: input.kubernetesId,
        version,
        rules: input.rules,
        clusters: [...input.clusters].sort(),
        updatedBy: input.author,
        updatedAt: now.toISOString(),
      };
    });
  }

  /** The clusters the rules watched at the last render (the admin list's cluster filter). */
  async setClusters(entityRef: string, clusters: string[]) {
    await this.knex('alert_rule_sets')
      .where({ entity_ref: entityRef })
      .update({ clusters: clusterList(clusters) });
    await this.knex('alert_rules')
      .where({ entity_ref: entityRef })
      .update({ clusters: clusterList(clusters) });
  }

  async versions(entityRef: string): Promise<AlertRuleVersionSummary[]> {
    const rows = await this.knex('alert_rule_versions')
      .where({ entity_ref: entityRef })
      .orderBy('version', 'desc')
      .limit(200);
    return rows.map(r => ({
      version: Number(r.version),
      author: r.author,
      createdAt: iso(r.created_at),
      message: r.message,
      ruleCount: (JSON.parse(r.rules) as unknown[]).length,
    }));
  }

  async version(entityRef: string, version: number) {
    const row = await this.knex('alert_rule_versions')
      .where({ entity_ref: entityRef, version })
      .first();
    if (!row) return undefined;
    const rules: AlertRule[] = JSON.parse(row.rules);
    return {
      version: Number(row.version),
      author: row.author as string,
      createdAt: iso(row.created_at),
      message: row.message as string,
      ruleCount: rules.length,
      rules,
    };
  }

  /** Every service's rules, filtered and paged in SQL; the rules themselves from their sets. */
  async listRules(
    query: Required<Omit<AlertRulesQuery, 'severity' | 'team' | 'cluster'>> &
      Pick<AlertRulesQuery, 'severity' | 'team' | 'cluster'>,
  ) {
    const filtered = () => {
      const q = this.knex('alert_rules');
      if (query.severity) q.where('severity', query.severity);
      if (query.team) {
        q.whereRaw('LOWER(owner) = ?', [query.team.toLocaleLowerCase('en-US')]);
      }
      if (query.cluster)
        q.where(
          'clusters',
          'like',
          `%,${query.cluster.replace(/[%_\\]/g, '')},%`,
        );
      return q;
    };
    const [{ count }] = await filtered().count({ count: '*' });
    const rows = await filtered()
      .select('entity_ref', 'rule_id')
      .orderBy([
        { column: 'entity_ref' },
        { column: 'name' },
        { column: 'rule_id' },
      ])
      .offset(Number(query.offset))
      .limit(Number(query.limit));
    const refs = [...new Set(rows.map(r => r.entity_ref as string))];
    const sets = new Map<string, StoredRuleSet>();
    for (let i = 0; i < refs.length; i += 200) {
      const batch = await this.knex('alert_rule_sets').whereIn(
        'entity_ref',
        refs.slice(i, i + 200),
      );
      for (const row of batch) sets.set(row.entity_ref, this.toSet(row));
    }
    const items = rows.flatMap(row => {
      const set = sets.get(row.entity_ref);
      const rule = set?.rules.find(r => r.id === row.rule_id);
      return set && rule
        ? [
            {
              entityRef: set.entityRef,
              owner: set.owner,
              clusters: set.clusters,
              version: set.version,
              rule,
            },
          ]
        : [];
    });
    return { items, total: Number(count) };
  }

  async deliveries(entityRef?: string): Promise<StoredDelivery[]> {
    const q = this.knex('alert_rule_deliveries');
    if (entityRef) q.where({ entity_ref: entityRef });
    const rows = await q;
    return rows.map(r => ({
      entityRef: r.entity_ref,
      prometheus: r.prometheus,
      version: Number(r.version),
      checksum: r.checksum,
      state: r.state,
      loadedVersion:
        r.loaded_version === null ? null : Number(r.loaded_version),
      alertingRules: Number(r.alerting_rules),
      message: r.message,
      at: iso(r.at),
    }));
  }

  /** Records a delivery (or its failure), unless a newer version was delivered meanwhile. */
  async recordDelivery(d: Omit<StoredDelivery, 'at'>) {
    const row = {
      version: d.version,
      checksum: d.checksum,
      state: d.state,
      loaded_version: d.loadedVersion,
      alerting_rules: d.alertingRules,
      message: d.message.slice(0, 4000),
      at: new Date(),
    };
    const updated = await this.knex('alert_rule_deliveries')
      .where({ entity_ref: d.entityRef, prometheus: d.prometheus })
      .where('version', '<=', d.version)
      .update(row);
    if (updated === 0) {
      const existing = await this.knex('alert_rule_deliveries')
        .where({ entity_ref: d.entityRef, prometheus: d.prometheus })
        .first();
      if (!existing) {
        await this.knex('alert_rule_deliveries')
          .insert({ entity_ref: d.entityRef, prometheus: d.prometheus, ...row })
          .onConflict(['entity_ref', 'prometheus'])
          .ignore();
      }
    }
  }

  /** What Prometheus said it evaluates, read back from its rules API. */
  async recordLoaded(
    entityRef: string,
    prometheus: string,
    loadedVersion: number | null,
  ) {
    const row = await this.knex('alert_rule_deliveries')
      .where({ entity_ref: entityRef, prometheus })
      .first();
    if (!row) return;
    const loaded =
      loadedVersion !== null && loadedVersion === Number(row.version);
    await this.knex('alert_rule_deliveries')
      .where({ entity_ref: entityRef, prometheus })
      .update({
        loaded_version: loadedVersion,
        ...(loaded && row.state !== 'failed' ? { state: 'loaded' } : {}),
        ...(!loaded && row.state === 'loaded' ? { state: 'delivered' } : {}),
      });
  }
}
