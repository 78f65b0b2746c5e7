import { createApiRef } from '@backstage/core-plugin-api';
import type { BackendApis } from '@internal/plugin-container-cloud-react';

/** What the pages need of the clusters backend's metering routes (not built yet). @public */
export interface MeteringApi {}

/** @public */
export const meteringApiRef = createApiRef<MeteringApi>({
  id: 'plugin.container-cloud.clusters.metering',
});

/** The metering routes of the clusters backend (fetchJson from container-cloud-react). @public */
export class MeteringClient implements MeteringApi {
  constructor(protected readonly deps: BackendApis) {}
}
