import { CoreV1Api, V1Node, V1Pod } from '@kubernetes/client-node';
import { parseQuantity } from '@internal/plugin-container-cloud-common';
import type { ContainerCloudClustersService } from '@internal/plugin-container-cloud-node';

/** A node pods can be scheduled on: not cordoned, and Ready. */
function schedulable(node: V1Node): boolean {
  if (node.spec?.unschedulable) return false;
  return (
    node.status?.conditions?.some(
      c => c.type === 'Ready' && c.status === 'True',
    ) ?? false
  );
}

/** What a pod requests of CPU, in cores, as the scheduler counts it (init containers: their peak). */
function requestedCpu(pod: V1Pod): number {
  const cpu = (c: { resources?: { requests?: Record<string, string> } }) =>
    parseQuantity(c.resources?.requests?.cpu) ?? 0;
  const containers = (pod.spec?.containers ?? []).reduce(
    (sum, c) => sum + cpu(c),
    0,
  );
  const init = Math.max(0, ...(pod.spec?.initContainers ?? []).map(cpu));
  return Math.max(containers, init);
}

/**
 * A cluster's free CPU in cores: what its schedulable nodes can allocate, less what the pods
 * bound to them (not finished) request; each node counts at least 0.
 */
export function freeCpu(nodes: V1Node[], pods: V1Pod[]): number {
  const free = new Map<string, number>();
  for (const node of nodes) {
    if (!schedulable(node) || !node.metadata?.name) continue;
    free.set(
      node.metadata.name,
      parseQuantity(node.status?.allocatable?.cpu) ?? 0,
    );
  }
  for (const pod of pods) {
    const node = pod.spec?.nodeName;
    const phase = pod.status?.phase;
    if (!node || !free.has(node) || phase === 'Succeeded' || phase === 'Failed')
      continue;
    free.set(node, free.get(node)! - requestedCpu(pod));
  }
  let total = 0;
  for (const value of free.values()) total += Math.max(0, value);
  return Math.round(total * 1000) / 1000;
}

/** Reads a cluster's free CPU (cores). */
export type FreeCapacityReader = (cluster: string) => Promise<number>;

/**
 * Free CPU per cluster, read through the cluster layer's connection (its credentials and
 * timeouts): one list of nodes and one of pods per cluster, asked only when a split needs it.
 */
export function clusterFreeCapacity(
  clusters: Pick<ContainerCloudClustersService, 'connection'>,
): FreeCapacityReader {
  return async cluster => {
    const core = clusters
      .connection(cluster)
      .kubeConfig.makeApiClient(CoreV1Api);
    const [nodes, pods] = await Promise.all([
      core.listNode(),
      core.listPodForAllNamespaces({
        fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed',
      }),
    ]);
    return freeCpu(nodes.items, pods.items);
  };
}
