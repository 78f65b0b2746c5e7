import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  type Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import type { Placement } from '@internal/plugin-container-cloud-common';
import {
  describePlacements,
  ownedComponentTargets,
  type PlacementTarget,
  type ServiceBinding,
} from '@internal/plugin-container-cloud-node';
import type { AppStoreDeps } from '../deps';

/** An instance's owner as the routes check it. @public */
export interface OwnerResource {
  /** kind:namespace/name, lower-case */
  ownerRef: string;
  kind: 'component' | 'group';
  entity: Entity;
  /**
   * For a Group owner: whether the caller belongs to it (their ownership claims name it). The
   * catalog's owner condition cannot match a Group itself, so members are allowed by this.
   */
  callerIsMember: boolean;
}

/** Where an owner may have instances. */
export interface OwnerPlacements {
  /** undefined: every namespace of every cluster (a binding without placements) */
  placements: Placement[] | undefined;
  /** why nothing is covered, when nothing is */
  reason?: string;
}

function normalizeRef(ref: string): string {
  return stringifyEntityRef(parseEntityRef(ref)).toLocaleLowerCase('en-US');
}

/**
 * Who owns an instance and where it may run: the catalog entity (read with the caller's rights),
 * and the placements of its binding (a Component's) or of the Components a Group owns (trusted
 * origins only, as ServiceBindings decides). Never a label.
 * @public
 */
export class Authority {
  constructor(private readonly deps: AppStoreDeps) {}

  /** The caller's ownership claims (user and groups), lower-case; [] for a service. */
  async claims(credentials: BackstageCredentials): Promise<string[]> {
    if (!this.deps.auth.isPrincipal(credentials, 'user')) return [];
    const info = await this.deps.userInfo.getUserInfo(credentials);
    return info.ownershipEntityRefs.map(r => r.toLocaleLowerCase('en-US'));
  }

  /** The owner entity, read with the caller's rights: a 404 in words when there is none. */
  async owner(
    ref: string,
    credentials: BackstageCredentials,
  ): Promise<OwnerResource> {
    const ownerRef = normalizeRef(ref);
    const kind = parseEntityRef(ownerRef).kind.toLocaleLowerCase('en-US');
    if (kind !== 'component' && kind !== 'group') {
      throw new NotFoundError(
        `${ownerRef} cannot own an instance: only a Component or a Group can`,
      );
    }
    const entity = await this.deps.catalog.getEntityByRef(ownerRef, {
      credentials,
    });
    if (!entity) {
      throw new NotFoundError(`no ${kind} ${ownerRef} in the catalog`);
    }
    const callerIsMember =
      kind === 'group' && (await this.claims(credentials)).includes(ownerRef);
    return { ownerRef, kind, entity, callerIsMember };
  }

  private async ownedComponents(groupRef: string): Promise<Entity[]> {
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const { items } = await this.deps.catalog.getEntities(
      {
        filter: { kind: 'component', 'relations.ownedBy': groupRef },
      },
      { credentials },
    );
    return items;
  }

  /** The bindings that give an owner its placements. */
  async bindingsOf(owner: {
    ownerRef: string;
    kind: 'component' | 'group';
    entity?: Entity;
  }): Promise<ServiceBinding[]> {
    if (owner.kind === 'component') {
      let entity = owner.entity;
      if (!entity) {
        const credentials = await this.deps.auth.getOwnServiceCredentials();
        entity = await this.deps.catalog.getEntityByRef(owner.ownerRef, {
          credentials,
        });
      }
      return entity ? [await this.deps.bindings.resolve(entity)] : [];
    }
    const components = await this.ownedComponents(owner.ownerRef);
    return components.length ? this.deps.bindings.resolveMany(components) : [];
  }

  /** Whether the owner's binding(s) cover (cluster, namespace). */
  async covers(
    owner: { ownerRef: string; kind: 'component' | 'group'; entity?: Entity },
    cluster: string,
    namespace: string,
  ): Promise<{
    covered: boolean;
    explicit: boolean;
    bindings: ServiceBinding[];
  }> {
    const bindings = await this.bindingsOf(owner);
    const covering = bindings.filter(b => b.covers(cluster, namespace));
    return {
      covered: covering.length > 0,
      // a placement that names the namespace (not a binding bound everywhere)
      explicit: covering.some(b => b.visiblePlacements() !== undefined),
      bindings,
    };
  }

  /**
   * A 403 in words unless the owner's binding(s) cover (cluster, namespace): the check of the
   * object actually touched. Returns whether a placement names the namespace explicitly.
   */
  async assertCovers(
    owner: { ownerRef: string; kind: 'component' | 'group'; entity?: Entity },
    cluster: string,
    namespace: string,
  ): Promise<{ explicit: boolean }> {
    const { covered, explicit, bindings } = await this.covers(
      owner,
      cluster,
      namespace,
    );
    if (covered) return { explicit };
    if (owner.kind === 'component' && bindings[0]) {
      // its own words: untrusted, conflicting, or the placements it has
      bindings[0].idIn(cluster, namespace);
    }
    const places = bindings.flatMap(b => b.visiblePlacements() ?? []);
    throw new NotAllowedError(
      `${
        owner.ownerRef
      } may not have instances in namespace '${namespace}' of cluster '${cluster}': ${
        owner.kind === 'group'
          ? `the Components it owns are placed in ${describePlacements(places)}`
          : 'its binding does not cover it'
      }`,
    );
  }

  /** The placements of an owner (a Group's: the union of its Components'). */
  async placementsOf(owner: {
    ownerRef: string;
    kind: 'component' | 'group';
    entity?: Entity;
  }): Promise<OwnerPlacements> {
    const bindings = (await this.bindingsOf(owner)).filter(
      b => b.status.state === 'bound',
    );
    if (bindings.length === 0) {
      return { placements: [], reason: 'no trusted binding' };
    }
    if (bindings.some(b => b.visiblePlacements() === undefined)) {
      return { placements: undefined };
    }
    return { placements: bindings.flatMap(b => b.visiblePlacements() ?? []) };
  }

  /**
   * Where the caller may install: each Component their groups own and each of those groups, with
   * the placements their bindings cover (a `*` cluster spelled out per configured cluster).
   */
  async targets(credentials: BackstageCredentials): Promise<PlacementTarget[]> {
    return ownedComponentTargets(
      {
        catalog: this.deps.catalog,
        auth: this.deps.auth,
        bindings: this.deps.bindings,
        clusters: this.deps.clusters.names,
      },
      await this.claims(credentials),
    );
  }
}
