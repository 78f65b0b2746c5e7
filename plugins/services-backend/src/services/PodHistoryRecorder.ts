import type { LoggerService } from '@backstage/backend-plugin-api';
import type { V1Pod } from '@kubernetes/client-node';
import type { ContainerCloudClusters } from '@internal/plugin-container-cloud-node';
import type { PodHistoryStore, PodRecord } from '../database/PodHistoryStore';

/** Pure: a pod as the history keeps it; `ended` when the watch saw it deleted. */
export function podRecord(
  cluster: string,
  kubernetesId: string,
  pod: V1Pod,
  ended?: Date,
): PodRecord | undefined {
  const uid = pod.metadata?.uid;
  if (!uid) return undefined;
  const statuses = pod.status?.containerStatuses ?? [];
  const terminated = statuses
    .map(s => s.state?.terminated ?? s.lastState?.terminated)
    .find(Boolean);
  const rs = pod.metadata?.ownerReferences?.find(
    o => o.kind === 'ReplicaSet',
  )?.name;
  const hash = pod.metadata?.labels?.['pod-template-hash'];
  return {
    cluster,
    uid,
    kubernetesId,
    namespace: pod.metadata?.namespace ?? '',
    podName: pod.metadata?.name ?? '',
    // the Deployment is its ReplicaSet's name without the template hash
    deployment:
      rs && hash && rs.endsWith(`-${hash}`)
        ? rs.slice(0, -hash.length - 1)
        : rs,
    ip: pod.status?.podIP,
    node: pod.spec?.nodeName,
    images: (pod.spec?.containers ?? []).map(c => ({
      container: c.name,
      image: c.image ?? '',
    })),
    startedAt: pod.status?.startTime
      ? new Date(pod.status.startTime)
      : undefined,
    restarts: statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0),
    ...(ended
      ? {
          endedAt: ended,
          exitReason: terminated?.reason ?? 'deleted',
          exitCode: terminated?.exitCode,
        }
      : {}),
  };
}

/**
 * Records every pod event into the history, in order per pod. Returns a function that stops it.
 */
export function recordPodHistory(
  clusters: ContainerCloudClusters,
  store: PodHistoryStore,
  logger: LoggerService,
): () => void {
  const queues = new Map<string, Promise<void>>();
  const off = clusters.onChange((cluster, kubernetesId, kind, verb, object) => {
    if (kind !== 'Pod') return;
    const record = podRecord(
      cluster,
      kubernetesId,
      object as V1Pod,
      verb === 'delete' ? new Date() : undefined,
    );
    if (!record) return;
    const key = `${cluster}/${record.uid}`;
    const next = (queues.get(key) ?? Promise.resolve())
      .then(() => store.record(record))
      .catch(error =>
        logger.warn(`pod history: could not record ${key}: ${error}`),
      )
      .finally(() => {
        if (queues.get(key) === next) queues.delete(key);
      });
    queues.set(key, next);
  });
  return off;
}

/** Closes history rows of pods that vanished while nobody watched (after a restart of the portal). */
export async function closeVanishedPods(
  clusters: ContainerCloudClusters,
  store: PodHistoryStore,
  logger: LoggerService,
) {
  for (const [cluster, uids] of clusters.livePodUids()) {
    const closed = await store.closeMissing(cluster, uids, new Date());
    if (closed)
      logger.info(
        `pod history: ${closed} pod(s) in ${cluster} ended while unwatched`,
      );
  }
}
