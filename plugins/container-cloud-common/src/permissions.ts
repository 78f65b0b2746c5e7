import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/** Every Container Cloud permission name starts with this. @public */
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
 * Reading a container's stdout/stderr (tail, previous instance, live follow, download). Logs can
 * hold data the rest of the page does not show, so it is a permission of its own that a company
 * may restrict; the suite's policy treats it as a read, as the product brief says everyone reads.
 * @public
 */
export const containerLogsReadPermission = createPermission({
  name: 'container-cloud.container.logs.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Creating a service's workloads (a Deployment and its Service) where its binding reaches, from
 * the page or a template (`container-cloud:service:create`).
 * @public
 */
export const serviceCreatePermission = createPermission({
  name: 'container-cloud.service.create',
  attributes: { action: 'create' },
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
  serviceCreatePermission,
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
  containerLogsReadPermission,
  ...serviceOperatePermissions,
  clusterAdminPermission,
];

/**
 * Saving a whole domain of an Nginx cluster (server names, listen, locations, upstreams, gray
 * release, owner). Only ops admins hold it.
 * @public
 */
export const nginxDomainEditPermission = createPermission({
  name: 'container-cloud.nginx.domain.edit',
  attributes: { action: 'update' },
});

/**
 * Publishing an Nginx cluster's configuration, and rolling it back to an earlier version.
 * Only ops admins hold it.
 * @public
 */
export const nginxPublishPermission = createPermission({
  name: 'container-cloud.nginx.publish',
  attributes: { action: 'update' },
});

/**
 * Replacing the upstream members (static addresses and Kubernetes Services) of a domain, checked
 * against the catalog Component that owns the domain: its owners and ops admins hold it.
 * @public
 */
export const nginxUpstreamEditPermission = createPermission({
  name: 'container-cloud.nginx.upstream.edit',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** @public */
export const nginxPermissions = [
  nginxDomainEditPermission,
  nginxPublishPermission,
  nginxUpstreamEditPermission,
];
