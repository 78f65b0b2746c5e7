import { createApiRef } from '@backstage/core-plugin-api';
import type {
  ClusterDetail,
  ClusterSummary,
  FailoverPreview,
  FailoverRequest,
  FailoverRun,
} from '@internal/plugin-container-cloud-common';
import { BackendApis, fetchJson } from '@internal/plugin-container-cloud-react';

/** What the clusters page needs of the clusters backend's clusters and failover routes. @public */
export interface ClustersApi {
  listClusters(): Promise<ClusterSummary[]>;
  getCluster(name: string): Promise<ClusterDetail>;
  previewFailover(request: FailoverRequest): Promise<FailoverPreview>;
  startFailover(request: FailoverRequest): Promise<FailoverRun>;
  listRuns(): Promise<FailoverRun[]>;
  stopRun(id: string): Promise<FailoverRun>;
  resumeRun(id: string): Promise<FailoverRun>;
}

/** @public */
export const clustersApiRef = createApiRef<ClustersApi>({
  id: 'plugin.container-cloud.clusters.clusters',
});

const PLUGIN = 'clusters';

/** The clusters routes of the clusters backend (fetchJson from container-cloud-react). @public */
export class ClustersClient implements ClustersApi {
  constructor(protected readonly deps: BackendApis) {}

  async listClusters(): Promise<ClusterSummary[]> {
    const { items } = await fetchJson<{ items: ClusterSummary[] }>(
      this.deps,
      PLUGIN,
      '/clusters',
    );
    return items;
  }

  getCluster(name: string): Promise<ClusterDetail> {
    return fetchJson(
      this.deps,
      PLUGIN,
      `/clusters/${encodeURIComponent(name)}`,
    );
  }

  previewFailover(request: FailoverRequest): Promise<FailoverPreview> {
    return fetchJson(this.deps, PLUGIN, '/failover/preview', {
      query: {
        source: request.source,
        target: request.target,
        services: request.services?.join(','),
      },
    });
  }

  startFailover(request: FailoverRequest): Promise<FailoverRun> {
    return fetchJson(this.deps, PLUGIN, '/failover/runs', {
      method: 'POST',
      body: request,
    });
  }

  async listRuns(): Promise<FailoverRun[]> {
    const { items } = await fetchJson<{ items: FailoverRun[] }>(
      this.deps,
      PLUGIN,
      '/failover/runs',
    );
    return items;
  }

  stopRun(id: string): Promise<FailoverRun> {
    return fetchJson(
      this.deps,
      PLUGIN,
      `/failover/runs/${encodeURIComponent(id)}/stop`,
      {
        method: 'POST',
      },
    );
  }

  resumeRun(id: string): Promise<FailoverRun> {
    return fetchJson(
      this.deps,
      PLUGIN,
      `/failover/runs/${encodeURIComponent(id)}/resume`,
      {
        method: 'POST',
      },
    );
  }
}
