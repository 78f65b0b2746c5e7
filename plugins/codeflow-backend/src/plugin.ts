import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { codeflowPermissions } from '@internal/plugin-container-cloud-common';
import {
  containerCloudClustersServiceRef,
  migratedDatabase,
  serveModule,
  serviceBindingsServiceRef,
} from '@internal/plugin-container-cloud-node';
import { definitionRoutes } from './definitions/routes';
import { webhookPart, WEBHOOKS_AUTH_POLICY } from './webhooks';

/**
 * Codeflows: how a service's code is built into an image and rolled out, with their runs,
 * webhooks and executors.
 * @public
 */
export const codeflowPlugin = createBackendPlugin({
  pluginId: 'codeflow',
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
        permissionsRegistry.addPermissions(codeflowPermissions);
        const knex = await migratedDatabase(
          deps.database,
          '@internal/plugin-codeflow-backend',
        );
        const parts = { ...deps, knex };
        const webhooks = webhookPart(parts);
        // the git hosts' deliveries carry the codeflow's own secret, not a Backstage token;
        // mounted before the pipeline's router so their bodies are read raw (signatures)
        httpRouter.addAuthPolicy(WEBHOOKS_AUTH_POLICY);
        httpRouter.use(webhooks.router);
        const groups = [await definitionRoutes(parts), webhooks.group];
        serveModule(httpRouter, {
          info: {
            title: 'Container Cloud codeflows',
            version: '1',
            description:
              "A service's codeflows: how its code is built into an image and rolled out. Every route but this document's and the webhook endpoints' (/webhooks/*, authenticated by each codeflow's own secret) needs a Backstage token.",
            serverUrl: '/api/codeflow',
          },
          groups,
          httpAuth: deps.httpAuth,
          permissions: deps.permissions,
          auditor: deps.auditor,
          documentedPaths: webhooks.documentedPaths,
        });
      },
    });
  },
});
