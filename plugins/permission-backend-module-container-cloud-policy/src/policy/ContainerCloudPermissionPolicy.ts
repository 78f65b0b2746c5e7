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
import { ContainerCloudPolicyConfig } from './ContainerCloudPolicyConfig';
import { policyRules, ContainerCloudPolicyRule } from './rules';

const ALLOW: PolicyDecision = { result: AuthorizeResult.ALLOW };
const DENY: PolicyDecision = { result: AuthorizeResult.DENY };

/**
 * The suite's policy, from the product brief: everyone reads; the owners of a catalog entity
 * operate it; ops admins operate everything the policy knows. It is an allowlist: each permission
 * it knows has a rule (`POLICY_RULES`, by name), and a permission it does not know is denied to
 * everyone, ops admins included.
 *
 * @public
 */
export class ContainerCloudPermissionPolicy implements PermissionPolicy {
  private readonly opsAdminGroups: ReadonlySet<string>;
  private readonly rules: ReadonlyMap<string, ContainerCloudPolicyRule>;

  constructor(
    config: ContainerCloudPolicyConfig,
    rules: ReadonlyMap<string, ContainerCloudPolicyRule> = policyRules(config),
  ) {
    this.opsAdminGroups = new Set(config.opsAdminGroups);
    this.rules = rules;
  }

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    const rule = this.rules.get(permission.name);
    if (!rule) return DENY;
    if (rule === 'read') return ALLOW;
    if (!user) return DENY;

    const ownership = user.info.ownershipEntityRefs.map(ref =>
      ref.toLocaleLowerCase('en-US'),
    );
    if (ownership.some(ref => this.opsAdminGroups.has(ref))) return ALLOW;

    switch (rule) {
      case 'signed-in':
        return ALLOW;
      case 'owner':
        // only a permission on a catalog entity has an owner to check
        if (
          ownership.length === 0 ||
          !isResourcePermission(permission, RESOURCE_TYPE_CATALOG_ENTITY)
        ) {
          return DENY;
        }
        return createCatalogConditionalDecision(
          permission,
          catalogConditions.isEntityOwner({ claims: ownership }),
        );
      default:
        return DENY;
    }
  }
}
