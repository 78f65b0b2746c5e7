import type {
  AuditorService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { ClusterHealth } from '@internal/plugin-container-cloud-common';
import type { ContainerCloudClustersService } from '@internal/plugin-container-cloud-node';
import type { ClusterAlerts } from './ClusterAlerts';
import type { HealthRecord, HealthStore } from './HealthStore';
import type { HealthSettings } from './healthSettings';

/** What is wrong with a cluster now, in words; undefined when nothing is. */
export function troubleOf(
  health: ClusterHealth | undefined,
  minReadyNodesFraction: number,
): string | undefined {
  if (!health) return 'never probed';
  if (!health.reachable) {
    return `unreachable: ${health.error ?? 'the apiserver did not answer'}`;
  }
  const total = health.nodesTotal ?? 0;
  const ready = health.nodesReady ?? 0;
  if (total > 0 && ready < total * minReadyNodesFraction) {
    return `only ${ready} of ${total} nodes are ready`;
  }
  return undefined;
}

const elapsed = (since: string, now: Date) =>
  now.getTime() - new Date(since).getTime();

/**
 * The next record of a cluster from the last one and what is wrong now: a problem that lasted
 * `unhealthyAfterMs` makes it unhealthy (since the problem began), and looking well for
 * `healthyAfterMs` makes it healthy again. Pure: the controller stores and alerts.
 */
export function nextRecord(
  cluster: string,
  last: HealthRecord | undefined,
  trouble: string | undefined,
  now: Date,
  settings: Pick<HealthSettings, 'unhealthyAfterMs' | 'healthyAfterMs'>,
): HealthRecord {
  const at = now.toISOString();
  const record: HealthRecord = last
    ? { ...last, checkedAt: at }
    : {
        cluster,
        state: 'healthy',
        since: at,
        reason: null,
        troubledSince: null,
        trouble: null,
        recoveringSince: null,
        checkedAt: at,
      };
  if (record.state === 'healthy') {
    if (!trouble) return { ...record, troubledSince: null, trouble: null };
    const troubledSince = record.troubledSince ?? at;
    if (elapsed(troubledSince, now) >= settings.unhealthyAfterMs) {
      return {
        ...record,
        state: 'unhealthy',
        since: troubledSince,
        reason: trouble,
        troubledSince: null,
        trouble: null,
        recoveringSince: null,
      };
    }
    return { ...record, troubledSince, trouble };
  }
  if (trouble) return { ...record, reason: trouble, recoveringSince: null };
  const recoveringSince = record.recoveringSince ?? at;
  if (elapsed(recoveringSince, now) >= settings.healthyAfterMs) {
    return {
      ...record,
      state: 'healthy',
      since: recoveringSince,
      reason: null,
      recoveringSince: null,
    };
  }
  return { ...record, recoveringSince };
}

/**
 * The cluster health controller: a scheduled task (one replica at a time) that reads the cluster
 * layer's probes, keeps each cluster's verdict in the database, and raises an alert when a cluster
 * turns unhealthy (again on every check while it stays so) and resolves it when it recovers.
 */
export class HealthController {
  constructor(
    private readonly deps: {
      clusters: ContainerCloudClustersService;
      store: HealthStore;
      alerts: ClusterAlerts;
      auditor: AuditorService;
      logger: LoggerService;
      settings: HealthSettings;
      now?: () => Date;
    },
  ) {}

  async check(): Promise<HealthRecord[]> {
    const { clusters, store, alerts, settings } = this.deps;
    const now = this.deps.now?.() ?? new Date();
    const health = clusters.health();
    const records: HealthRecord[] = [];
    for (const cluster of clusters.names) {
      const last = await store.get(cluster);
      const trouble = troubleOf(
        health[cluster],
        settings.minReadyNodesFraction,
      );
      const next = nextRecord(cluster, last, trouble, now, settings);
      await store.put(next);
      records.push(next);
      const changed = (last?.state ?? 'healthy') !== next.state;
      if (next.state === 'unhealthy') {
        await alerts.raise(cluster, next.reason ?? 'unhealthy', next.since);
      } else if (changed) {
        await alerts.resolve(cluster, next.since);
      }
      if (changed) await this.audit(next);
    }
    return records;
  }

  private async audit(record: HealthRecord) {
    const event = await this.deps.auditor.createEvent({
      eventId: 'cluster-health-change',
      severityLevel: record.state === 'unhealthy' ? 'high' : 'medium',
      meta: {
        cluster: record.cluster,
        state: record.state,
        since: record.since,
        ...(record.reason ? { reason: record.reason } : {}),
      },
    });
    await event.success();
  }
}
