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

/**
 * CPU (cores, from the rate of `container_cpu_usage_seconds_total`) and memory (working set
 * bytes) of a pod's containers over a window. These are the kubelet's (cAdvisor's) names, which
 * kwok simulates in the local cloud; the series without a container name (the pod's cgroup
 * or its pause container) are left out.
 * @public
 */
export async function containerUsage(
  prometheus: PrometheusClient,
  q: ContainerUsageQuery,
): Promise<ContainerMetrics> {
  const matchers = [
    `${prometheus.settings.clusterLabel}=${promString(q.cluster)}`,
    `namespace=${promString(q.namespace)}`,
    `pod=${promString(q.pod)}`,
    q.container
      ? `container=${promString(q.container)}`
      : 'container!="",container!="POD"',
  ].join(',');
  // a rate needs a few scrapes in its window, and must not miss samples between points
  const window = `${Math.max(60, 2 * q.step)}s`;
  const range = { start: q.start, end: q.end, step: q.step };
  const [cpu, memory] = await Promise.all([
    prometheus.queryRange(
      `sum by (container) (rate(container_cpu_usage_seconds_total{${matchers}}[${window}]))`,
      range,
    ),
    prometheus.queryRange(
      `sum by (container) (container_memory_working_set_bytes{${matchers}})`,
      range,
    ),
  ]);
  const series = (
    metric: MetricSeries['metric'],
    unit: MetricSeries['unit'],
    result: typeof cpu,
  ): MetricSeries[] =>
    result
      .map(s => ({
        metric,
        unit,
        container: s.metric.container ?? '',
        points: s.values,
      }))
      .sort((a, b) => a.container.localeCompare(b.container));
  return {
    cluster: q.cluster,
    namespace: q.namespace,
    pod: q.pod,
    start: q.start,
    end: q.end,
    step: q.step,
    series: [
      ...series('cpu', 'cores', cpu),
      ...series('memory', 'bytes', memory),
    ],
  };
}
