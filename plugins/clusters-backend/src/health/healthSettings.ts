import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { receiverNameSchema } from '@internal/plugin-container-cloud-common';

/** `containerCloud.clusters.health`, parsed once (see config.d.ts). */
export interface HealthSettings {
  checkIntervalSeconds: number;
  /** how long a problem must last before the cluster is marked unhealthy */
  unhealthyAfterMs: number;
  /** how long an unhealthy cluster must look well before it is healthy again */
  healthyAfterMs: number;
  /** below this share of ready nodes a cluster is in trouble */
  minReadyNodesFraction: number;
  /**
   * where alerts go besides the log: Alertmanager's URL (containerCloud.alerts.alertmanager.url,
   * else containerCloud.alertmanager.url)
   */
  alertmanagerUrl?: string;
  /** the alerts module's receivers a cluster's alert goes to (its `cc_receivers` label) */
  receivers: string[];
}

export function readHealthSettings(config: Config): HealthSettings {
  const health = config.getOptionalConfig('containerCloud.clusters.health');
  const seconds = (key: string, fallback: number) => {
    const value = health?.getOptionalNumber(key) ?? fallback;
    if (!(value >= 0)) {
      throw new InputError(
        `containerCloud.clusters.health.${key} must be a number of seconds, 0 or more`,
      );
    }
    return value;
  };
  const fraction = health?.getOptionalNumber('minReadyNodesFraction') ?? 0.5;
  if (!(fraction > 0 && fraction <= 1)) {
    throw new InputError(
      'containerCloud.clusters.health.minReadyNodesFraction must be more than 0 and at most 1',
    );
  }
  const receivers = health?.getOptionalStringArray('receivers') ?? [];
  receivers.forEach((name, i) => {
    const parsed = receiverNameSchema.safeParse(name);
    if (!parsed.success) {
      throw new InputError(
        `containerCloud.clusters.health.receivers[${i}]: '${name}': ${parsed.error.issues[0].message}`,
      );
    }
  });
  return {
    checkIntervalSeconds: Math.max(1, seconds('checkIntervalSeconds', 15)),
    unhealthyAfterMs: seconds('unhealthyAfterSeconds', 120) * 1000,
    healthyAfterMs: seconds('healthyAfterSeconds', 60) * 1000,
    minReadyNodesFraction: fraction,
    alertmanagerUrl:
      health?.getOptionalBoolean('alertmanager') === false
        ? undefined
        : config.getOptionalString('containerCloud.alerts.alertmanager.url') ??
          config.getOptionalString('containerCloud.alertmanager.url'),
    receivers: [...new Set(receivers)],
  };
}
