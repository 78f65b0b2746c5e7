import type { Knex } from 'knex';
import type { ClusterVerdict } from '@internal/plugin-container-cloud-common';

const TABLE = 'clusters_health';

/** One cluster's row: the verdict and the observations that lead to the next one. */
export interface HealthRecord {
  cluster: string;
  state: 'healthy' | 'unhealthy';
  since: string;
  reason: string | null;
  troubledSince: string | null;
  trouble: string | null;
  recoveringSince: string | null;
  checkedAt: string;
}

/** The health controller's verdicts, in the plugin's database (the only place that knows the table). */
export class HealthStore {
  constructor(private readonly knex: Knex) {}

  async get(cluster: string): Promise<HealthRecord | undefined> {
    const row = await this.knex(TABLE).where({ cluster }).first();
    return row ? fromRow(row) : undefined;
  }

  async all(): Promise<Map<string, HealthRecord>> {
    const rows = await this.knex(TABLE).select();
    return new Map(rows.map(r => [r.cluster, fromRow(r)]));
  }

  async put(record: HealthRecord): Promise<void> {
    await this.knex(TABLE)
      .insert({
        cluster: record.cluster,
        state: record.state,
        since: record.since,
        reason: record.reason,
        troubled_since: record.troubledSince,
        trouble: record.trouble,
        recovering_since: record.recoveringSince,
        checked_at: record.checkedAt,
      })
      .onConflict('cluster')
      .merge();
  }
}

function fromRow(row: any): HealthRecord {
  return {
    cluster: row.cluster,
    state: row.state,
    since: row.since,
    reason: row.reason ?? null,
    troubledSince: row.troubled_since ?? null,
    trouble: row.trouble ?? null,
    recoveringSince: row.recovering_since ?? null,
    checkedAt: row.checked_at,
  };
}

/** What the page shows of a record (unknown before the controller first looked). */
export function verdictOf(record: HealthRecord | undefined): ClusterVerdict {
  if (!record) {
    return {
      state: 'unknown',
      since: null,
      reason: null,
      troubledSince: null,
      checkedAt: null,
    };
  }
  return {
    state: record.state,
    since: record.since,
    reason: record.state === 'unhealthy' ? record.reason : record.trouble,
    troubledSince: record.troubledSince,
    checkedAt: record.checkedAt,
  };
}
