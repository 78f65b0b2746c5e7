import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { storagePermissions } from '@internal/plugin-container-cloud-common';
import {
  containerCloudClustersServiceRef,
  migratedDatabase,
  serveModule,
  serviceBindingsServiceRef,
} from '@internal/plugin-container-cloud-node';
import { volumeRoutes } from './volumes/routes';
import { configFileRoutes } from './configFiles/routes';

/**
 * Volumes and config files of a service in every cluster it runs in.
 * @public
 */
export const storagePlugin = createBackendPlugin({
  pluginId: 'storage',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        lifecycle: coreServices.lifecycle,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        database: coreServices.database,
        scheduler: coreServices.scheduler,
        auth: coreServices.auth,
        catalog: catalogServiceRef,
        bindings: serviceBindingsServiceRef,
        clusters: containerCloudClustersServiceRef,
      },
      async init({ httpRouter, permissionsRegistry, ...deps }) {
        permissionsRegistry.addPermissions(storagePermissions);
        const knex = await migratedDatabase(
          deps.database,
          '@internal/plugin-storage-backend',
        );
        const parts = { ...deps, knex };
        const groups = [
          await volumeRoutes(parts),
          await configFileRoutes(parts),
        ];
        serveModule(httpRouter, {
          info: {
            title: 'Container Cloud storage',
            version: '1',
            description:
              "Volumes and config files of a service in every cluster it runs in. Every route but this document's needs a Backstage token.",
            serverUrl: '/api/storage',
          },
          groups,
          httpAuth: deps.httpAuth,
          permissions: deps.permissions,
          auditor: deps.auditor,
          jsonLimit: '2mb',
        });
      },
    });
  },
});
