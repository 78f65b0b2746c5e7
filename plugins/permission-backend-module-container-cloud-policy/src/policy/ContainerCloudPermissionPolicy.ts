import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  isResourcePermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { CONTAINER_CLOUD_PERMISSION_PREFIX } from '@internal/plugin-container-cloud-common';
import { ContainerCloudPolicyConfig } from './ContainerCloudPolicyConfig';

/**
 * Backstage permissions that are not "read" yet carry no action attribute, and that reach
 * real infrastructure: Backstage's kubernetes proxy passes any request to the apiserver.
 */
const OPS_ONLY_PERMISSIONS = new Set(['kubernetes.proxy']);

/**
 * The suite's policy, from the product brief: everyone reads; the owners of a catalog entity
 * operate it; ops admins operate everything.
 *
 * - ops admins (members of a configured group): allowed everything;
 * - a read: allowed;
 * - an update or delete of a catalog entity (our service operations, and the catalog's own
 *   unregister/refresh): allowed when the user's ownership refs include the entity's owner;
 * - a platform-wide Container Cloud operation, or the kubernetes proxy: denied;
 * - anything else Backstage itself asks (creating scaffolder tasks, registering locations):
 *   allowed, as Backstage does without a policy, so teams can still create apps.
 */
export class ContainerCloudPermissionPolicy implements PermissionPolicy {
  private readonly opsAdminGroups: ReadonlySet<string>;

  constructor(config: ContainerCloudPolicyConfig) {
    this.opsAdminGroups = new Set(config.opsAdminGroups);
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    const ownership = (user?.info.ownershipEntityRefs ?? []).map(ref =>
      ref.toLocaleLowerCase('en-US'),
    );

    if (ownership.some(ref => this.opsAdminGroups.has(ref))) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (permission.attributes.action === 'read') {
      return { result: AuthorizeResult.ALLOW };
    }
    if (isResourcePermission(permission, RESOURCE_TYPE_CATALOG_ENTITY)) {
      if (!user || ownership.length === 0) {
        return { result: AuthorizeResult.DENY };
      }
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims: ownership }),
      );
    }
    if (
      permission.name.startsWith(CONTAINER_CLOUD_PERMISSION_PREFIX) ||
      OPS_ONLY_PERMISSIONS.has(permission.name)
    ) {
      return { result: AuthorizeResult.DENY };
    }
    return { result: AuthorizeResult.ALLOW };
  }
}
