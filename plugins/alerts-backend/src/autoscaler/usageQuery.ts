import type { AutoscalingMetric } from '@internal/plugin-container-cloud-common';
import { promString } from '@internal/plugin-container-cloud-node';

/** The label the batched query adds to tell the metrics apart. */
export const METRIC_LABEL = 'autoscaler_metric';

/** What one batched query asks one Prometheus for. */
export interface UsageQueryInput {
  clusterLabel: string;
  clusters: string[];
  namespaces: string[];
  metrics: AutoscalingMetric[];
  rateWindowSeconds: number;
}

/** A regex matching exactly these values (RE2, anchored by Prometheus), as a PromQL string. */
function anyOf(values: string[]): string {
  const escaped = [...new Set(values)]
    .sort()
    .map(v => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return promString(escaped.join('|'));
}

const SERIES = {
  cpu: (matchers: string, window: number) =>
    `rate(container_cpu_usage_seconds_total{${matchers}}[${window}s])`,
  memory: (matchers: string) =>
    `container_memory_working_set_bytes{${matchers}}`,
};

/**
 * One PromQL query for the use of every pod in the given clusters and namespaces: per
 * (cluster, namespace, pod), CPU in cores and/or memory in bytes, summed over the pod's
 * containers (cAdvisor's series without a container name, the pod's own cgroup, left out), each
 * labelled with its metric. Names go in as escaped regex literals, never as PromQL text.
 */
export function usageQuery(input: UsageQueryInput): string {
  const { clusterLabel } = input;
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(clusterLabel)) {
    throw new Error(`'${clusterLabel}' is not a Prometheus label name`);
  }
  const matchers = [
    `${clusterLabel}=~${anyOf(input.clusters)}`,
    `namespace=~${anyOf(input.namespaces)}`,
    'container!=""',
    'container!="POD"',
  ].join(',');
  const window = Math.max(1, Math.round(input.rateWindowSeconds));
  return [...new Set(input.metrics)]
    .sort()
    .map(
      metric =>
        `label_replace(sum by (${clusterLabel}, namespace, pod) (${SERIES[
          metric
        ](matchers, window)}), "${METRIC_LABEL}", "${metric}", "", "")`,
    )
    .join(' or ');
}

/** `cluster/namespace/pod/metric` → its value, from the query's series. */
export type UsageSamples = Map<string, number>;

export const sampleKey = (
  cluster: string,
  namespace: string,
  pod: string,
  metric: AutoscalingMetric,
) => `${cluster}/${namespace}/${pod}/${metric}`;

/** Reads the series of `usageQuery` (their newest point). */
export function readUsage(
  series: Array<{
    metric: Record<string, string>;
    values: Array<[number, number]>;
  }>,
  clusterLabel: string,
): UsageSamples {
  const samples: UsageSamples = new Map();
  for (const s of series) {
    const last = s.values[s.values.length - 1];
    const metric = s.metric[METRIC_LABEL] as AutoscalingMetric | undefined;
    if (!last || !metric || !Number.isFinite(last[1])) continue;
    samples.set(
      sampleKey(
        s.metric[clusterLabel] ?? '',
        s.metric.namespace ?? '',
        s.metric.pod ?? '',
        metric,
      ),
      last[1],
    );
  }
  return samples;
}
