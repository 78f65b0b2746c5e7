import { createApiRef } from '@backstage/core-plugin-api';
import type { BackendApis } from '@internal/plugin-container-cloud-react';

/** What the pages need of the storage backend's volumes routes (not built yet). @public */
export interface VolumesApi {}

/** @public */
export const volumesApiRef = createApiRef<VolumesApi>({
  id: 'plugin.container-cloud.storage.volumes',
});

/** The volumes routes of the storage backend (fetchJson from container-cloud-react). @public */
export class VolumesClient implements VolumesApi {
  constructor(protected readonly deps: BackendApis) {}
}
