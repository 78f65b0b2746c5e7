import type {
  AlertRuleMetric,
  AutoscalingMetric,
} from '@internal/plugin-container-cloud-common';
import { promString } from '@internal/plugin-container-cloud-node';
import { METRIC_CATALOGUE } from '../rules/metricCatalogue';

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

/**
 * The entry of the alert rules' metric catalogue each autoscaling metric is measured by: its
 * series template is the one PromQL of the metric, for rules and autoscaler alike.
 */
export const AUTOSCALING_SOURCES: Record<AutoscalingMetric, AlertRuleMetric> = {
  cpu: 'cpu_cores',
  memory: 'memory_bytes',
  network_receive_bytes: 'network_receive_bytes',
  network_transmit_bytes: 'network_transmit_bytes',
};

/**
 * One PromQL query for the use of every pod in the given clusters and namespaces: per
 * (cluster, namespace, pod) and metric, the catalogue's series summed over the pod (for a
 * per-container metric, over its containers: cAdvisor's series without a container name, the
 * pod's own cgroup, left out; a per-pod metric such as network traffic is the pod's own
 * series), each labelled with its metric. Names go in as escaped regex literals, never as PromQL
 * text.
 */
export function usageQuery(input: UsageQueryInput): string {
  const { clusterLabel } = input;
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(clusterLabel)) {
    throw new Error(`'${clusterLabel}' is not a Prometheus label name`);
  }
  const where = [
    `${clusterLabel}=~${anyOf(input.clusters)}`,
    `namespace=~${anyOf(input.namespaces)}`,
  ];
  const window = `${Math.max(1, Math.round(input.rateWindowSeconds))}s`;
  return [...new Set(input.metrics)]
    .sort()
    .map(metric => {
      const definition = METRIC_CATALOGUE[AUTOSCALING_SOURCES[metric]];
      const matchers = definition.perContainer
        ? [...where, 'container!=""', 'container!="POD"']
        : where;
      return `label_replace(sum by (${clusterLabel}, namespace, pod) (${definition.series!(
        matchers,
        window,
      )}), "${METRIC_LABEL}", "${metric}", "", "")`;
    })
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
