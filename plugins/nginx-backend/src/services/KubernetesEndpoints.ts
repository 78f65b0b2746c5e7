import type { V1EndpointSlice } from '@kubernetes/client-node';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import {
  ContainerCloudClustersService,
  endpointSlicesByService,
  SERVICE_NAME_LABEL,
  WatchedObjects,
} from '@internal/plugin-container-cloud-node';
import type { KubernetesSource } from '@internal/plugin-container-cloud-common';
import type { Endpoint, EndpointLookup } from '../render';
import type { EndpointSource } from './NginxService';

/** Called with the Service whose endpoints changed. */
export type EndpointListener = (
  cluster: string,
  namespace: string,
  service: string,
) => void;

/** The ready endpoints of one Service's slices, for a port number or name. */
export function readyEndpoints(
  slices: V1EndpointSlice[],
  port: number | string,
): Endpoint[] {
  const found: Endpoint[] = [];
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    const match = (slice.ports ?? []).find(p =>
      typeof port === 'number' ? p.port === port : p.name === port,
    );
    if (!match?.port) continue;
    for (const endpoint of slice.endpoints ?? []) {
      // ready unset means ready (the API's own convention); terminating endpoints are left out
      if (endpoint.conditions?.ready === false) continue;
      if (endpoint.conditions?.terminating === true) continue;
      for (const address of endpoint.addresses) {
        found.push({ address, port: match.port });
      }
    }
  }
  return found;
}

/**
 * The ready endpoints of the Services a domain uses, from the cluster layer's EndpointSlice watch
 * of each Kubernetes cluster (watched from the first time a domain names the cluster, restarted
 * with backoff when it fails).
 */
export class KubernetesEndpoints implements EndpointSource {
  private readonly listeners = new Set<EndpointListener>();
  /** the clusters whose slices this follows, and how to stop following them */
  private readonly followed = new Map<string, () => void>();
  private stopped = false;

  constructor(
    private readonly clusters: ContainerCloudClustersService,
    private readonly syncTimeoutMs = 30_000,
  ) {}

  onChange(listener: EndpointListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  check(sources: KubernetesSource[]): void {
    sources.forEach(source => {
      if (!this.clusters.names.includes(source.cluster)) {
        throw new InputError(
          `no Kubernetes cluster named '${source.cluster}'; configured: ${
            this.clusters.names.join(', ') || 'none'
          }`,
        );
      }
    });
  }

  async lookup(sources: KubernetesSource[]): Promise<EndpointLookup> {
    const clusters = [...new Set(sources.map(s => s.cluster))];
    const slices = new Map(
      await Promise.all(
        clusters.map(
          async cluster => [cluster, await this.synced(cluster)] as const,
        ),
      ),
    );
    return source =>
      readyEndpoints(
        slices
          .get(source.cluster)
          ?.labelled(source.service, source.namespace) ?? [],
        source.port,
      );
  }

  /** Starts following a cluster's EndpointSlices (once); resolves when they are listed. */
  async watch(cluster: string): Promise<void> {
    await this.synced(cluster);
  }

  stop(): void {
    this.stopped = true;
    this.followed.forEach(unfollow => unfollow());
    this.followed.clear();
  }

  private async synced(
    cluster: string,
  ): Promise<WatchedObjects<V1EndpointSlice>> {
    if (!this.clusters.names.includes(cluster)) {
      throw new InputError(`no Kubernetes cluster named '${cluster}'`);
    }
    const slices = this.clusters.watchKind(cluster, endpointSlicesByService);
    if (!this.followed.has(cluster) && !this.stopped) {
      this.followed.set(
        cluster,
        slices.onChange((_verb, slice) => {
          const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
          const namespace = slice.metadata?.namespace;
          if (!service || !namespace) return;
          this.listeners.forEach(listener =>
            listener(cluster, namespace, service),
          );
        }),
      );
    }
    try {
      await slices.whenSynced(this.syncTimeoutMs);
    } catch (error) {
      // a cluster that cannot be read is the cluster's trouble, not bad input: 503, in words
      throw new ServiceUnavailableError(
        `Kubernetes cluster '${cluster}' cannot be read now (${
          (error as Error).message
        }); its upstream members cannot be resolved`,
      );
    }
    return slices;
  }
}
