import { createApiRef } from '@backstage/core-plugin-api';
import type {
  Domain,
  DomainView,
  NginxClusterSummary,
  PublishResult,
  RenderedDomain,
  RollbackResult,
  UpstreamMembersChange,
  UpstreamMembersResult,
  Version,
  VersionSummary,
} from '@internal/plugin-container-cloud-common';
import {
  BackendApis,
  BackendRequest,
  fetchJson,
  type FileDiff,
} from '@internal/plugin-container-cloud-react';

// the API's types, for the plugin's components and its users
export type {
  Domain,
  DomainView,
  GrayRelease,
  KubernetesSource,
  NginxClusterSummary,
  NginxNodeSummary,
  NodeResult,
  PublishResult,
  RenderedDomain,
  RollbackResult,
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
  listDomains(cluster?: string): Promise<DomainView[]>;
  /**
   * Saves a domain made from `version` of it (0 for a new one); a 409 (`ContainerCloudApiError`
   * with `current`: the domain as it is now, or null) when it has another version now.
   */
  saveDomain(domain: Domain, version: number): Promise<RenderedDomain>;
  /** The domains a catalog entity owns (`component:<namespace>/<name>`). */
  domainsOfEntity(entityRef: string): Promise<DomainView[]>;
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
  rollback(cluster: string, version: number): Promise<RollbackResult>;
}

/** @public */
export const nginxApiRef = createApiRef<NginxApi>({
  id: 'plugin.nginx.api',
});

/**
 * Talks to the nginx backend through discovery and the signed-in fetch. A refusal is thrown as a
 * `ContainerCloudApiError` with the backend's words (which field is wrong, nginx -t's message).
 * @public
 */
export class NginxClient implements NginxApi {
  constructor(private readonly deps: BackendApis) {}

  async listClusters() {
    return (await this.get<{ items: NginxClusterSummary[] }>('clusters')).items;
  }

  async listDomains(cluster?: string) {
    return (await this.get<{ items: DomainView[] }>('domains', { cluster }))
      .items;
  }

  saveDomain(domain: Domain, version: number) {
    return this.post<RenderedDomain>('domains', { ...domain, version });
  }

  async domainsOfEntity(entityRef: string) {
    return (
      await this.get<{ items: DomainView[] }>('entity-domains', { entityRef })
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
      await this.get<{ items: VersionSummary[] }>('versions', { cluster })
    ).items;
  }

  getVersion(cluster: string, id: number) {
    return this.get<Version>(`versions/${id}`, { cluster });
  }

  diff(cluster: string, from: number, to: number) {
    return this.get<{ files: FileDiff[] }>('diff', { cluster, from, to });
  }

  publish(cluster: string, message: string) {
    return this.post<PublishResult>('publish', { cluster, message });
  }

  rollback(cluster: string, version: number) {
    return this.post<RollbackResult>('rollback', { cluster, version });
  }

  private get<T>(path: string, query?: BackendRequest['query']): Promise<T> {
    return fetchJson<T>(this.deps, 'nginx', `/${path}`, { query });
  }

  private post<T>(path: string, body: unknown): Promise<T> {
    return fetchJson<T>(this.deps, 'nginx', `/${path}`, {
      method: 'POST',
      body,
    });
  }
}
