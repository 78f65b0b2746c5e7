import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { alertsPermissions } from '@internal/plugin-container-cloud-common';
import {
  containerCloudClustersServiceRef,
  migratedDatabase,
  serveModule,
  serviceBindingsServiceRef,
} from '@internal/plugin-container-cloud-node';
import { ruleRoutes } from './rules/routes';
import { alertRoutes } from './receivers/routes';
import { autoscalingRoutes } from './autoscaler/routes';

/**
 * Alert rules per service or container, receivers, alerts and silences, and the multi-cluster
 * autoscaler.
 * @public
 */
export const alertsPlugin = createBackendPlugin({
  pluginId: 'alerts',
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
        events: eventsServiceRef,
        signals: signalsServiceRef,
        catalog: catalogServiceRef,
        bindings: serviceBindingsServiceRef,
        clusters: containerCloudClustersServiceRef,
      },
      async init({ httpRouter, permissionsRegistry, ...deps }) {
        permissionsRegistry.addPermissions(alertsPermissions);
        const knex = await migratedDatabase(
          deps.database,
          '@internal/plugin-alerts-backend',
        );
        const parts = { ...deps, knex };
        const groups = [
          await ruleRoutes(parts),
          await alertRoutes(parts),
          await autoscalingRoutes(parts),
        ];
        serveModule(httpRouter, {
          info: {
            title: 'Container Cloud alerts',
            version: '1',
            description:
              "Alert rules, receivers, alerts, silences and autoscaling of the suite's services. Every route but this document's needs a Backstage token.",
            serverUrl: '/api/alerts',
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
