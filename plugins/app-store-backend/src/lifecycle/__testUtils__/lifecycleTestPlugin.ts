import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { appStorePermissions } from '@internal/plugin-container-cloud-common';
import {
  containerCloudClustersServiceRef,
  migratedDatabase,
  serveModule,
  serviceBindingsServiceRef,
} from '@internal/plugin-container-cloud-node';
import { instanceRoutes } from '../../instances/routes';
import { lifecycleRoutes } from '../routes';

/**
 * The app store plugin as plugin.ts builds it, with what the lifecycle part needs beyond the
 * plugin's deps today: discovery (attach) and a notifications service (here the test's, which
 * records what would be sent). To be dropped once plugin.ts passes both.
 */
export function lifecycleTestPlugin(options: {
  notifications: NotificationService;
  now?: () => Date;
}) {
  return createBackendPlugin({
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
          signals: signalsServiceRef,
          catalog: catalogServiceRef,
          bindings: serviceBindingsServiceRef,
          clusters: containerCloudClustersServiceRef,
        },
        async init({ httpRouter, permissionsRegistry, ...deps }) {
          permissionsRegistry.addPermissions(appStorePermissions);
          const knex = await migratedDatabase(
            deps.database,
            '@internal/plugin-app-store-backend',
          );
          const parts = {
            ...deps,
            knex,
            notifications: options.notifications,
            now: options.now,
          };
          serveModule(httpRouter, {
            info: {
              title: 'Container Cloud app store (lifecycle test)',
              version: '1',
              serverUrl: '/api/app-store',
            },
            groups: [await instanceRoutes(parts), await lifecycleRoutes(parts)],
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
          });
        },
      });
    },
  });
}
