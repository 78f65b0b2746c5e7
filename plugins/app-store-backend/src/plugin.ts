import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { appStorePermissions } from '@internal/plugin-container-cloud-common';
import {
  containerCloudClustersServiceRef,
  migratedDatabase,
  serveModule,
  serviceBindingsServiceRef,
} from '@internal/plugin-container-cloud-node';
import { appStoreClockServiceRef } from './clock';
import { catalogueRoutes } from './catalogue/routes';
import { instanceRoutes } from './instances/routes';
import { lifecycleRoutes } from './lifecycle/routes';

/**
 * The app store: charts from Helm repositories, installed with the real Helm as instances owned
 * by catalog entities, with expiry and an admin view.
 * @public
 */
export const appStorePlugin = createBackendPlugin({
  pluginId: 'app-store',
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
        userInfo: coreServices.userInfo,
        discovery: coreServices.discovery,
        events: eventsServiceRef,
        notifications: notificationService,
        signals: signalsServiceRef,
        catalog: catalogServiceRef,
        bindings: serviceBindingsServiceRef,
        clusters: containerCloudClustersServiceRef,
        clock: appStoreClockServiceRef,
      },
      async init({ httpRouter, permissionsRegistry, clock, ...deps }) {
        permissionsRegistry.addPermissions(appStorePermissions);
        const knex = await migratedDatabase(
          deps.database,
          '@internal/plugin-app-store-backend',
        );
        const parts = { ...deps, knex, now: () => clock.now() };
        const groups = [
          await catalogueRoutes(parts),
          await instanceRoutes(parts),
          await lifecycleRoutes(parts),
        ];
        serveModule(httpRouter, {
          info: {
            title: 'Container Cloud app store',
            version: '1',
            description:
              "Charts from the configured Helm repositories, and the instances installed from them. Every route but this document's needs a Backstage token.",
            serverUrl: '/api/app-store',
          },
          groups,
          httpAuth: deps.httpAuth,
          permissions: deps.permissions,
          auditor: deps.auditor,
        });
      },
    });
  },
});
