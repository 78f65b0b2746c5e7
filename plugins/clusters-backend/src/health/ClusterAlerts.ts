import type { LoggerService } from '@backstage/backend-plugin-api';
import { ALERT_LABELS } from '@internal/plugin-container-cloud-common';
import { redactUrl } from '@internal/plugin-container-cloud-node';

/** Where the health controller raises and resolves its alerts. */
export interface ClusterAlerts {
  raise(cluster: string, reason: string, since: string): Promise<void>;
  resolve(cluster: string, since: string): Promise<void>;
}

/** A warning in the backend log, always. */
export class LogAlerts implements ClusterAlerts {
  constructor(private readonly logger: LoggerService) {}
  async raise(cluster: string, reason: string, since: string) {
    this.logger.warn(
      `cluster ${cluster} is unhealthy since ${since}: ${reason}`,
    );
  }
  async resolve(cluster: string, since: string) {
    this.logger.info(`cluster ${cluster} is healthy again since ${since}`);
  }
}

export const CLUSTER_ALERT_NAME = 'ContainerCloudClusterUnhealthy';

/**
 * The labels of a cluster's alert: the alerts module routes by `cc_receivers` (the receivers'
 * names as `,a,b,`; left out when none are configured, so Alertmanager's default route takes it)
 * and shows `severity` and `cc_cluster`; `cluster` stays for routes written before.
 */
export function clusterAlertLabels(
  cluster: string,
  receivers: string[],
): Record<string, string> {
  return {
    alertname: CLUSTER_ALERT_NAME,
    cluster,
    [ALERT_LABELS.cluster]: cluster,
    [ALERT_LABELS.severity]: 'critical',
    ...(receivers.length > 0
      ? { [ALERT_LABELS.receivers]: `,${receivers.join(',')},` }
      : {}),
  };
}

/**
 * Alertmanager's receivers (`POST /api/v2/alerts`): `ContainerCloudClusterUnhealthy` per cluster,
 * sent again on every check while it lasts (Alertmanager forgets alerts not re-sent), and sent with
 * `endsAt` when the cluster is healthy again. Its labels (clusterAlertLabels) let the alerts
 * module route it to the receivers named in containerCloud.clusters.health.receivers.
 */
export class AlertmanagerAlerts implements ClusterAlerts {
  constructor(
    private readonly url: string,
    private readonly logger: LoggerService,
    private readonly receivers: string[] = [],
  ) {}

  raise(cluster: string, reason: string, since: string) {
    return this.send(cluster, { startsAt: since, reason });
  }

  resolve(cluster: string, since: string) {
    return this.send(cluster, {
      startsAt: since,
      endsAt: new Date().toISOString(),
      reason: 'healthy again',
    });
  }

  private async send(
    cluster: string,
    alert: { startsAt: string; endsAt?: string; reason: string },
  ) {
    const endpoint = `${this.url.replace(/\/$/, '')}/api/v2/alerts`;
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        signal: AbortSignal.timeout(10_000),
        body: JSON.stringify([
          {
            labels: clusterAlertLabels(cluster, this.receivers),
            annotations: {
              summary: `cluster ${cluster} is unhealthy`,
              description: alert.reason,
            },
            startsAt: alert.startsAt,
            ...(alert.endsAt ? { endsAt: alert.endsAt } : {}),
          },
        ]),
      });
      if (!response.ok) {
        this.logger.warn(
          `Alertmanager at ${redactUrl(
            this.url,
          )} refused the alert for cluster ${cluster}: ${response.status}`,
        );
      }
    } catch (error) {
      this.logger.warn(
        `Alertmanager at ${redactUrl(
          this.url,
        )} could not be reached for cluster ${cluster}: ${
          (error as Error).name
        }`,
      );
    }
  }
}

/** Every sink, in order. */
export function allAlerts(...sinks: ClusterAlerts[]): ClusterAlerts {
  return {
    async raise(cluster, reason, since) {
      for (const sink of sinks) await sink.raise(cluster, reason, since);
    },
    async resolve(cluster, since) {
      for (const sink of sinks) await sink.resolve(cluster, since);
    },
  };
}
