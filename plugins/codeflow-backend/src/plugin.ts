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
import { createBuildExecutor } from './executors/createBuildExecutor';
import { createRollout } from './rollout/createRollout';
import { runRefusal, runsPart, startRunEngine } from './runs';
import type { RunEngineTimings } from './runs/RunEngine';
import type { CodeflowDeps } from './deps';
import type { BuildExecutor } from './executors/types';
import type { Rollout } from './rollout/types';
import { webhookPart, WEBHOOKS_AUTH_POLICY } from './webhooks';

/** What builds and rolls the runs (default: the configured executor and the real roll-out). */
export interface CodeflowPluginOptions {
  executor?(parts: CodeflowDeps): BuildExecutor;
  rollout?(parts: CodeflowDeps): Rollout;
  /** the run engine's intervals (tests shorten them) */
  runTimings?: Partial<RunEngineTimings>;
}

/**
 * The codeflow plugin with its executor and roll-out chosen (tests give stand-ins; the
 * default export uses the configured executor and the real roll-out).
 */
export function createCodeflowPlugin(options: CodeflowPluginOptions = {}) {
  return createBackendPlugin({
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
          const definitions = await definitionRoutes(parts);
          const runs = runsPart(parts, {
            executor: options.executor
              ? options.executor(parts)
              : createBuildExecutor(deps.config, parts),
            rollout: (options.rollout ?? createRollout)(parts),
            timings: options.runTimings,
          });
          const groups = [
            definitions,
            // the runs' routes are about the same service as the definitions'
            { ...definitions, routes: runs.routes, refusal: runRefusal },
            webhooks.group,
          ];
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
          await startRunEngine(parts, runs.engine);
        },
      });
    },
  });
}

/**
 * Codeflows: how a service's code is built into an image and rolled out, with their runs,
 * webhooks and executors.
 * @public
 */
export const codeflowPlugin = createCodeflowPlugin();
