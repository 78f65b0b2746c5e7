import { ApiException } from '@kubernetes/client-node';
import type {
  AuthService,
  BackstageCredentials,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  type Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ConflictError, NotAllowedError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  type DeployTarget,
  type DeployTargets as DeployTargetList,
  KUBERNETES_ID_LABEL,
  type NewServiceCheck,
  type NewServiceCheckResult,
} from '@internal/plugin-container-cloud-common';
import {
  ClusterWriteError,
  type ContainerCloudClusters,
  DeploymentConflictError,
  deploymentView,
  describeKubeError,
  ownedComponentTargets,
  type ServiceBindings,
  sortTargets,
  spellOutPlacements,
} from '@internal/plugin-container-cloud-node';

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

/** `team-payments` or `group:default/team-payments` → `group:default/team-payments`. */
export function groupRefOf(owner: string): string {
  return lower(
    stringifyEntityRef(parseEntityRef(owner, { defaultKind: 'group' })),
  );
}

/** The Component a template would register: named `name`, owned by `owner`. */
export function wouldBeComponent(name: string, owner: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default' },
    spec: { type: 'service', owner },
    relations: [{ type: RELATION_OWNED_BY, targetRef: owner }],
  };
}

export interface DeployTargetsDeps {
  catalog: CatalogService;
  auth: AuthService;
  userInfo: UserInfoService;
  bindings: ServiceBindings;
  clusters: ContainerCloudClusters;
}

/**
 * Where a team may run a new service, and whether a new service could be created there: the
 * team placements ops granted (containerCloud.binding.teamPlacements), else, unless grants are
 * required, the placements of the trusted Components the team owns already.
 */
export class DeployTargets {
  constructor(private readonly deps: DeployTargetsDeps) {}

  /** The caller's groups (from their ownership claims), lower-case. */
  async groupsOf(credentials: BackstageCredentials): Promise<string[]> {
    const info = await this.deps.userInfo.getUserInfo(credentials);
    return info.ownershipEntityRefs
      .map(lower)
      .filter(ref => ref.startsWith('group:'));
  }

  /** The deploy targets of the caller's groups, or of one of them (`owner`). */
  async forCaller(
    credentials: BackstageCredentials,
    owner?: string,
    /** whether the policy lets the caller create for a group they are not in (ops admins) */
    mayCreateFor: (group: string) => boolean | Promise<boolean> = () => false,
  ): Promise<DeployTargetList> {
    const groups = await this.groupsOf(credentials);
    if (owner !== undefined) {
      const ref = groupRefOf(owner);
      if (!groups.includes(ref) && !(await mayCreateFor(ref))) {
        return {
          items: [],
          reason: `you are not a member of ${ref}: a new service runs where its owner group may, and you may create services only for your own groups`,
        };
      }
      return this.forGroups([ref]);
    }
    if (groups.length === 0) {
      return {
        items: [],
        reason:
          'you belong to no group: a new service is owned by a team, and runs where ops granted that team placements',
      };
    }
    return this.forGroups(groups);
  }

  /** The deploy targets of these groups; `reason` in words when there are none. */
  async forGroups(groups: string[]): Promise<DeployTargetList> {
    const { bindings, clusters } = this.deps;
    const items: DeployTarget[] = [];
    const ungranted: string[] = [];
    for (const group of groups) {
      const granted = bindings.teamPlacementsOf(group);
      if (granted) {
        for (const p of spellOutPlacements(granted, clusters.names)) {
          items.push({ owner: group, ...p });
        }
      } else {
        ungranted.push(group);
      }
    }
    // without a grant, a team's new service may run where its services run now, unless the
    // portal requires grants (an annotation outside one then covers nothing)
    if (ungranted.length > 0 && !bindings.requireTeamPlacements) {
      const owned = await ownedComponentTargets(
        { ...this.deps, clusters: clusters.names },
        ungranted,
      );
      for (const t of owned) {
        if (ungranted.includes(t.owner) && t.namespace !== '*') items.push(t);
      }
    }
    const unique = new Map(
      items.map(t => [`${t.owner} ${t.cluster} ${t.namespace}`, t]),
    );
    const sorted = sortTargets([...unique.values()]);
    if (sorted.length > 0) return { items: sorted };
    return {
      items: [],
      reason: `${groups.join(', ')} ${
        groups.length === 1 ? 'has' : 'have'
      } no clusters: ask ops to grant ${
        groups.length === 1 ? 'it' : 'them'
      } placements (containerCloud.binding.teamPlacements)${
        bindings.requireTeamPlacements
          ? ''
          : ', or to place a service the team owns'
      }`,
    };
  }

  /**
   * Whether `check.owner` may have a new service `check.name` in `check.placements`: each one of
   * the owner's deploy targets, and the name free there and in the catalog. Writes nothing; 403
   * and 409 in words. The caller's membership and permission are checked before (the route).
   */
  async check(check: NewServiceCheck): Promise<NewServiceCheckResult> {
    const owner = groupRefOf(check.owner);
    const { items } = await this.forGroups([owner]);
    const outside = check.placements.filter(
      p =>
        !items.some(
          t => t.cluster === p.cluster && t.namespace === p.namespace,
        ),
    );
    if (outside.length > 0) {
      throw new NotAllowedError(
        `${owner} may not run services in ${outside
          .map(p => `${p.cluster}/${p.namespace}`)
          .join(', ')}: its deploy targets are ${
          items.map(t => `${t.cluster}/${t.namespace}`).join(', ') || 'none'
        } (ops grant them in containerCloud.binding.teamPlacements)`,
      );
    }
    const entityRef = `component:default/${check.name}`;
    const entity = await this.deps.catalog.getEntityByRef(entityRef, {
      credentials: await this.deps.auth.getOwnServiceCredentials(),
    });
    if (entity) {
      const owners = (entity.relations ?? [])
        .filter(r => r.type === RELATION_OWNED_BY)
        .map(r => lower(r.targetRef));
      if (!owners.includes(owner)) {
        throw new ConflictError(
          `the name '${
            check.name
          }' is taken: ${entityRef} is in the catalog, owned by ${
            owners.join(', ') || 'nobody'
          }; choose another name`,
        );
      }
    }
    // the new service claims its name as its kubernetes id: another trusted claim of it would
    // leave both controlling nothing
    const others = (await this.deps.bindings.claimantsOf(check.name)).filter(
      ref => lower(ref) !== entityRef,
    );
    if (others.length > 0) {
      throw new ConflictError(
        `the name '${check.name}' is taken: ${others.join(', ')} ${
          others.length === 1 ? 'claims' : 'claim'
        } kubernetes id '${
          check.name
        }' (${KUBERNETES_ID_LABEL}); choose another name`,
      );
    }
    const placements = [];
    for (const p of check.placements) {
      placements.push({
        ...p,
        outcome: await this.deploymentOutcome(
          p.cluster,
          p.namespace,
          check.name,
        ),
      });
    }
    return {
      name: check.name,
      owner,
      entityRef,
      entity: entity ? 'exists' : 'absent',
      placements,
    };
  }

  /** `exists` for the service's own Deployment, 409 for another's, else `would-create`. */
  private async deploymentOutcome(
    cluster: string,
    namespace: string,
    name: string,
  ): Promise<'would-create' | 'exists'> {
    let found;
    try {
      found = await this.deps.clusters
        .connection(cluster)
        .apps.readNamespacedDeployment({ namespace, name });
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) {
        return 'would-create';
      }
      throw new ClusterWriteError(cluster, describeKubeError(error), error);
    }
    const id = found.metadata?.labels?.[KUBERNETES_ID_LABEL];
    if (id === name) return 'exists';
    throw new DeploymentConflictError(
      `the name '${name}' is taken in namespace '${namespace}' of cluster ${cluster}: its Deployment ${
        id
          ? `belongs to another service (${KUBERNETES_ID_LABEL}=${id})`
          : `is no service's (it has no ${KUBERNETES_ID_LABEL} label)`
      }; choose another name`,
      deploymentView(found),
    );
  }
}
