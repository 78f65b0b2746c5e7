import type { LoggerService } from '@backstage/backend-plugin-api';
import {
  VersionApi,
  V1Deployment,
  V1Node,
  V1Pod,
} from '@kubernetes/client-node';
import {
  Capacity,
  ClusterDetail,
  ClusterNode,
  ClusterService,
  ClusterSummary,
  KUBERNETES_ID_LABEL,
  PodPhases,
  ResourceAmounts,
} from '@internal/plugin-container-cloud-common';
import type { ContainerCloudClustersService } from '@internal/plugin-container-cloud-node';
import { HealthStore, verdictOf } from '../health/HealthStore';
import {
  addAmounts,
  amountsOf,
  holdsResources,
  NO_RESOURCES,
  podRequests,
} from './quantities';
import type { ServiceClaims } from './ServiceClaims';
import type { ClusterUsage, UsageReader } from './UsageReader';
import {
  allPodsKind,
  nodesKind,
  serviceClaimsKind,
  serviceDeploymentsKind,
} from './watchedKinds';

const VERSION_TTL_MS = 5 * 60_000;

function isReady(node: V1Node) {
  return Boolean(
    node.status?.conditions?.some(
      c => c.type === 'Ready' && c.status === 'True',
    ),
  );
}

/** What the watch caches hold of one cluster. */
export interface ClusterObjects {
  synced: boolean;
  nodes: readonly V1Node[];
  pods: readonly V1Pod[];
  deployments: readonly V1Deployment[];
}

/**
 * Every cluster's health and capacity for the clusters page: the cluster layer's probe, nodes and
 * pods from watch caches (never a LIST per page view), used CPU and memory from Prometheus, the
 * services by `backstage.io/kubernetes-id`, and the health controller's verdict.
 */
export class ClusterInventory {
  private readonly versions = new Map<
    string,
    { at: number; version: string }
  >();

  constructor(
    private readonly deps: {
      clusters: ContainerCloudClustersService;
      usage: UsageReader;
      claims: ServiceClaims;
      health: HealthStore;
      logger: LoggerService;
    },
  ) {}

  /** Starts the node, pod and Deployment watches of every cluster (they are shared). */
  watchAll() {
    for (const name of this.deps.clusters.names) {
      this.objects(name);
      // the claims a failover makes in its target (see FailoverPlanner)
      this.deps.clusters.watchKind(name, serviceClaimsKind);
    }
  }

  objects(cluster: string): ClusterObjects {
    const { clusters } = this.deps;
    const nodes = clusters.watchKind(cluster, nodesKind);
    const pods = clusters.watchKind(cluster, allPodsKind);
    const deployments = clusters.watchKind(cluster, serviceDeploymentsKind);
    return {
      synced: nodes.isSynced && pods.isSynced && deployments.isSynced,
      nodes: nodes.list(),
      pods: pods.list(),
      deployments: deployments.list(),
    };
  }

  /** What a cluster's nodes can hold and its pods ask for (schedulable nodes only). */
  allocation(cluster: string): {
    allocatable: ResourceAmounts;
    requested: ResourceAmounts;
  } {
    const { nodes, pods } = this.objects(cluster);
    const usable = nodes.filter(n => isReady(n) && !n.spec?.unschedulable);
    const names = new Set(usable.map(n => n.metadata?.name));
    return {
      allocatable: addAmounts(
        ...usable.map(n => amountsOf(n.status?.allocatable)),
      ),
      requested: addAmounts(
        ...pods
          .filter(p => holdsResources(p) && names.has(p.spec?.nodeName))
          .map(p => podRequests(p.spec)),
      ),
    };
  }

  async summaries(): Promise<ClusterSummary[]> {
    const verdicts = await this.deps.health.all();
    return Promise.all(
      this.deps.clusters.names.map(
        async name => (await this.build(name, verdicts.get(name))).summary,
      ),
    );
  }

  async detail(cluster: string): Promise<ClusterDetail> {
    // throws NotFoundError for a cluster that is not configured
    this.deps.clusters.connection(cluster);
    const built = await this.build(
      cluster,
      await this.deps.health.get(cluster),
    );
    const heaviest = [...built.summary.services].sort(
      (a, b) =>
        b.requested.cpuCores - a.requested.cpuCores ||
        b.requested.memoryBytes - a.requested.memoryBytes ||
        a.kubernetesId.localeCompare(b.kubernetesId),
    );
    return {
      cluster: built.summary,
      nodes: built.nodes,
      heaviestServices: heaviest.slice(0, 20),
    };
  }

  private async build(
    name: string,
    record: Parameters<typeof verdictOf>[0],
  ): Promise<{ summary: ClusterSummary; nodes: ClusterNode[] }> {
    const { clusters } = this.deps;
    const health = clusters.health()[name];
    const objects = this.objects(name);
    const [usage, version] = await Promise.all([
      this.usageOf(name),
      health?.reachable
        ? this.kubernetesVersion(name)
        : Promise.resolve(undefined),
    ]);
    const used = 'error' in usage ? undefined : usage;
    const usedError = 'error' in usage ? usage.error : undefined;

    const held = objects.pods.filter(holdsResources);
    const nodes: ClusterNode[] = objects.nodes
      .map(node => {
        const nodeName = node.metadata?.name ?? '';
        const onNode = held.filter(p => p.spec?.nodeName === nodeName);
        return {
          name: nodeName,
          ready: isReady(node),
          cordoned: Boolean(node.spec?.unschedulable),
          kubeletVersion: node.status?.nodeInfo?.kubeletVersion ?? null,
          pods: onNode.length,
          capacity: capacity(
            amountsOf(node.status?.allocatable),
            addAmounts(...onNode.map(p => podRequests(p.spec))),
            used ? used.byNode.get(nodeName) ?? NO_RESOURCES : undefined,
            usedError,
          ),
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name));

    const pods: PodPhases = {
      Pending: 0,
      Running: 0,
      Succeeded: 0,
      Failed: 0,
      Unknown: 0,
    };
    for (const pod of objects.pods) {
      const phase = (pod.status?.phase ?? 'Unknown') as keyof PodPhases;
      pods[phase in pods ? phase : 'Unknown'] += 1;
    }

    const services = await this.services(objects, used);
    const { allocatable, requested } = this.allocation(name);
    const summary: ClusterSummary = {
      name,
      reachable: Boolean(health?.reachable),
      latencyMs: health?.latencyMs ?? null,
      error: health?.reachable ? null : health?.error ?? 'not probed yet',
      kubernetesVersion: version ?? this.versions.get(name)?.version ?? null,
      synced: objects.synced,
      nodes: {
        ready: nodes.filter(n => n.ready).length,
        total: nodes.length,
        cordoned: nodes.filter(n => n.cordoned).length,
      },
      capacity: capacity(allocatable, requested, used?.total, usedError),
      pods,
      services,
      verdict: verdictOf(record),
    };
    return { summary, nodes };
  }

  private async services(
    objects: ClusterObjects,
    used: ClusterUsage | undefined,
  ): Promise<ClusterService[]> {
    const byId = new Map<string, V1Deployment[]>();
    for (const d of objects.deployments) {
      const id = d.metadata?.labels?.[KUBERNETES_ID_LABEL];
      if (!id) continue;
      byId.set(id, [...(byId.get(id) ?? []), d]);
    }
    let claims = new Map<string, { entityRef: string }>();
    try {
      claims = await this.deps.claims.lookup([...byId.keys()]);
    } catch (error) {
      this.deps.logger.warn(
        `could not read the catalog for the clusters page: ${error}`,
      );
    }
    const podsById = new Map<string, V1Pod[]>();
    for (const p of objects.pods) {
      const id = p.metadata?.labels?.[KUBERNETES_ID_LABEL];
      if (id && holdsResources(p))
        podsById.set(id, [...(podsById.get(id) ?? []), p]);
    }
    return [...byId]
      .map(([kubernetesId, deployments]) => {
        const pods = podsById.get(kubernetesId) ?? [];
        return {
          kubernetesId,
          entityRef: claims.get(kubernetesId)?.entityRef ?? null,
          namespaces: [
            ...new Set(deployments.map(d => d.metadata?.namespace ?? '')),
          ].sort(),
          deployments: deployments.length,
          replicas: deployments.reduce(
            (n, d) => n + (d.spec?.replicas ?? 1),
            0,
          ),
          readyReplicas: deployments.reduce(
            (n, d) => n + (d.status?.readyReplicas ?? 0),
            0,
          ),
          requested: addAmounts(...pods.map(p => podRequests(p.spec))),
          used: used
            ? addAmounts(
                ...pods.map(
                  p =>
                    used.byPod.get(
                      `${p.metadata?.namespace}/${p.metadata?.name}`,
                    ) ?? NO_RESOURCES,
                ),
              )
            : null,
        };
      })
      .sort((a, b) => a.kubernetesId.localeCompare(b.kubernetesId));
  }

  private async usageOf(
    cluster: string,
  ): Promise<ClusterUsage | { error: string }> {
    try {
      return await this.deps.usage.usage(cluster);
    } catch (error) {
      return { error: (error as Error).message };
    }
  }

  /** The apiserver's version, asked at most every few minutes; the last known when it fails. */
  private async kubernetesVersion(
    cluster: string,
  ): Promise<string | undefined> {
    const known = this.versions.get(cluster);
    if (known && Date.now() - known.at < VERSION_TTL_MS) return known.version;
    try {
      const info = await this.deps.clusters
        .connection(cluster)
        .kubeConfig.makeApiClient(VersionApi)
        .getCode();
      this.versions.set(cluster, { at: Date.now(), version: info.gitVersion });
      return info.gitVersion;
    } catch {
      return known?.version;
    }
  }
}

function capacity(
  allocatable: ResourceAmounts,
  requested: ResourceAmounts,
  used: ResourceAmounts | undefined,
  usedError: string | undefined,
): Capacity {
  return {
    allocatable,
    requested,
    used: used ?? null,
    ...(usedError ? { usedError } : {}),
  };
}
