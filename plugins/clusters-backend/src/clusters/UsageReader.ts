import type { ResourceAmounts } from '@internal/plugin-container-cloud-common';
import {
  PrometheusClient,
  promString,
} from '@internal/plugin-container-cloud-node';

/** What the containers of one cluster use now, by node and by pod (`namespace/pod`). */
export interface ClusterUsage {
  total: ResourceAmounts;
  byNode: Map<string, ResourceAmounts>;
  byPod: Map<string, ResourceAmounts>;
}

const empty = (): ResourceAmounts => ({ cpuCores: 0, memoryBytes: 0 });

/**
 * Used CPU and memory from Prometheus (cAdvisor's series, as metrics-server and kwok expose them):
 * two instant queries per cluster, summed by node and pod here.
 */
export class UsageReader {
  constructor(private readonly prometheus: PrometheusClient | undefined) {}

  get configured() {
    return this.prometheus !== undefined;
  }

  async usage(cluster: string): Promise<ClusterUsage> {
    const prometheus = this.prometheus;
    if (!prometheus) {
      throw new Error(
        'Prometheus is not configured (containerCloud.prometheus.url)',
      );
    }
    const matchers = `${prometheus.settings.clusterLabel}=${promString(
      cluster,
    )},container!="",container!="POD"`;
    const now = Math.floor(Date.now() / 1000);
    const instant = async (promql: string) =>
      prometheus.queryRange(promql, { start: now, end: now, step: 60 });
    const [cpu, memory] = await Promise.all([
      instant(
        `sum by (namespace, pod, node) (rate(container_cpu_usage_seconds_total{${matchers}}[2m]))`,
      ),
      instant(
        `sum by (namespace, pod, node) (container_memory_working_set_bytes{${matchers}})`,
      ),
    ]);
    const usage: ClusterUsage = {
      total: empty(),
      byNode: new Map(),
      byPod: new Map(),
    };
    const add = (series: typeof cpu, key: keyof ResourceAmounts) => {
      for (const s of series) {
        const value = s.values.at(-1)?.[1];
        if (value === undefined || !Number.isFinite(value)) continue;
        usage.total[key] += value;
        const node = s.metric.node;
        if (node) {
          const n = usage.byNode.get(node) ?? empty();
          n[key] += value;
          usage.byNode.set(node, n);
        }
        if (s.metric.namespace && s.metric.pod) {
          const podKey = `${s.metric.namespace}/${s.metric.pod}`;
          const p = usage.byPod.get(podKey) ?? empty();
          p[key] += value;
          usage.byPod.set(podKey, p);
        }
      }
    };
    add(cpu, 'cpuCores');
    add(memory, 'memoryBytes');
    return usage;
  }
}
