import type { AuthService } from '@backstage/backend-plugin-api';
import {
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import type { Placement } from '@internal/plugin-container-cloud-common';
import { spellOutPlacements } from './bindingConfig';
import type { ServiceBindings } from './ServiceBindings';

/** One cluster and namespace an owner (a Component or a Group) may use. @public */
export interface PlacementTarget {
  /** `kind:namespace/name`, lower-case */
  owner: string;
  cluster: string;
  /** `*` where a binding without placements covers every namespace */
  namespace: string;
}

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

/**
 * Where the Components owned by `claims` (a caller's ownership claims) have their workloads: for
 * each trusted, bound Component and each claimed group that owns it, the placements its binding
 * covers, a `*` cluster spelled out per configured cluster (`clusters`), other clusters left out.
 * A binding without placements covers every namespace: `*` per cluster. Read with the plugin's
 * own credentials (a Component the caller may not see still places its owners); sorted.
 * @public
 */
export async function ownedComponentTargets(
  deps: {
    catalog: CatalogService;
    auth: AuthService;
    bindings: ServiceBindings;
    clusters: readonly string[];
  },
  claims: readonly string[],
): Promise<PlacementTarget[]> {
  const claimed = claims.map(lower);
  if (claimed.length === 0) return [];
  const { items } = await deps.catalog.getEntities(
    { filter: { kind: 'component', 'relations.ownedBy': claimed } },
    { credentials: await deps.auth.getOwnServiceCredentials() },
  );
  const bindings = items.length ? await deps.bindings.resolveMany(items) : [];
  const out = new Map<string, PlacementTarget>();
  items.forEach((entity, i) => {
    const binding = bindings[i];
    if (binding.status.state !== 'bound') return;
    const places = binding.visiblePlacements();
    const ref = lower(stringifyEntityRef(entity));
    const groups = (entity.relations ?? [])
      .filter(r => r.type === RELATION_OWNED_BY)
      .map(r => lower(r.targetRef))
      .filter(g => claimed.includes(g) && g.startsWith('group:'));
    const spelled: Placement[] = places
      ? spellOutPlacements(places, deps.clusters)
      : deps.clusters.map(cluster => ({ cluster, namespace: '*' }));
    for (const owner of [ref, ...groups]) {
      for (const p of spelled) {
        out.set(`${owner} ${p.cluster} ${p.namespace}`, { owner, ...p });
      }
    }
  });
  return sortTargets([...out.values()]);
}

/** By owner, then cluster, then namespace. @public */
export function sortTargets<T extends PlacementTarget>(targets: T[]): T[] {
  return targets.sort(
    (a, b) =>
      a.owner.localeCompare(b.owner) ||
      a.cluster.localeCompare(b.cluster) ||
      a.namespace.localeCompare(b.namespace),
  );
}
