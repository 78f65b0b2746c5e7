import { createApiRef } from '@backstage/core-plugin-api';
import type { BackendApis } from '@internal/plugin-container-cloud-react';

/** What the pages need of the clusters backend's clusters routes (not built yet). @public */
export interface ClustersApi {}

/** @public */
export const clustersApiRef = createApiRef<ClustersApi>({
  id: 'plugin.container-cloud.clusters.clusters',
});

/** The clusters routes of the clusters backend (fetchJson from container-cloud-react). @public */
export class ClustersClient implements ClustersApi {
  constructor(protected readonly deps: BackendApis) {}
}
