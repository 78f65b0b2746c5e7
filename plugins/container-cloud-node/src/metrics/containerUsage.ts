import type {
  ContainerMetrics,
  MetricSeries,
} from '@internal/plugin-container-cloud-common';
import { PrometheusClient, promString } from './PrometheusClient';

/** Which pod (and optionally container), over which window. @public */
export interface ContainerUsageQuery {
  cluster: string;
  namespace: string;
  pod: string;
  container?: string;
  /** unix seconds */
  start: number;
  end: number;
  /** seconds between points */
  step: number;
}

/** One PromQL range query per metric, and what its series are. @public */
export interface UsageQuery {
  metric: MetricSeries['metric'];
  unit: MetricSeries['unit'];
  promql: string;
}

/**
 * The PromQL of a pod's usage charts. CPU and memory are per container (cAdvisor's series
 * without a container name, the pod's cgroup or its pause container, are left out); network is
 * per pod, since a pod's containers share its network namespace, summed over its interfaces, and
 * is the same whichever container was asked for.
 * @public
 */
export function usageQueries(
  q: Omit<ContainerUsageQuery, 'start' | 'end'>,
  clusterLabel: string,
): UsageQuery[] {
  const podMatchers = [
    `${clusterLabel}=${promString(q.cluster)}`,
    `namespace=${promString(q.namespace)}`,
    `pod=${promString(q.pod)}`,
  ].join(',');
  const containerMatchers = `${podMatchers},${
    q.container
      ? `container=${promString(q.container)}`
      : 'container!="",container!="POD"'
  }`;
  // a rate needs a few scrapes in its window, and must not miss samples between points
  const window = `${Math.max(60, 2 * q.step)}s`;
  const podRate = (counter: string) =>
    `sum by (pod) (rate(${counter}{${podMatchers}}[${window}]))`;
  return [
    {
      metric: 'cpu',
      unit: 'cores',
      promql: `sum by (container) (rate(container_cpu_usage_seconds_total{${containerMatchers}}[${window}]))`,
    },
    {
      metric: 'memory',
      unit: 'bytes',
      promql: `sum by (container) (container_memory_working_set_bytes{${containerMatchers}})`,
    },
    {
      metric: 'network-receive',
      unit: 'bytes/s',
      promql: podRate('container_network_receive_bytes_total'),
    },
    {
      metric: 'network-transmit',
      unit: 'bytes/s',
      promql: podRate('container_network_transmit_bytes_total'),
    },
  ];
}

/**
 * CPU (cores, from the rate of `container_cpu_usage_seconds_total`) and memory (working set
 * bytes) of a pod's containers, and the pod's network traffic (bytes per second, from the rates
 * of `container_network_receive_bytes_total` and `container_network_transmit_bytes_total`) over a
 * window. These are the kubelet's (cAdvisor's) names, which kwok simulates in the local cloud.
 * Network series are the pod's: their `container` is empty.
 * @public
 */
export async function containerUsage(
  prometheus: PrometheusClient,
  q: ContainerUsageQuery,
): Promise<ContainerMetrics> {
  const range = { start: q.start, end: q.end, step: q.step };
  const queries = usageQueries(q, prometheus.settings.clusterLabel);
  const results = await Promise.all(
    queries.map(({ promql }) => prometheus.queryRange(promql, range)),
  );
  const series = queries.flatMap(({ metric, unit }, i) =>
    results[i]
      .map(
        (s): MetricSeries => ({
          metric,
          unit,
          container: s.metric.container ?? '',
          points: s.values,
        }),
      )
      .sort((a, b) => a.container.localeCompare(b.container)),
  );
  return {
    cluster: q.cluster,
    namespace: q.namespace,
    pod: q.pod,
    start: q.start,
    end: q.end,
    step: q.step,
    series,
  };
}
