import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  AuditEventPage,
  AuditFacets,
  AuditSearchQuery,
  EntityAuditQuery,
} from '@internal/plugin-container-cloud-common';
import { BackendApis, fetchJson } from '@internal/plugin-container-cloud-react';

/** What the pages need of the clusters backend's audit routes. @public */
export interface AuditApi {
  /** the whole log, newest first (ops) */
  search(query: AuditSearchQuery): Promise<AuditEventPage>;
  /** the plugins and actions the log holds */
  facets(): Promise<AuditFacets>;
  /** one entity's trail, newest first (its owners and ops) */
  entityTrail(
    entity: CompoundEntityRef,
    query: EntityAuditQuery,
  ): Promise<AuditEventPage>;
}

/** @public */
export const auditApiRef = createApiRef<AuditApi>({
  id: 'plugin.container-cloud.clusters.audit',
});

/** The audit routes of the clusters backend. @public */
export class AuditClient implements AuditApi {
  constructor(protected readonly deps: BackendApis) {}

  search(query: AuditSearchQuery) {
    return fetchJson<AuditEventPage>(this.deps, 'clusters', '/audit/events', {
      query: { ...query },
    });
  }

  facets() {
    return fetchJson<AuditFacets>(this.deps, 'clusters', '/audit/facets');
  }

  entityTrail(entity: CompoundEntityRef, query: EntityAuditQuery) {
    const path = [entity.kind, entity.namespace, entity.name]
      .map(part => encodeURIComponent(part.toLocaleLowerCase('en-US')))
      .join('/');
    return fetchJson<AuditEventPage>(
      this.deps,
      'clusters',
      `/audit/entities/${path}`,
      { query: { ...query } },
    );
  }
}
