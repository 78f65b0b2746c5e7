import { RESOURCE_TYPE_CATALOG_ENTITY } from '@backstage/plugin-catalog-common/alpha';
import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Installing an app store chart (MySQL, Redis, ZooKeeper, Kafka, or any chart of a configured
 * repository) as an instance owned by a catalog entity (a Component or a Group). Checked on the
 * owning entity.
 * @public
 */
export const appStoreInstallPermission = createPermission({
  name: 'container-cloud.app-store.install',
  attributes: { action: 'create' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Upgrading an instance to another chart version or other values, rolling it back to an earlier
 * release, and extending its expiry. Checked on the owning entity.
 * @public
 */
export const appStoreUpgradePermission = createPermission({
  name: 'container-cloud.app-store.upgrade',
  attributes: { action: 'update' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/** Uninstalling an instance. Checked on the owning entity. @public */
export const appStoreDeletePermission = createPermission({
  name: 'container-cloud.app-store.delete',
  attributes: { action: 'delete' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * Revealing an instance's password (and attaching its connection details, password included, to
 * a service's environment). Checked on the owning entity; every reveal is audited.
 * @public
 */
export const appStoreRevealPermission = createPermission({
  name: 'container-cloud.app-store.credentials.reveal',
  attributes: { action: 'read' },
  resourceType: RESOURCE_TYPE_CATALOG_ENTITY,
});

/**
 * The app store's admin view: every instance in every cluster, bulk extend and delete.
 * Only ops admins hold it.
 * @public
 */
export const appStoreAdminPermission = createPermission({
  name: 'container-cloud.app-store.admin',
  attributes: { action: 'update' },
});

/** The app store permissions an entity's owners (and ops admins) hold. @public */
export const appStoreOwnerPermissions = [
  appStoreInstallPermission,
  appStoreUpgradePermission,
  appStoreDeletePermission,
  appStoreRevealPermission,
];

/** @public */
export const appStorePermissions = [
  ...appStoreOwnerPermissions,
  appStoreAdminPermission,
];
