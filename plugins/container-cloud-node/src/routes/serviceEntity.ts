import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { type Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';

/**
 * The Component a route's `/services/:namespace/:name` names, read from the catalog with the
 * caller's own rights: a 404 in words when there is none (or the caller may not read it). A route
 * group's lookup adds what its routes need (the binding, the owner).
 * @public
 */
export async function serviceEntityOf(
  catalog: CatalogService,
  params: Readonly<Record<string, string>>,
  credentials: BackstageCredentials,
): Promise<{ entityRef: string; entity: Entity }> {
  const entityRef = stringifyEntityRef({
    kind: 'component',
    namespace: params.namespace,
    name: params.name,
  });
  const entity = await catalog.getEntityByRef(entityRef, { credentials });
  if (!entity) {
    throw new NotFoundError(`no service ${entityRef} in the catalog`);
  }
  return { entityRef, entity };
}
