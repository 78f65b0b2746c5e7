import type { AuditEvent } from '@internal/plugin-container-cloud-common';
import type { AuditRecord } from '@internal/plugin-container-cloud-node';
import type { Knex } from 'knex';

const TABLE = 'audit_events';

/** What a search narrows the log to; every filter is optional, and they all hold at once. */
export interface AuditFilters {
  actor?: string;
  entityRef?: string;
  eventId?: string;
  outcome?: 'succeeded' | 'failed';
  plugin?: string;
  cluster?: string;
  from?: Date;
  to?: Date;
  /** a page's cursor (`<time>_<id>` of its last event): only events after it, newest first */
  before?: string;
  limit: number;
}

interface AuditRow {
  id: number | string;
  occurred_at: number | string;
  plugin: string;
  event_id: string;
  severity: string;
  outcome: string;
  actor: string | null;
  entity_ref: string | null;
  cluster: string | null;
  namespace: string | null;
  request_id: string;
  method: string | null;
  path: string | null;
  error: string | null;
  meta: string;
}

function eventOf(row: AuditRow): AuditEvent {
  return {
    id: String(row.id),
    time: new Date(Number(row.occurred_at)).toISOString(),
    plugin: row.plugin,
    eventId: row.event_id,
    severity: row.severity as AuditEvent['severity'],
    outcome: row.outcome as AuditEvent['outcome'],
    actor: row.actor,
    entityRef: row.entity_ref,
    cluster: row.cluster,
    namespace: row.namespace,
    requestId: row.request_id,
    method: row.method,
    path: row.path,
    error: row.error,
    meta: JSON.parse(row.meta),
  };
}

/**
 * The audit log's table: appends, searches newest first (by time, then id) with a cursor, and
 * prunes by age.
 * Nothing here updates an event.
 */
export class AuditStore {
  constructor(private readonly knex: Knex) {}

  async append(record: AuditRecord): Promise<void> {
    await this.knex(TABLE).insert({
      occurred_at: Date.parse(record.time),
      plugin: record.plugin,
      event_id: record.eventId,
      severity: record.severity,
      outcome: record.outcome,
      actor: record.actor,
      entity_ref: record.entityRef,
      cluster: record.cluster,
      namespace: record.namespace,
      request_id: record.requestId,
      method: record.method,
      path: record.path,
      error: record.error,
      meta: JSON.stringify(record.meta),
    });
  }

  /** One page, newest first, and the cursor of the next when there are more. */
  async search(
    filters: AuditFilters,
  ): Promise<{ items: AuditEvent[]; nextCursor?: string }> {
    const query = this.knex<AuditRow>(TABLE).select('*');
    if (filters.actor) query.where('actor', filters.actor);
    if (filters.entityRef)
      query.where('entity_ref', filters.entityRef.toLocaleLowerCase('en-US'));
    if (filters.eventId) query.where('event_id', filters.eventId);
    if (filters.outcome) query.where('outcome', filters.outcome);
    if (filters.plugin) query.where('plugin', filters.plugin);
    if (filters.cluster) query.where('cluster', filters.cluster);
    if (filters.from) query.where('occurred_at', '>=', filters.from.getTime());
    if (filters.to) query.where('occurred_at', '<=', filters.to.getTime());
    if (filters.before) {
      const [time, id] = filters.before.split('_').map(Number);
      query.whereRaw('(occurred_at, id) < (?, ?)', [time, id]);
    }
    const rows: AuditRow[] = await query
      .orderBy([
        { column: 'occurred_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(filters.limit + 1);
    const items = rows.slice(0, filters.limit).map(eventOf);
    if (rows.length <= filters.limit) return { items };
    const last = rows[filters.limit - 1];
    return { items, nextCursor: `${Number(last.occurred_at)}_${last.id}` };
  }

  /** The plugins and actions the log holds, for the search page's choices. */
  async facets(): Promise<{ plugins: string[]; eventIds: string[] }> {
    const [plugins, eventIds] = await Promise.all([
      this.knex(TABLE).distinct('plugin').orderBy('plugin').limit(200),
      this.knex(TABLE).distinct('event_id').orderBy('event_id').limit(1000),
    ]);
    return {
      plugins: plugins.map((row: { plugin: string }) => row.plugin),
      eventIds: eventIds.map((row: { event_id: string }) => row.event_id),
    };
  }

  /** Deletes the events older than `before`, a batch at a time; how many went. */
  async prune(before: Date, batch = 5000): Promise<number> {
    let total = 0;
    for (;;) {
      const ids = this.knex(TABLE)
        .select('id')
        .where('occurred_at', '<', before.getTime())
        .limit(batch);
      const deleted = await this.knex(TABLE).whereIn('id', ids).delete();
      total += deleted;
      if (deleted < batch) return total;
    }
  }
}
