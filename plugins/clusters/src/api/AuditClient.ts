import { createApiRef } from '@backstage/core-plugin-api';
import type { BackendApis } from '@internal/plugin-container-cloud-react';

/** What the pages need of the clusters backend's audit routes (not built yet). @public */
export interface AuditApi {}

/** @public */
export const auditApiRef = createApiRef<AuditApi>({
  id: 'plugin.container-cloud.clusters.audit',
});

/** The audit routes of the clusters backend (fetchJson from container-cloud-react). @public */
export class AuditClient implements AuditApi {
  constructor(protected readonly deps: BackendApis) {}
}
