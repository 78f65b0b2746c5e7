import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/** Every Container Cloud permission name starts with this. */
export const CONTAINER_CLOUD_PERMISSION_PREFIX = 'container-cloud.';

/**
 * Reading a service's workloads, containers, history and diagnosis.
 * @public
 */
export const serviceReadPermission = createPermission({
  name: 'container-cloud.service.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** @public */
export const serviceScalePermission = createPermission({
  name: 'container-cloud.service.scale',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** @public */
export const serviceUpgradePermission = createPermission({
  name: 'container-cloud.service.upgrade',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** @public */
export const serviceRestartPermission = createPermission({
  name: 'container-cloud.service.restart',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** @public */
export const serviceRollbackPermission = createPermission({
  name: 'container-cloud.service.rollback',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Env vars, probes, resources, rolling-update settings and graceful termination.
 * @public
 */
export const serviceConfigEditPermission = createPermission({
  name: 'container-cloud.service.config.edit',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** @public */
export const containerExecPermission = createPermission({
  name: 'container-cloud.container.exec',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** @public */
export const containerDebugPermission = createPermission({
  name: 'container-cloud.container.debug',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** @public */
export const containerDeletePermission = createPermission({
  name: 'container-cloud.container.delete',
  attributes: { action: 'delete' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** @public */
export const containerRemoveFromLoadBalancingPermission = createPermission({
  name: 'container-cloud.container.remove-from-lb',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Platform-wide operations that belong to no single service (clusters, failover).
 * Only ops admins hold it.
 * @public
 */
export const clusterAdminPermission = createPermission({
  name: 'container-cloud.cluster.admin',
  attributes: { action: 'update' },
});

/**
 * Operations on one service: the entity's owners and ops admins may use them.
 * @public
 */
export const serviceOperatePermissions = [
  serviceScalePermission,
  serviceUpgradePermission,
  serviceRestartPermission,
  serviceRollbackPermission,
  serviceConfigEditPermission,
  containerExecPermission,
  containerDebugPermission,
  containerDeletePermission,
  containerRemoveFromLoadBalancingPermission,
];

/** @public */
export const containerCloudPermissions = [
  serviceReadPermission,
  ...serviceOperatePermissions,
  clusterAdminPermission,
];
