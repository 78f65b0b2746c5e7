import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Reading the clusters page: every cluster's health, capacity, nodes and services.
 * Only ops admins hold it.
 * @public
 */
export const clustersReadPermission = createPermission({
  name: 'container-cloud.clusters.read',
  attributes: { action: 'read' },
});

/**
 * Moving services off a cluster (failover): preview, run, stop and resume.
 * Only ops admins hold it.
 * @public
 */
export const clustersFailoverPermission = createPermission({
  name: 'container-cloud.clusters.failover',
  attributes: { action: 'update' },
});

/** Every team's metering, and its CSV export. Only ops admins hold it. @public */
export const meteringReadAllPermission = createPermission({
  name: 'container-cloud.metering.read-all',
  attributes: { action: 'read' },
});

/** Searching the whole audit log. Only ops admins hold it. @public */
export const auditSearchPermission = createPermission({
  name: 'container-cloud.audit.search',
  attributes: { action: 'read' },
});

/**
 * Reading one catalog entity's audit trail (and, on a Group, its team's metering): the entity's
 * owners and ops admins.
 * @public
 */
export const entityAuditReadPermission = createPermission({
  name: 'container-cloud.audit.entity.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** @public */
export const clustersPermissions = [
  clustersReadPermission,
  clustersFailoverPermission,
  meteringReadAllPermission,
  auditSearchPermission,
  entityAuditReadPermission,
];
