import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import type {
  Domain,
  NginxClusterSummary,
  PublishResult,
  RenderedDomain,
  UpstreamMembersChange,
  UpstreamMembersResult,
  Version,
  VersionSummary,
} from '@internal/plugin-container-cloud-common';
import type { FileDiff } from '@internal/plugin-container-cloud-react';

// the API's types, for the plugin's components and its users
export type {
  Domain,
  GrayRelease,
  KubernetesSource,
  NginxClusterSummary,
  NginxNodeSummary,
  NodeResult,
  PublishResult,
  RenderedDomain,
  Upstream,
  UpstreamMember,
  UpstreamMembersChange,
  UpstreamMembersResult,
  Version,
  VersionSummary,
} from '@internal/plugin-container-cloud-common';
export type { FileDiff } from '@internal/plugin-container-cloud-react';

/** @public */
export interface NginxApi {
  listClusters(): Promise<NginxClusterSummary[]>;
  listDomains(cluster?: string): Promise<Domain[]>;
  saveDomain(domain: Domain): Promise<RenderedDomain>;
  /** The domains a catalog entity owns (`component:<namespace>/<name>`). */
  domainsOfEntity(entityRef: string): Promise<Domain[]>;
  updateMembers(
    cluster: string,
    domain: string,
    change: UpstreamMembersChange,
  ): Promise<UpstreamMembersResult>;
  listVersions(cluster: string): Promise<VersionSummary[]>;
  getVersion(cluster: string, id: number): Promise<Version>;
  diff(
    cluster: string,
    from: number,
    to: number,
  ): Promise<{ files: FileDiff[] }>;
  publish(cluster: string, message: string): Promise<PublishResult>;
  rollback(cluster: string, version: number): Promise<PublishResult>;
}

/** @public */
export const nginxApiRef = createApiRef<NginxApi>({
  id: 'plugin.nginx.api',
});

/**
 * An error the backend answered, with its own words (e.g. which field is wrong, or nginx -t's
 * message) and status.
 * @public
 */
export class NginxRequestError extends Error {
  name = 'NginxRequestError';
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

/** Talks to the nginx backend through discovery and the signed-in fetch. @public */
export class NginxClient implements NginxApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listClusters() {
    return (await this.get<{ items: NginxClusterSummary[] }>('clusters')).items;
  }

  async listDomains(cluster?: string) {
    const query = cluster ? `?cluster=${encodeURIComponent(cluster)}` : '';
    return (await this.get<{ items: Domain[] }>(`domains${query}`)).items;
  }

  saveDomain(domain: Domain) {
    return this.post<RenderedDomain>('domains', domain);
  }

  async domainsOfEntity(entityRef: string) {
    return (
      await this.get<{ items: Domain[] }>(
        `entity-domains?entityRef=${encodeURIComponent(entityRef)}`,
      )
    ).items;
  }

  updateMembers(
    cluster: string,
    domain: string,
    change: UpstreamMembersChange,
  ) {
    return this.post<UpstreamMembersResult>(
      `domains/${encodeURIComponent(cluster)}/${encodeURIComponent(
        domain,
      )}/members`,
      change,
    );
  }

  async listVersions(cluster: string) {
    return (
      await this.get<{ items: VersionSummary[] }>(
        `versions?cluster=${encodeURIComponent(cluster)}`,
      )
    ).items;
  }

  getVersion(cluster: string, id: number) {
    return this.get<Version>(
      `versions/${id}?cluster=${encodeURIComponent(cluster)}`,
    );
  }

  diff(cluster: string, from: number, to: number) {
    return this.get<{ files: FileDiff[] }>(
      `diff?cluster=${encodeURIComponent(cluster)}&from=${from}&to=${to}`,
    );
  }

  publish(cluster: string, message: string) {
    return this.post<PublishResult>('publish', { cluster, message });
  }

  rollback(cluster: string, version: number) {
    return this.post<PublishResult>('rollback', { cluster, version });
  }

  private async get<T>(path: string): Promise<T> {
    return this.request<T>(path, { method: 'GET' });
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  }

  private async request<T>(path: string, init: RequestInit): Promise<T> {
    const base = await this.discoveryApi.getBaseUrl('nginx');
    const response = await this.fetchApi.fetch(`${base}/${path}`, init);
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      try {
        const body = await response.json();
        message = body?.error?.message ?? message;
      } catch {
        // not JSON: keep the status line
      }
      throw new NginxRequestError(message, response.status);
    }
    return (await response.json()) as T;
  }
}
