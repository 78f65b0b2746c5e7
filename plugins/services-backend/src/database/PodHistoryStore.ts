import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type {
  HistoryPage,
  HistoryEntry,
  Placement,
} from '@internal/plugin-container-cloud-common';

const TABLE = 'pod_history';

/** What the recorder knows of a pod at one moment. */
export interface PodRecord {
  cluster: string;
  uid: string;
  kubernetesId: string;
  namespace: string;
  podName: string;
  deployment?: string;
  ip?: string;
  node?: string;
  images: { container: string; image: string }[];
  startedAt?: Date;
  restarts: number;
  /** set once the pod is gone */
  endedAt?: Date;
  exitReason?: string;
  exitCode?: number;
}

export interface HistoryQuery {
  kubernetesId: string;
  cluster?: string;
  state?: 'running' | 'ended';
  limit: number;
  offset: number;
  /** only pods in these (cluster, namespace) pairs (cluster `*`: any); absent: every pod */
  placements?: Placement[];
}

/** The only place that knows the history table. */
export class PodHistoryStore {
  static async create(database: DatabaseService): Promise<PodHistoryStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({
        directory: resolvePackagePath(
          '@internal/plugin-services-backend',
          'migrations',
        ),
      });
    }
    return new PodHistoryStore(knex);
  }

  constructor(private readonly knex: Knex) {}

  /** Inserts or updates a pod by (cluster, uid); an ended pod stays ended. */
  async record(pod: PodRecord): Promise<void> {
    const row = {
      cluster: pod.cluster,
      uid: pod.uid,
      kubernetes_id: pod.kubernetesId,
      namespace: pod.namespace,
      pod_name: pod.podName,
      deployment: pod.deployment ?? null,
      ip: pod.ip ?? null,
      node: pod.node ?? null,
      images: JSON.stringify(pod.images),
      started_at: pod.startedAt ?? null,
      restarts: pod.restarts,
      ...(pod.endedAt
        ? {
            ended_at: pod.endedAt,
            exit_reason: pod.exitReason ?? null,
            exit_code: pod.exitCode ?? null,
          }
        : {}),
    };
    // never forget an IP or node the pod had: a deleted pod's last state often lacks them
    const merge = Object.keys(row).filter(
      k =>
        !['cluster', 'uid'].includes(k) &&
        (row as Record<string, unknown>)[k] !== null,
    );
    await this.knex(TABLE)
      .insert(row)
      .onConflict(['cluster', 'uid'])
      .merge(merge);
  }

  /** Closes the open rows of a cluster whose pods are no longer there (gone while unwatched). */
  async closeMissing(
    cluster: string,
    liveUids: Set<string>,
    at: Date,
  ): Promise<number> {
    const open: { uid: string }[] = await this.knex(TABLE)
      .where({ cluster })
      .whereNull('ended_at')
      .select('uid');
    const gone = open.map(r => r.uid).filter(uid => !liveUids.has(uid));
    for (let i = 0; i < gone.length; i += 500) {
      await this.knex(TABLE)
        .where({ cluster })
        .whereIn('uid', gone.slice(i, i + 500))
        .update({
          ended_at: at,
          exit_reason: 'gone while the portal was not watching',
        });
    }
    return gone.length;
  }

  /**
   * Forgets the pods that ended before `cutoff` (the retention); running pods stay, however long
   * ago they started. Answers how many rows went.
   */
  async pruneEndedBefore(cutoff: Date): Promise<number> {
    return await this.knex(TABLE)
      .whereNotNull('ended_at')
      .andWhere('ended_at', '<', cutoff)
      .delete();
  }

  /** One pod of the service, running or gone; undefined if the service never had it. */
  async find(query: {
    kubernetesId: string;
    cluster: string;
    namespace: string;
    pod: string;
  }): Promise<HistoryEntry | undefined> {
    const row = await this.knex(TABLE)
      .where({
        kubernetes_id: query.kubernetesId,
        cluster: query.cluster,
        namespace: query.namespace,
        pod_name: query.pod,
      })
      .orderBy('id', 'desc')
      .first();
    return row ? historyEntry(row) : undefined;
  }

  async list(query: HistoryQuery): Promise<HistoryPage> {
    const base = this.knex(TABLE).where({ kubernetes_id: query.kubernetesId });
    if (query.cluster) base.andWhere({ cluster: query.cluster });
    const placements = query.placements;
    if (placements) {
      // none: nothing (a service bound to no namespace has no history to show)
      base.andWhere(inside => {
        inside.whereRaw('1 = 0');
        for (const p of placements) {
          inside.orWhere(
            p.cluster === '*'
              ? { namespace: p.namespace }
              : { cluster: p.cluster, namespace: p.namespace },
          );
        }
      });
    }
    if (query.state === 'running') base.whereNull('ended_at');
    if (query.state === 'ended') base.whereNotNull('ended_at');
    const [{ count }] = await base.clone().count({ count: '*' });
    const rows = await base
      .clone()
      // a pod not started yet is the newest: said outright, since PostgreSQL puts NULLs first in
      // a descending order and SQLite last (and knex's `nulls` option is wrong on SQLite)
      .orderByRaw('CASE WHEN started_at IS NULL THEN 0 ELSE 1 END')
      .orderBy([
        { column: 'started_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(query.limit)
      .offset(query.offset);
    const items: HistoryEntry[] = rows.map(historyEntry);
    return { items, total: Number(count) };
  }
}

const iso = (v: unknown) =>
  v ? new Date(v as string).toISOString() : undefined;

function historyEntry(r: Record<string, any>): HistoryEntry {
  return {
    cluster: r.cluster,
    namespace: r.namespace,
    pod: r.pod_name,
    deployment: r.deployment ?? undefined,
    ip: r.ip ?? undefined,
    node: r.node ?? undefined,
    images: JSON.parse(r.images),
    startedAt: iso(r.started_at),
    endedAt: iso(r.ended_at),
    exitReason: r.exit_reason ?? undefined,
    exitCode: r.exit_code ?? undefined,
    restarts: r.restarts,
  };
}
