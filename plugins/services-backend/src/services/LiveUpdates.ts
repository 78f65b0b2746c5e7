import type { SignalsService } from '@backstage/plugin-signals-node';
import type { ContainerCloudClusters } from '@internal/plugin-container-cloud-node';
import { serviceSignalChannel } from '@internal/plugin-container-cloud-common';

/**
 * Pushes "this service changed" to the browsers from the watch events, at most once per
 * `windowMs` per service, so a rollout of 50 pods is one refresh, not 200.
 */
export function publishLiveUpdates(
  clusters: ContainerCloudClusters,
  signals: SignalsService,
  windowMs = 500,
): () => void {
  const pending = new Map<
    string,
    { timer: NodeJS.Timeout; clusters: Set<string> }
  >();
  const off = clusters.onChange((cluster, kubernetesId) => {
    const entry = pending.get(kubernetesId);
    if (entry) {
      entry.clusters.add(cluster);
      return;
    }
    const changed = new Set([cluster]);
    const timer = setTimeout(() => {
      pending.delete(kubernetesId);
      signals
        .publish({
          recipients: { type: 'broadcast' },
          channel: serviceSignalChannel(kubernetesId),
          message: { kubernetesId, clusters: [...changed] },
        })
        .catch(() => {}); // a missed signal only delays the page until the next one
    }, windowMs);
    pending.set(kubernetesId, { timer, clusters: changed });
  });
  return () => {
    off();
    for (const { timer } of pending.values()) clearTimeout(timer);
    pending.clear();
  };
}
