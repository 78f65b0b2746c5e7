import {
  alertsOpsPermissions,
  alertsOwnerPermissions,
  appStoreAdminPermission,
  appStoreOwnerPermissions,
  auditSearchPermission,
  clusterAdminPermission,
  clustersFailoverPermission,
  clustersReadPermission,
  codeflowOwnerPermissions,
  containerLogsReadPermission,
  entityAuditReadPermission,
  meteringReadAllPermission,
  nginxDomainEditPermission,
  nginxPublishPermission,
  nginxUpstreamEditPermission,
  serviceOperatePermissions,
  serviceReadPermission,
  storageAdminPermission,
  storageOwnerPermissions,
} from '@internal/plugin-container-cloud-common';

/**
 * Who a permission is for:
 * - `read`: everyone the permission framework asks about (a read of something the portal shows);
 * - `signed-in`: any signed-in user;
 * - `owner`: the owners of the catalog entity it is checked on (a catalog condition), and ops
 *   admins; only for permissions on catalog entities;
 * - `ops`: members of a `containerCloud.permissions.opsAdminGroups` group only.
 *
 * A permission that is in no rule is denied to everyone, ops admins included: a plugin added to
 * the backend gets nothing until a rule here says who may use its permissions.
 *
 * @public
 */
export type ContainerCloudPolicyRule = 'read' | 'signed-in' | 'owner' | 'ops';

/** Backstage's catalog: reads for all, imports for users, changes to an entity for its owners. */
const CATALOG: Record<string, ContainerCloudPolicyRule> = {
  'catalog.entity.read': 'read',
  'catalog.location.read': 'read',
  'catalog.location.analyze': 'read',
  'catalog.ingestion.read': 'read',
  // registering a component, as the catalog import page does
  'catalog.entity.create': 'signed-in',
  'catalog.entity.validate': 'signed-in',
  'catalog.location.create': 'signed-in',
  // unregister and refresh an entity: its owners
  'catalog.entity.delete': 'owner',
  'catalog.entity.refresh': 'owner',
  // a location may hold many teams' entities, and has no owner to check: ops only
  'catalog.location.delete': 'ops',
  'catalog.ingestion.manage': 'ops',
};

/** Backstage's scaffolder: everyone signed in creates apps from templates; ops edit templates. */
const SCAFFOLDER: Record<string, ContainerCloudPolicyRule> = {
  'scaffolder.template.parameter.read': 'read',
  'scaffolder.template.step.read': 'read',
  'scaffolder.task.read': 'read',
  'scaffolder.task.create': 'signed-in',
  'scaffolder.task.cancel': 'signed-in',
  'scaffolder.action.execute': 'signed-in',
  'scaffolder.template.dry-run': 'signed-in',
  'scaffolder.template.management': 'ops',
};

/** Backstage's Kubernetes plugin: its read-only views for all; its proxy reaches the apiservers. */
const KUBERNETES: Record<string, ContainerCloudPolicyRule> = {
  'kubernetes.clusters.read': 'read',
  'kubernetes.resources.read': 'read',
  'kubernetes.proxy': 'ops',
};

/**
 * Backstage's notifications (@backstage/plugin-notifications-backend 0.6.9): it defines no
 * permissions. Each person reads and marks only their own notifications (the backend checks the
 * user's identity itself), and only backend plugins send (service tokens). A permission a later
 * version adds goes here; until then it would be denied to everyone.
 */
const NOTIFICATIONS: Record<string, ContainerCloudPolicyRule> = {};

/** The suite's own permissions (plugins/container-cloud-common/src/permissions.ts). */
const CONTAINER_CLOUD: Record<string, ContainerCloudPolicyRule> =
  Object.fromEntries([
    [serviceReadPermission.name, 'read'],
    // the product brief: everyone reads, logs included
    [containerLogsReadPermission.name, 'read'],
    ...serviceOperatePermissions.map(p => [p.name, 'owner']),
    [nginxUpstreamEditPermission.name, 'owner'],
    [clusterAdminPermission.name, 'ops'],
    [nginxDomainEditPermission.name, 'ops'],
    [nginxPublishPermission.name, 'ops'],
    ...storageOwnerPermissions.map(p => [p.name, 'owner']),
    [storageAdminPermission.name, 'ops'],
    [clustersReadPermission.name, 'ops'],
    [clustersFailoverPermission.name, 'ops'],
    [meteringReadAllPermission.name, 'ops'],
    [auditSearchPermission.name, 'ops'],
    [entityAuditReadPermission.name, 'owner'],
    ...alertsOwnerPermissions.map(p => [p.name, 'owner']),
    ...alertsOpsPermissions.map(p => [p.name, 'ops']),
    ...appStoreOwnerPermissions.map(p => [p.name, 'owner']),
    [appStoreAdminPermission.name, 'ops'],
    ...codeflowOwnerPermissions.map(p => [p.name, 'owner']),
  ]);

/** Every permission the policy knows, by name; anything else is denied. */
export const POLICY_RULES: ReadonlyMap<string, ContainerCloudPolicyRule> =
  new Map(
    Object.entries({
      ...CATALOG,
      ...SCAFFOLDER,
      ...KUBERNETES,
      ...NOTIFICATIONS,
      ...CONTAINER_CLOUD,
    }),
  );

/** The rules with the settings applied: `logsReadableBy: owners` makes reading logs an owner's. */
export function policyRules(settings: {
  logsReadableBy: 'everyone' | 'owners';
}): ReadonlyMap<string, ContainerCloudPolicyRule> {
  if (settings.logsReadableBy === 'everyone') return POLICY_RULES;
  return new Map([
    ...POLICY_RULES,
    [containerLogsReadPermission.name, 'owner' as ContainerCloudPolicyRule],
  ]);
}
