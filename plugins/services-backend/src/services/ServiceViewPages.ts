import type {
  ClusterHealth,
  ClusterServicePage,
  ClusterServiceView,
  PodCounts,
  PodView,
  ServiceView,
} from '@internal/plugin-container-cloud-common';
import {
  ContainerCloudClusters,
  SerializedJson,
  SerializedJsonCache,
  ServiceBinding,
} from '@internal/plugin-container-cloud-node';
import { hideEnvValues } from '../lib/hideEnvValues';

/** Which page of a service's view, as the route's query parsed it. */
export interface ServiceViewPageQuery {
  /** only this cluster's view */
  cluster?: string;
  podsOffset: number;
  podsLimit: number;
}

/** Whose view: the service, and what the caller may see of it. */
export interface ServiceViewReader {
  entityRef: string;
  binding: ServiceBinding;
  /** env values are shown (owners and ops, as users); else every value is hidden */
  showEnvValues: boolean;
}

/**
 * How often the view's health details that move on every probe (the probe's latency and time)
 * are brought up to date when nothing else changed. Reachability, node counts and errors change
 * the view at once.
 */
export const DEFAULT_HEALTH_REFRESH_MS = 60_000;

/**
 * How late a view may be while its service changes all the time: with a floor, it is rebuilt and
 * serialised at most once in this long, however many readers ask
 * (`containerCloud.services.view.minRebuildMs`). Default 0 (rebuilt on every change). With a
 * floor, a page reading on a change's signal may get the view from before the change, so the
 * live updates (`publishLiveUpdates`' `settleMs`) signal once more after the floor has passed.
 */
export const DEFAULT_MIN_REBUILD_MS = 0;

/** The counts of every one of a cluster's containers, whatever page is shown. */
export function countPods(pods: readonly PodView[]): PodCounts {
  const counts = {
    total: pods.length,
    ready: 0,
    pending: 0,
    failing: 0,
    terminating: 0,
    restarts: 0,
  };
  for (const pod of pods) {
    counts.restarts += pod.restarts;
    if (pod.terminating) counts.terminating++;
    else if (pod.ready) counts.ready++;
    else if (pod.phase === 'Pending') counts.pending++;
    else counts.failing++;
  }
  return counts;
}

/** One cluster's view with a page of its containers and the counts of all of them. */
export function clusterPage(
  view: ClusterServiceView,
  offset: number,
  limit: number,
): ClusterServicePage {
  return {
    ...view,
    pods: view.pods.slice(offset, offset + limit),
    podCounts: countPods(view.pods),
    podsPage: { offset, limit },
  };
}

/** What of a cluster's health changes a view at once (the rest waits for the refresh). */
function healthSignature(health: Record<string, ClusterHealth>): string {
  return JSON.stringify(
    Object.entries(health).map(([name, h]) => [
      name,
      h.reachable,
      h.error ?? '',
      h.nodesReady ?? -1,
      h.nodesTotal ?? -1,
    ]),
  );
}

/**
 * The service view (`GET /services/:namespace/:name`), serialised once per change and shared by
 * every reader who may see the same thing.
 *
 * A kept answer is used while nothing it shows changed: the watch's changes to the service's
 * workloads (any Deployment, ReplicaSet or Pod event under its kubernetes-id, which is every
 * resourceVersion move; events about them are not in the view), the clusters' reachability and
 * node counts, the binding, and, every `healthRefreshMs`, the probes' latency and time; a view
 * that changes all the time is rebuilt at most once per `minRebuildMs`. Readers
 * are kept apart by what they may see: the entity, its visible placements, and whether env values
 * are shown; two readers share bytes only when their views are the same. The ETag is the bytes'
 * hash (see `SerializedJson`), so the same tag means the same body on any replica.
 */
export class ServiceViewPages {
  private readonly cache: SerializedJsonCache;
  private readonly healthRefreshMs: number;
  private readonly minRebuildMs: number;
  /** changes seen per kubernetes-id since this process started watching */
  private readonly generations = new Map<string, number>();
  private unsubscribe?: () => void;

  constructor(
    private readonly clusters: ContainerCloudClusters,
    options: {
      healthRefreshMs?: number;
      minRebuildMs?: number;
      maxEntries?: number;
      maxBytes?: number;
    } = {},
  ) {
    this.healthRefreshMs = options.healthRefreshMs ?? DEFAULT_HEALTH_REFRESH_MS;
    this.minRebuildMs = options.minRebuildMs ?? DEFAULT_MIN_REBUILD_MS;
    this.cache = new SerializedJsonCache({
      maxEntries: options.maxEntries,
      maxBytes: options.maxBytes,
    });
  }

  /** The page of the service's view this reader may see, serialised (kept or made now). */
  page(reader: ServiceViewReader, query: ServiceViewPageQuery): SerializedJson {
    this.follow();
    const { binding } = reader;
    const kubernetesId = binding.kubernetesId;
    const placements = binding.visiblePlacements();
    const reported = binding.reported();
    const key = JSON.stringify([
      kubernetesId,
      reader.entityRef,
      placements ?? null,
      reader.showEnvValues,
      query.cluster ?? null,
      query.podsOffset,
      query.podsLimit,
    ]);
    const stamp = JSON.stringify([
      this.generations.get(kubernetesId) ?? 0,
      healthSignature(this.clusters.health()),
      Math.floor(Date.now() / this.healthRefreshMs),
      reported ?? null,
    ]);
    return this.cache.get(
      key,
      stamp,
      (): ServiceView => {
        const views = this.clusters
          .serviceView(kubernetesId, placements)
          .filter(view => !query.cluster || view.cluster === query.cluster);
        const shown = reader.showEnvValues ? views : hideEnvValues(views);
        return {
          entityRef: reader.entityRef,
          kubernetesId,
          ...(reported ? { binding: reported } : {}),
          clusters: shown.map(view =>
            clusterPage(view, query.podsOffset, query.podsLimit),
          ),
        };
      },
      { reuseWithinMs: this.minRebuildMs },
    );
  }

  /** the answers kept, and their bytes */
  get kept(): { entries: number; bytes: number } {
    return { entries: this.cache.size, bytes: this.cache.bytes };
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  /** Counts the watch's changes per kubernetes-id, from the first page asked for on. */
  private follow() {
    if (this.unsubscribe) return;
    this.unsubscribe = this.clusters.onChange(
      (_cluster, kubernetesId, kind) => {
        // the view holds no events
        if (kind === 'Event') return;
        this.generations.set(
          kubernetesId,
          (this.generations.get(kubernetesId) ?? 0) + 1,
        );
      },
    );
  }
}
