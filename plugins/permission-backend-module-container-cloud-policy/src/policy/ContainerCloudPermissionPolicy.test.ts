import { ConfigReader } from '@backstage/config';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { PolicyQueryUser } from '@backstage/plugin-permission-node';
import {
  clusterAdminPermission,
  clustersPermissions,
  entityAuditReadPermission,
  storageAdminPermission,
  storageOwnerPermissions,
  containerCloudPermissions,
  containerLogsReadPermission,
  nginxPermissions,
  nginxDomainEditPermission,
  nginxPublishPermission,
  nginxUpstreamEditPermission,
  serviceReadPermission,
  serviceScalePermission,
} from '@internal/plugin-container-cloud-common';
import { ContainerCloudPermissionPolicy } from './ContainerCloudPermissionPolicy';
import { readContainerCloudPolicyConfig } from './ContainerCloudPolicyConfig';
import { POLICY_RULES } from './rules';

function userOf(...ownershipEntityRefs: string[]): PolicyQueryUser {
  return {
    info: { userEntityRef: ownershipEntityRefs[0], ownershipEntityRefs },
    identity: {
      type: 'user',
      userEntityRef: ownershipEntityRefs[0],
      ownershipEntityRefs,
    },
    token: 'token',
    credentials: {} as PolicyQueryUser['credentials'],
  } as PolicyQueryUser;
}

describe('ContainerCloudPermissionPolicy', () => {
  const policy = new ContainerCloudPermissionPolicy(
    readContainerCloudPolicyConfig(
      new ConfigReader({
        containerCloud: {
          permissions: { opsAdminGroups: ['group:default/Ops-Admins'] },
        },
      }),
    ),
  );
  const alice = userOf('user:default/alice', 'group:default/team-payments');
  const carol = userOf('user:default/carol', 'group:default/ops-admins');

  it('lets everyone read', async () => {
    await expect(
      policy.handle({ permission: serviceReadPermission }, alice),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it('lets everyone signed in read container logs, as the product brief says everyone reads', async () => {
    const bob = userOf('user:default/bob', 'group:default/team-orders');
    for (const user of [alice, bob, carol]) {
      await expect(
        policy.handle({ permission: containerLogsReadPermission }, user),
      ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    }
  });

  it('gives a service operation to the entity owners only, as a catalog condition', async () => {
    const decision = await policy.handle(
      { permission: serviceScalePermission },
      alice,
    );
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: {
          claims: ['user:default/alice', 'group:default/team-payments'],
        },
      },
    });
  });

  it('lets ops admins do everything, matching group refs case-insensitively', async () => {
    for (const permission of [serviceScalePermission, clusterAdminPermission]) {
      await expect(policy.handle({ permission }, carol)).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it('denies platform operations and the kubernetes proxy to everyone but ops', async () => {
    const proxy = createPermission({
      name: 'kubernetes.proxy',
      attributes: {},
    });
    for (const permission of [clusterAdminPermission, proxy]) {
      await expect(policy.handle({ permission }, alice)).resolves.toEqual({
        result: AuthorizeResult.DENY,
      });
    }
  });

  it('denies entity operations to a request without a user', async () => {
    await expect(
      policy.handle({ permission: serviceScalePermission }),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('leaves Backstage actions that are no entity operation open, so teams can create apps', async () => {
    const createTask = createPermission({
      name: 'scaffolder.task.create',
      attributes: { action: 'create' },
    });
    await expect(
      policy.handle({ permission: createTask }, alice),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
  });

  it("gives the upstream members of a domain to its service's owners, as a catalog condition", async () => {
    await expect(
      policy.handle({ permission: nginxUpstreamEditPermission }, alice),
    ).resolves.toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: {
          claims: ['user:default/alice', 'group:default/team-payments'],
        },
      },
    });
    await expect(
      policy.handle({ permission: nginxUpstreamEditPermission }),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('keeps whole nginx domains and publishing to ops admins', async () => {
    for (const permission of [
      nginxDomainEditPermission,
      nginxPublishPermission,
    ]) {
      await expect(policy.handle({ permission }, alice)).resolves.toEqual({
        result: AuthorizeResult.DENY,
      });
    }
    for (const permission of [
      nginxDomainEditPermission,
      nginxPublishPermission,
      nginxUpstreamEditPermission,
    ]) {
      await expect(policy.handle({ permission }, carol)).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  const bob = userOf('user:default/bob', 'group:default/team-orders');
  const ownedByAlice = {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'catalog',
    resourceType: 'catalog-entity',
    conditions: {
      rule: 'IS_ENTITY_OWNER',
      resourceType: 'catalog-entity',
      params: { claims: ['user:default/alice', 'group:default/team-payments'] },
    },
  };
  const allow = { result: AuthorizeResult.ALLOW };
  const deny = { result: AuthorizeResult.DENY };

  it('denies a permission it does not know to everyone, ops admins and reads included', async () => {
    for (const permission of [
      createPermission({
        name: 'some-plugin.thing.delete',
        attributes: { action: 'delete' },
      }),
      createPermission({
        name: 'some-plugin.thing.read',
        attributes: { action: 'read' },
      }),
      createPermission({
        name: 'container-cloud.not-a-module.thing.delete',
        attributes: { action: 'delete' },
        resourceType: 'catalog-entity',
      }),
    ]) {
      for (const user of [alice, bob, carol, undefined]) {
        await expect(policy.handle({ permission }, user)).resolves.toEqual(
          deny,
        );
      }
    }
  });

  // the permissions of the plugins in packages/backend, with their attributes, and what the
  // owner of the entity (alice) and an ops admin (carol) get
  it.each([
    ['catalog.entity.read', 'read', 'catalog-entity', allow, allow],
    ['catalog.location.read', 'read', undefined, allow, allow],
    ['catalog.location.analyze', 'read', undefined, allow, allow],
    ['catalog.ingestion.read', 'read', undefined, allow, allow],
    ['catalog.entity.create', 'create', undefined, allow, allow],
    ['catalog.entity.validate', 'create', undefined, allow, allow],
    ['catalog.location.create', 'create', undefined, allow, allow],
    ['catalog.entity.delete', 'delete', 'catalog-entity', ownedByAlice, allow],
    ['catalog.entity.refresh', 'update', 'catalog-entity', ownedByAlice, allow],
    [
      'scaffolder.template.parameter.read',
      'read',
      'scaffolder-template',
      allow,
      allow,
    ],
    [
      'scaffolder.template.step.read',
      'read',
      'scaffolder-template',
      allow,
      allow,
    ],
    ['scaffolder.task.read', 'read', 'scaffolder-task', allow, allow],
    ['scaffolder.task.create', 'create', undefined, allow, allow],
    ['scaffolder.task.cancel', undefined, 'scaffolder-task', allow, allow],
    ['scaffolder.action.execute', undefined, 'scaffolder-action', allow, allow],
    ['scaffolder.template.dry-run', undefined, undefined, allow, allow],
    ['kubernetes.clusters.read', 'read', undefined, allow, allow],
    ['kubernetes.resources.read', 'read', undefined, allow, allow],
    ['kubernetes.proxy', undefined, undefined, deny, allow],
  ] as const)(
    'decides %s (%s) as before',
    async (name, action, resourceType, asOwner, asOps) => {
      const permission = createPermission({
        name,
        attributes: action ? { action } : {},
        ...(resourceType ? { resourceType } : {}),
      } as Parameters<typeof createPermission>[0]);
      await expect(policy.handle({ permission }, alice)).resolves.toEqual(
        asOwner,
      );
      await expect(policy.handle({ permission }, carol)).resolves.toEqual(
        asOps,
      );
    },
  );

  it("gives a service's storage to its owners and ops admins, the storage admin page to ops only", async () => {
    for (const permission of storageOwnerPermissions) {
      await expect(policy.handle({ permission }, alice)).resolves.toEqual(
        ownedByAlice,
      );
      await expect(policy.handle({ permission }, carol)).resolves.toEqual(
        allow,
      );
      await expect(policy.handle({ permission })).resolves.toEqual(deny);
    }
    await expect(
      policy.handle({ permission: storageAdminPermission }, alice),
    ).resolves.toEqual(deny);
    await expect(
      policy.handle({ permission: storageAdminPermission }, carol),
    ).resolves.toEqual(allow);
  });

  it('keeps clusters, failover, metering and audit search to ops admins; an entity audit trail to its owners', async () => {
    for (const permission of clustersPermissions) {
      const owned = permission === entityAuditReadPermission;
      await expect(policy.handle({ permission }, alice)).resolves.toEqual(
        owned ? ownedByAlice : deny,
      );
      await expect(policy.handle({ permission }, bob)).resolves.not.toEqual(
        allow,
      );
      await expect(policy.handle({ permission }, carol)).resolves.toEqual(
        allow,
      );
    }
  });

  it('keeps deleting catalog locations, managing ingestion and editing templates for ops admins', async () => {
    for (const [name, action] of [
      ['catalog.location.delete', 'delete'],
      ['catalog.ingestion.manage', 'update'],
      ['scaffolder.template.management', undefined],
    ] as const) {
      const permission = createPermission({
        name,
        attributes: action ? { action } : {},
      });
      await expect(policy.handle({ permission }, alice)).resolves.toEqual(deny);
      await expect(policy.handle({ permission }, carol)).resolves.toEqual(
        allow,
      );
    }
  });

  it('has a rule for every Container Cloud permission', () => {
    for (const permission of [
      ...containerCloudPermissions,
      ...nginxPermissions,
    ]) {
      expect([permission.name, POLICY_RULES.has(permission.name)]).toEqual([
        permission.name,
        true,
      ]);
    }
  });

  it('makes reading logs an owner operation when logsReadableBy is owners', async () => {
    const ownersOnly = new ContainerCloudPermissionPolicy(
      readContainerCloudPolicyConfig(
        new ConfigReader({
          containerCloud: {
            permissions: {
              opsAdminGroups: ['group:default/ops-admins'],
              logsReadableBy: 'owners',
            },
          },
        }),
      ),
    );
    await expect(
      ownersOnly.handle({ permission: containerLogsReadPermission }, alice),
    ).resolves.toEqual(ownedByAlice);
    await expect(
      ownersOnly.handle({ permission: containerLogsReadPermission }, carol),
    ).resolves.toEqual(allow);
    await expect(
      ownersOnly.handle({ permission: containerLogsReadPermission }),
    ).resolves.toEqual(deny);
    // the rest of reading stays everyone's
    await expect(
      ownersOnly.handle({ permission: serviceReadPermission }, bob),
    ).resolves.toEqual(allow);
  });

  it('refuses a logsReadableBy that is neither everyone nor owners, naming the key', () => {
    expect(() =>
      readContainerCloudPolicyConfig(
        new ConfigReader({
          containerCloud: { permissions: { logsReadableBy: 'team' } },
        }),
      ),
    ).toThrow(
      'containerCloud.permissions.logsReadableBy is everyone or owners, not "team"',
    );
  });

  it('rejects an ops-admin setting that names no group', () => {
    expect(() =>
      readContainerCloudPolicyConfig(
        new ConfigReader({
          containerCloud: {
            permissions: { opsAdminGroups: ['user:default/carol'] },
          },
        }),
      ),
    ).toThrow(/must name a group/);
  });
});
