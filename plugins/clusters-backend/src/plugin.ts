import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { clustersPermissions } from '@internal/plugin-container-cloud-common';
import {
  containerCloudClustersServiceRef,
  migratedDatabase,
  serveModule,
  serviceBindingsServiceRef,
} from '@internal/plugin-container-cloud-node';
import { clusterRoutes } from './clusters/routes';
import { auditRoutes } from './audit/routes';
import { meteringRoutes } from './metering/routes';

/**
 * Clusters, cluster health, failover, metering and the audit log for ops.
 * @public
 */
export const clustersPlugin = createBackendPlugin({
  pluginId: 'clusters',
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
        catalog: catalogServiceRef,
        bindings: serviceBindingsServiceRef,
        clusters: containerCloudClustersServiceRef,
      },
      async init({ httpRouter, permissionsRegistry, ...deps }) {
        permissionsRegistry.addPermissions(clustersPermissions);
        const knex = await migratedDatabase(
          deps.database,
          '@internal/plugin-clusters-backend',
        );
        const parts = { ...deps, knex };
        const groups = [
          await clusterRoutes(parts),
          await meteringRoutes(parts),
          await auditRoutes(parts),
        ];
        serveModule(httpRouter, {
          info: {
            title: 'Container Cloud clusters',
            version: '1',
            description:
              "Clusters, cluster health, failover, metering and the audit log for ops. Every route but this document's needs a Backstage token.",
            serverUrl: '/api/clusters',
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
