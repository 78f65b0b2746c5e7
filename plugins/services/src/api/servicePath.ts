import type { CompoundEntityRef } from '@backstage/catalog-model';

/** The path of a route under a service in the services backend: `/services/:namespace/:name<suffix>`. */
export function servicePath(entity: CompoundEntityRef, suffix: string): string {
  return `/services/${encodeURIComponent(
    entity.namespace,
  )}/${encodeURIComponent(entity.name)}${suffix}`;
}
