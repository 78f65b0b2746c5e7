import type { V1Pod } from '@kubernetes/client-node';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type {
  AdminInstance,
  AdminInstanceList,
} from '@internal/plugin-container-cloud-common';
import type { ContainerCloudClustersService } from '@internal/plugin-container-cloud-node';
import type { InstanceRecord, InstanceStore } from '../instances/InstanceStore';
import { INSTANCE_LABEL } from '../instances/InstanceService';

/** The admin list's query, parsed. */
export interface AdminQuery {
  owner?: string;
  cluster?: string;
  chart?: string;
  expiringWithinHours?: number;
  offset: number;
  limit: number;
}

interface Resources {
  cpuMillis: number;
  memoryBytes: number;
}

const UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
};

/** A Kubernetes quantity as a number (cores or bytes); 0 for what does not parse. */
export function quantity(value: string | undefined): number {
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(value ?? '');
  if (!match || UNITS[match[2]] === undefined) return 0;
  return Number(match[1]) * UNITS[match[2]];
}

function add(sum: Resources, cpu?: string, memory?: string) {
  sum.cpuMillis += Math.round(quantity(cpu) * 1000);
  sum.memoryBytes += Math.round(quantity(memory));
}

const keyOf = (r: { cluster: string; namespace: string; name: string }) =>
  `${r.cluster}/${r.namespace}/${r.name}`;

interface PodFacts {
  requests: Resources;
  ready: number;
  total: number;
  /** nodes the pods run on */
  nodes: Set<string>;
}

/**
 * Every instance in every cluster, from the table (the record the suite trusts), a page at a
 * time, with each instance's pods read from its cluster: their requests, readiness, and their use
 * from the metrics API where the cluster serves it. One list call per (cluster, namespace) of the
 * page; a cluster that cannot be read is named in `unreachable`, its instances shown without
 * resources.
 */
export class AdminView {
  constructor(
    private readonly deps: {
      store: InstanceStore;
      clusters: ContainerCloudClustersService;
      now?: () => Date;
    },
  ) {}

  async list(query: AdminQuery): Promise<AdminInstanceList> {
    const now = this.deps.now?.() ?? new Date();
    const page = await this.deps.store.list(
      {
        owner: query.owner,
        cluster: query.cluster,
        chart: query.chart,
        ...(query.expiringWithinHours
          ? {
              expiresBefore: new Date(
                now.getTime() + query.expiringWithinHours * 3_600_000,
              ),
            }
          : {}),
      },
      { offset: query.offset, limit: query.limit },
    );
    const pairs = new Map<string, { cluster: string; namespace: string }>();
    for (const r of page.items) {
      pairs.set(`${r.cluster}/${r.namespace}`, r);
    }
    const facts = new Map<string, PodFacts>();
    const usage = new Map<string, Resources>();
    const unreachable = new Map<string, string>();
    await Promise.all(
      [...pairs.values()].map(async ({ cluster, namespace }) => {
        if (unreachable.has(cluster)) return;
        try {
          const pods = await this.pods(cluster, namespace);
          for (const pod of pods) {
            const name = pod.metadata?.labels?.[INSTANCE_LABEL];
            if (!name) continue;
            const key = keyOf({ cluster, namespace, name });
            const f = facts.get(key) ?? {
              requests: { cpuMillis: 0, memoryBytes: 0 },
              ready: 0,
              total: 0,
              nodes: new Set<string>(),
            };
            if (pod.spec?.nodeName) f.nodes.add(pod.spec.nodeName);
            for (const c of pod.spec?.containers ?? []) {
              add(
                f.requests,
                c.resources?.requests?.cpu,
                c.resources?.requests?.memory,
              );
            }
            f.total += 1;
            if (
              pod.status?.conditions?.some(
                c => c.type === 'Ready' && c.status === 'True',
              )
            ) {
              f.ready += 1;
            }
            facts.set(key, f);
          }
        } catch (error) {
          unreachable.set(cluster, (error as Error).message);
          return;
        }
        for (const [key, used] of await this.usage(cluster, namespace)) {
          usage.set(key, used);
        }
      }),
    );
    const kwok = await this.kwokNodes(
      [...new Set(page.items.map(r => r.cluster))].filter(
        c => !unreachable.has(c),
      ),
    );
    return {
      items: page.items.map(record =>
        this.item(
          record,
          now,
          facts,
          usage,
          unreachable.has(record.cluster),
          kwok,
        ),
      ),
      totalCount: page.totalCount,
      unreachable: [...unreachable].map(([cluster, error]) => ({
        cluster,
        error,
      })),
    };
  }

  private item(
    record: InstanceRecord,
    now: Date,
    facts: Map<string, PodFacts>,
    usage: Map<string, Resources>,
    down: boolean,
    kwok: Set<string>,
  ): AdminInstance {
    const key = keyOf(record);
    const f = facts.get(key);
    const used = usage.get(key);
    return {
      cluster: record.cluster,
      namespace: record.namespace,
      name: record.name,
      repository: record.repository,
      chart: record.chart,
      version: record.version,
      owner: record.owner,
      environment: record.environment,
      phase: down ? 'unknown' : record.phase,
      createdBy: record.createdBy,
      createdAt: record.createdAt.toISOString(),
      ...(record.expiresAt
        ? { expiresAt: record.expiresAt.toISOString() }
        : {}),
      ...(record.notifiedAt
        ? { notifiedAt: record.notifiedAt.toISOString() }
        : {}),
      ageSeconds: Math.max(
        0,
        Math.floor((now.getTime() - record.createdAt.getTime()) / 1000),
      ),
      ready: { ready: f?.ready ?? 0, total: f?.total ?? 0 },
      simulated: [...(f?.nodes ?? [])].some(node =>
        kwok.has(`${record.cluster}/${node}`),
      ),
      ...(down
        ? {}
        : { requests: f?.requests ?? { cpuMillis: 0, memoryBytes: 0 } }),
      ...(used ? { usage: used } : {}),
    };
  }

  /** `cluster/node` of every kwok node (its pods are simulated: nothing runs), one list per cluster. */
  private async kwokNodes(clusters: string[]): Promise<Set<string>> {
    const result = new Set<string>();
    await Promise.all(
      clusters.map(async cluster => {
        try {
          const nodes = await this.deps.clusters
            .connection(cluster)
            .core.listNode({});
          for (const node of nodes.items) {
            const kwok =
              node.metadata?.labels?.type === 'kwok' ||
              node.metadata?.annotations?.['kwok.x-k8s.io/node'] !== undefined;
            if (kwok) result.add(`${cluster}/${node.metadata?.name}`);
          }
        } catch {
          // nodes unreadable: no pod is said to be simulated
        }
      }),
    );
    return result;
  }

  private async pods(cluster: string, namespace: string): Promise<V1Pod[]> {
    const list = await this.deps.clusters
      .connection(cluster)
      .core.listNamespacedPod({ namespace, labelSelector: INSTANCE_LABEL });
    return list.items;
  }

  /** Pod use from metrics.k8s.io, by instance; empty where the cluster has no metrics API. */
  private async usage(
    cluster: string,
    namespace: string,
  ): Promise<Map<string, Resources>> {
    const result = new Map<string, Resources>();
    try {
      const api = this.deps.clusters
        .connection(cluster)
        .kubeConfig.makeApiClient(CustomObjectsApi);
      const list = (await api.listNamespacedCustomObject({
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        namespace,
        plural: 'pods',
        labelSelector: INSTANCE_LABEL,
      })) as {
        items?: Array<{
          metadata?: { labels?: Record<string, string> };
          containers?: Array<{ usage?: { cpu?: string; memory?: string } }>;
        }>;
      };
      for (const item of list.items ?? []) {
        const name = item.metadata?.labels?.[INSTANCE_LABEL];
        if (!name) continue;
        const key = keyOf({ cluster, namespace, name });
        const sum = result.get(key) ?? { cpuMillis: 0, memoryBytes: 0 };
        for (const c of item.containers ?? []) {
          add(sum, c.usage?.cpu, c.usage?.memory);
        }
        result.set(key, sum);
      }
    } catch {
      // no metrics API in this cluster (or not yet): use stays unknown, not zero
    }
    return result;
  }
}
