import type { SignalsService } from '@backstage/plugin-signals-node';
import type { ContainerCloudClusters } from '@internal/plugin-container-cloud-node';
import { serviceSignalChannel } from '@internal/plugin-container-cloud-common';

/** When the browsers are told that a service changed. */
export interface LiveUpdateTiming {
  /**
   * How long the first change of a burst waits for more before the signal goes: a rollout of 50
   * pods is one refresh, not 200. Default 500 ms.
   */
  windowMs?: number;
  /**
   * How long after a change the service view may still answer from before it (the view's
   * rebuild floor, `ServiceViewPages`' `minRebuildMs`). A page reading on a signal sent inside
   * that time may get the older view; so whenever a signal went out less than `settleMs` after
   * the last change it announced, one more goes out once `settleMs` has passed, and the page's
   * last read shows the last change. Default 0 (the view is rebuilt on every change).
   */
  settleMs?: number;
}

interface Pending {
  timer: NodeJS.Timeout;
  clusters: Set<string>;
  lastChangeAt: number;
}

/**
 * Pushes "this service changed" to the browsers from the watch events: at most once per window
 * per service, and once more after the view's rebuild floor when the last change came inside it.
 */
export function publishLiveUpdates(
  clusters: ContainerCloudClusters,
  signals: SignalsService,
  timing: LiveUpdateTiming = {},
): () => void {
  const windowMs = timing.windowMs ?? 500;
  const settleMs = timing.settleMs ?? 0;
  const pending = new Map<string, Pending>();

  const publish = (kubernetesId: string, changed: Set<string>) =>
    signals
      .publish({
        recipients: { type: 'broadcast' },
        channel: serviceSignalChannel(kubernetesId),
        message: { kubernetesId, clusters: [...changed] },
      })
      .catch(() => {}); // a missed signal only delays the page until the next one

  const fire = (kubernetesId: string) => {
    const entry = pending.get(kubernetesId);
    if (!entry) return;
    publish(kubernetesId, entry.clusters);
    const settlesAt = entry.lastChangeAt + settleMs;
    const wait = settlesAt - Date.now();
    if (wait <= 0) {
      pending.delete(kubernetesId);
      return;
    }
    // the page may have read a view from before the last change: tell it again once the
    // floor has passed (a change meanwhile moves the time on, up to one signal per floor)
    entry.timer = setTimeout(() => fire(kubernetesId), wait + 1);
  };

  const off = clusters.onChange((cluster, kubernetesId) => {
    const now = Date.now();
    const entry = pending.get(kubernetesId);
    if (entry) {
      entry.clusters.add(cluster);
      entry.lastChangeAt = now;
      return;
    }
    pending.set(kubernetesId, {
      clusters: new Set([cluster]),
      lastChangeAt: now,
      timer: setTimeout(() => fire(kubernetesId), windowMs),
    });
  });
  return () => {
    off();
    for (const { timer } of pending.values()) clearTimeout(timer);
    pending.clear();
  };
}
