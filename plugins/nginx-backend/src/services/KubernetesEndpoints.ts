import {
  DiscoveryV1Api,
  Informer,
  makeInformer,
  ObjectCache,
  V1EndpointSlice,
} from '@kubernetes/client-node';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { InputError, ServiceUnavailableError } from '@backstage/errors';
import type { ClusterConnection } from '@internal/plugin-container-cloud-node';
import type { Endpoint, EndpointLookup, KubernetesSource } from '../render';
import type { EndpointSource } from './NginxService';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MAX_BACKOFF_MS = 30_000;

type SliceInformer = Informer<V1EndpointSlice> & ObjectCache<V1EndpointSlice>;

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
 * EndpointSlices of every configured Kubernetes cluster that a domain uses, list+watched from the
 * first time a domain names the cluster. A watch that fails is restarted with backoff.
 */
export class KubernetesEndpoints implements EndpointSource {
  private readonly informers = new Map<
    string,
    { informer: SliceInformer; synced: Promise<void> }
  >();
  private readonly listeners = new Set<EndpointListener>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly connections: Map<string, ClusterConnection>,
    private readonly logger: LoggerService,
    private readonly syncTimeoutMs = 30_000,
  ) {}

  onChange(listener: EndpointListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  check(sources: KubernetesSource[]): void {
    sources.forEach(source => {
      if (!this.connections.has(source.cluster)) {
        throw new InputError(
          `no Kubernetes cluster named '${source.cluster}'; configured: ${
            [...this.connections.keys()].join(', ') || 'none'
          }`,
        );
      }
    });
  }

  async lookup(sources: KubernetesSource[]): Promise<EndpointLookup> {
    const clusters = [...new Set(sources.map(s => s.cluster))];
    await Promise.all(clusters.map(cluster => this.watch(cluster)));
    return source => {
      const watched = this.informers.get(source.cluster);
      if (!watched) return [];
      const slices = watched.informer
        .list(source.namespace)
        .filter(
          s => s.metadata?.labels?.[SERVICE_NAME_LABEL] === source.service,
        );
      return readyEndpoints(slices, source.port);
    };
  }

  /** Starts watching a cluster's EndpointSlices (once); resolves when the first list is in. */
  watch(cluster: string): Promise<void> {
    const existing = this.informers.get(cluster);
    if (existing) return existing.synced;
    const connection = this.connections.get(cluster);
    if (!connection) {
      return Promise.reject(
        new InputError(`no Kubernetes cluster named '${cluster}'`),
      );
    }
    const discovery = connection.kubeConfig.makeApiClient(DiscoveryV1Api);
    const informer = makeInformer(
      connection.kubeConfig,
      '/apis/discovery.k8s.io/v1/endpointslices',
      () =>
        discovery.listEndpointSliceForAllNamespaces({
          labelSelector: SERVICE_NAME_LABEL,
        }),
      SERVICE_NAME_LABEL,
    ) as SliceInformer;
    const notify = (slice: V1EndpointSlice) => {
      const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
      const namespace = slice.metadata?.namespace;
      if (!service || !namespace) return;
      for (const listener of this.listeners) {
        listener(cluster, namespace, service);
      }
    };
    informer.on('add', notify);
    informer.on('update', notify);
    informer.on('delete', notify);
    let backoff = 1000;
    informer.on('connect', () => {
      backoff = 1000;
    });
    informer.on('error', error => {
      if (this.stopped || this.informers.get(cluster)?.informer !== informer) {
        return;
      }
      this.logger.warn(
        `EndpointSlice watch of cluster '${cluster}' failed, retrying in ${backoff} ms: ${error}`,
      );
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        // only the cluster's current informer: one dropped after a failed first list stays stopped
        if (
          !this.stopped &&
          this.informers.get(cluster)?.informer === informer
        ) {
          informer.start().catch(() => undefined);
        }
      }, backoff);
      this.timers.add(timer);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    });
    // a cluster that cannot be read is the cluster's trouble, not bad input: 503, in words
    // start() resolves even when its first list failed (it reports that as an error event)
    let listError: unknown;
    const recordListError = (error: unknown) => {
      listError ??= error;
    };
    informer.on('error', recordListError);
    const firstList = informer.start().then(() => {
      informer.off('error', recordListError);
      if (listError) throw listError;
    });
    const synced = withTimeout(
      firstList,
      this.syncTimeoutMs,
      `listing the EndpointSlices took over ${this.syncTimeoutMs} ms`,
    ).catch(error => {
      throw new ServiceUnavailableError(
        `Kubernetes cluster '${cluster}' cannot be read now (${
          (error as Error).message
        }); its upstream members cannot be resolved`,
      );
    });
    const entry = { informer, synced };
    this.informers.set(cluster, entry);
    // a cluster that could not be listed is tried again on next use
    synced.catch(() => {
      if (this.informers.get(cluster) === entry) {
        this.informers.delete(cluster);
        informer.stop().catch(() => undefined);
      }
    });
    return synced;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.forEach(clearTimeout);
    this.timers.clear();
    await Promise.all(
      [...this.informers.values()].map(({ informer }) =>
        informer.stop().catch(() => undefined),
      ),
    );
    this.informers.clear();
  }
}

function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  message: string,
): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
