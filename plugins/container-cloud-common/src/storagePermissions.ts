import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Creating a volume (a PersistentVolumeClaim, and for a static NFS export its PersistentVolume)
 * for a service. Checked on the service's catalog entity.
 * @public
 */
export const volumeCreatePermission = createPermission({
  name: 'container-cloud.storage.volume.create',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Mounting a volume into a service's Deployments, and unmounting it. @public */
export const volumeMountPermission = createPermission({
  name: 'container-cloud.storage.volume.mount',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Growing a volume where its StorageClass allows expansion. @public */
export const volumeResizePermission = createPermission({
  name: 'container-cloud.storage.volume.resize',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Deleting a volume no Deployment mounts. @public */
export const volumeDeletePermission = createPermission({
  name: 'container-cloud.storage.volume.delete',
  attributes: { action: 'delete' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Creating, editing and rolling back a service's config file sets. @public */
export const configFilesEditPermission = createPermission({
  name: 'container-cloud.storage.config.edit',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Mounting a config file set into a service's Deployments, and unmounting it. @public */
export const configFilesMountPermission = createPermission({
  name: 'container-cloud.storage.config.mount',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Deleting a config file set no Deployment mounts. @public */
export const configFilesDeletePermission = createPermission({
  name: 'container-cloud.storage.config.delete',
  attributes: { action: 'delete' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Reading the content of a secret file set (its keys and checksum are readable by everyone who
 * reads the service).
 * @public
 */
export const configFilesSecretReadPermission = createPermission({
  name: 'container-cloud.storage.config.secret.read',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Everything on the storage admin page: every volume in every cluster, storage types.
 * Only ops admins hold it.
 * @public
 */
export const storageAdminPermission = createPermission({
  name: 'container-cloud.storage.admin',
  attributes: { action: 'read' },
});

/** The storage permissions a service's owners (and ops admins) hold. @public */
export const storageOwnerPermissions = [
  volumeCreatePermission,
  volumeMountPermission,
  volumeResizePermission,
  volumeDeletePermission,
  configFilesEditPermission,
  configFilesMountPermission,
  configFilesDeletePermission,
  configFilesSecretReadPermission,
];

/** @public */
export const storagePermissions = [
  ...storageOwnerPermissions,
  storageAdminPermission,
];
