import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Creating, editing, deleting and rolling back a service's alert rules (metrics from the list).
 * Checked on the service's catalog entity.
 * @public
 */
export const alertRulesEditPermission = createPermission({
  name: 'container-cloud.alerts.rules.edit',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Writing an alert rule's PromQL expression by hand (the advanced mode). Only ops admins hold it.
 * @public
 */
export const alertRulesAdvancedPermission = createPermission({
  name: 'container-cloud.alerts.rules.advanced',
  attributes: { action: 'update' },
});

/** Creating and expiring silences of a service's alerts. @public */
export const alertSilencePermission = createPermission({
  name: 'container-cloud.alerts.silence',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Editing a service's autoscaling (metric, target, min and max, on or off). @public */
export const autoscalingEditPermission = createPermission({
  name: 'container-cloud.alerts.autoscaling.edit',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Managing the receivers alerts are sent to (email, webhook, IM). Only ops admins hold it. @public */
export const alertReceiversAdminPermission = createPermission({
  name: 'container-cloud.alerts.receivers.admin',
  attributes: { action: 'update' },
});

/** The alerts admin page: every rule and every alert of every service. Only ops admins hold it. @public */
export const alertsReadAllPermission = createPermission({
  name: 'container-cloud.alerts.read-all',
  attributes: { action: 'read' },
});

/** The alerting permissions a service's owners (and ops admins) hold. @public */
export const alertsOwnerPermissions = [
  alertRulesEditPermission,
  alertSilencePermission,
  autoscalingEditPermission,
];

/** The alerting permissions only ops admins hold. @public */
export const alertsOpsPermissions = [
  alertRulesAdvancedPermission,
  alertReceiversAdminPermission,
  alertsReadAllPermission,
];

/** @public */
export const alertsPermissions = [
  ...alertsOwnerPermissions,
  ...alertsOpsPermissions,
];
