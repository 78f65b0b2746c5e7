import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Creating, editing and deleting a service's codeflows (how its code is built into an image and
 * rolled out). Checked on the service's catalog entity.
 * @public
 */
export const codeflowEditPermission = createPermission({
  name: 'container-cloud.codeflow.edit',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Starting a run of a service's codeflow (a build, and the roll-out it leads to). @public */
export const codeflowRunPermission = createPermission({
  name: 'container-cloud.codeflow.run',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Cancelling a run of a service's codeflow. @public */
export const codeflowCancelPermission = createPermission({
  name: 'container-cloud.codeflow.cancel',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Reading the logs of a service's codeflow runs (live and stored). @public */
export const codeflowLogsReadPermission = createPermission({
  name: 'container-cloud.codeflow.logs.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Setting and rotating a codeflow's webhook secret. @public */
export const codeflowWebhookSecretPermission = createPermission({
  name: 'container-cloud.codeflow.webhook.manage',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** The codeflow permissions a service's owners (and ops admins) hold. @public */
export const codeflowOwnerPermissions = [
  codeflowEditPermission,
  codeflowRunPermission,
  codeflowCancelPermission,
  codeflowLogsReadPermission,
  codeflowWebhookSecretPermission,
];

/** @public */
export const codeflowPermissions = [...codeflowOwnerPermissions];
