import type { LoggerService } from '@backstage/backend-plugin-api';
import type { EndpointListener } from './KubernetesEndpoints';
import type { PublishResult } from '@internal/plugin-container-cloud-common';
import { kubernetesSources, NginxService } from './NginxService';

/** Who the versions made for endpoint changes are recorded as. */
export const ENDPOINT_SYNC_ACTOR = 'plugin:nginx/endpoint-sync';

const MAX_LISTED_CHANGES = 10;

/**
 * Turns endpoint changes into versions: the first change of a Service that a published domain
 * uses opens a window (about 2 s); every change in the window joins it; when it closes, each
 * affected nginx cluster is rendered, checked with `nginx -t` and published once. One loop: a
 * window that closes while the previous batch is still publishing waits for it.
 */
export class EndpointBatcher {
  /** nginx cluster → the `k8s-cluster/namespace/service` keys its published domains use */
  private readonly references = new Map<string, Set<string>>();
  /** nginx cluster → the Services that changed in the open window */
  private readonly pending = new Map<string, Set<string>>();
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly nginx: NginxService,
    private readonly endpoints: { watch(cluster: string): Promise<void> },
    private readonly logger: LoggerService,
    private readonly windowMs = 2000,
    private readonly onBatch?: (
      cluster: string,
      result: PublishResult | undefined,
      error?: Error,
    ) => void,
  ) {}

  /**
   * Learns what the published domains use and watches their Kubernetes clusters; call at start
   * and after each publish.
   */
  async refresh(cluster?: string): Promise<void> {
    const names = cluster ? [cluster] : this.nginx.clusterNames;
    for (const name of names) {
      const latest = await this.nginx.latestVersion(name);
      const sources = kubernetesSources(latest?.domains ?? []);
      this.references.set(
        name,
        new Set(sources.map(s => `${s.cluster}/${s.namespace}/${s.service}`)),
      );
      for (const k8s of new Set(sources.map(s => s.cluster))) {
        await this.endpoints
          .watch(k8s)
          .catch(error =>
            this.logger.warn(
              `nginx cluster ${name}: cannot watch Kubernetes cluster ${k8s} yet: ${error}`,
            ),
          );
      }
    }
  }

  /**
   * Starts following: learns the references, then publishes whatever changed while nobody
   * watched (nothing when the endpoints are as last published).
   */
  async start(): Promise<void> {
    await this.refresh();
    for (const cluster of this.nginx.clusterNames) {
      if ((this.references.get(cluster)?.size ?? 0) === 0) continue;
      this.pending.set(cluster, new Set(['(changes while not watched)']));
    }
    this.running = this.running.then(() => this.flush());
    await this.running;
  }

  /** The listener to give KubernetesEndpoints.onChange. */
  readonly changed: EndpointListener = (cluster, namespace, service) => {
    if (this.stopped) return;
    const key = `${cluster}/${namespace}/${service}`;
    let any = false;
    for (const [nginxCluster, keys] of this.references) {
      if (!keys.has(key)) continue;
      any = true;
      const changes = this.pending.get(nginxCluster) ?? new Set<string>();
      changes.add(key);
      this.pending.set(nginxCluster, changes);
    }
    if (any && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.running = this.running.then(() => this.flush());
      }, this.windowMs);
    }
  };

  /** Publishes what the closed window collected. */
  async flush(): Promise<void> {
    const batch = [...this.pending];
    this.pending.clear();
    for (const [cluster, keys] of batch) {
      const listed = [...keys].sort();
      const message = `endpoints changed: ${listed
        .slice(0, MAX_LISTED_CHANGES)
        .join(', ')}${
        listed.length > MAX_LISTED_CHANGES
          ? ` and ${listed.length - MAX_LISTED_CHANGES} more`
          : ''
      }`;
      try {
        const result = await this.nginx.republish(
          cluster,
          message,
          ENDPOINT_SYNC_ACTOR,
        );
        if (result && !result.ok) {
          this.logger.warn(
            `nginx cluster ${cluster}: version ${result.version} (${message}) failed on some nodes`,
          );
        }
        this.onBatch?.(cluster, result);
      } catch (error) {
        this.logger.error(
          `nginx cluster ${cluster}: publishing endpoint changes failed: ${error}`,
        );
        this.onBatch?.(cluster, undefined, error as Error);
      }
    }
  }

  /** Waits for the open window and its publish (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.timer || this.pending.size > 0) {
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    await this.running;
  }
}
