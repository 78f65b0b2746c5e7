import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** One Prometheus the autoscaler reads, and the clusters whose pods it scrapes. */
export interface AutoscalerPrometheus {
  name: string;
  url: string;
  /** undefined: every cluster */
  clusters?: string[];
  clusterLabel: string;
}

/** `containerCloud.alerts.autoscaler`, parsed once (see config.d.ts). */
export interface AutoscalerConfig {
  /** false: the loop is not scheduled (the settings can still be edited) */
  enabled: boolean;
  intervalSeconds: number;
  tolerance: number;
  scaleDownStabilizationSeconds: number;
  rateWindowSeconds: number;
  decisionRetentionDays: number;
  decisionsPerService: number;
  /**
   * how a new total is split across clusters: in proportion to each cluster's current replicas
   * ('share'), or to its free CPU ('free-capacity': allocatable less requested on its
   * schedulable nodes)
   */
  split: 'share' | 'free-capacity';
  prometheus: AutoscalerPrometheus[];
}

export const AUTOSCALER_DEFAULTS = {
  intervalSeconds: 30,
  tolerance: 0.1,
  scaleDownStabilizationSeconds: 300,
  rateWindowSeconds: 60,
  decisionRetentionDays: 7,
  decisionsPerService: 200,
};

const KEY = 'containerCloud.alerts.autoscaler';

function positive(config: Config | undefined, name: string, fallback: number) {
  const value = config?.getOptionalNumber(name) ?? fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new InputError(`${KEY}.${name} must be a number of at least 0`);
  }
  return value;
}

/**
 * The autoscaler's settings; its Prometheus servers are `containerCloud.alerts.prometheus[]`
 * (each with the clusters it scrapes), else `containerCloud.prometheus.url` for every cluster.
 */
export function readAutoscalerConfig(config: Config): AutoscalerConfig {
  const own = config.getOptionalConfig(KEY);
  const intervalSeconds = positive(
    own,
    'intervalSeconds',
    AUTOSCALER_DEFAULTS.intervalSeconds,
  );
  if (intervalSeconds < 1) {
    throw new InputError(`${KEY}.intervalSeconds is at least 1`);
  }
  const fallbackLabel =
    config.getOptionalString('containerCloud.prometheus.clusterLabel') ??
    'cluster';
  const listed = config.getOptionalConfigArray(
    'containerCloud.alerts.prometheus',
  );
  const prometheus: AutoscalerPrometheus[] = listed
    ? listed.map(p => ({
        name: p.getString('name'),
        url: p.getString('url'),
        clusters: p.getOptionalStringArray('clusters'),
        clusterLabel: p.getOptionalString('clusterLabel') ?? fallbackLabel,
      }))
    : [];
  const single = config.getOptionalString('containerCloud.prometheus.url');
  if (prometheus.length === 0 && single) {
    prometheus.push({
      name: 'default',
      url: single,
      clusterLabel: fallbackLabel,
    });
  }
  const split = own?.getOptionalString('split') ?? 'share';
  if (split !== 'share' && split !== 'free-capacity') {
    throw new InputError(`${KEY}.split is 'share' or 'free-capacity'`);
  }
  return {
    enabled: own?.getOptionalBoolean('enabled') ?? true,
    split,
    intervalSeconds,
    tolerance: positive(own, 'tolerance', AUTOSCALER_DEFAULTS.tolerance),
    scaleDownStabilizationSeconds: positive(
      own,
      'scaleDownStabilizationSeconds',
      AUTOSCALER_DEFAULTS.scaleDownStabilizationSeconds,
    ),
    rateWindowSeconds: Math.max(
      1,
      positive(own, 'rateWindowSeconds', AUTOSCALER_DEFAULTS.rateWindowSeconds),
    ),
    decisionRetentionDays: positive(
      own,
      'decisionRetentionDays',
      AUTOSCALER_DEFAULTS.decisionRetentionDays,
    ),
    decisionsPerService: Math.max(
      1,
      positive(
        own,
        'decisionsPerService',
        AUTOSCALER_DEFAULTS.decisionsPerService,
      ),
    ),
    prometheus,
  };
}
