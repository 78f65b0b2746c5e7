import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { nginxPermissions } from '@internal/plugin-container-cloud-common';
import {
  containerCloudClustersServiceRef,
  serviceBindingsServiceRef,
} from '@internal/plugin-container-cloud-node';
import { NginxStore } from './database/NginxStore';
import { createRouter } from './router';
import { readForbiddenMembers } from './services/memberPolicy';
import { ownerSourceCheck, serviceLabelsFrom } from './services/ownerSources';
import { EndpointBatcher } from './services/EndpointBatcher';
import { KubernetesEndpoints } from './services/KubernetesEndpoints';
import { durationMs, readNginxConfig } from './services/NginxClusterConfig';
import { NginxService } from './services/NginxService';
import { scheduleDeliveryResume } from './services/deliveryResume';
import { findServices, TestEnvironments } from './services/TestEnvironments';

/**
 * Nginx configuration management: domains rendered from a validated model, checked with
 * `nginx -t`, published as versions and delivered to the configured clusters; upstream members
 * followed from Kubernetes EndpointSlices.
 * @public
 */
export const nginxPlugin = createBackendPlugin({
  pluginId: 'nginx',
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
      async init(deps) {
        const { config, logger, lifecycle, scheduler, clusters } = deps;
        deps.permissionsRegistry.addPermissions(nginxPermissions);
        const store = await NginxStore.create(deps.database);
        // the cluster layer every Container Cloud plugin shares (kubernetes.clusterLocatorMethods)
        const endpoints = new KubernetesEndpoints(clusters);
        const nginxConfig = readNginxConfig(config);
        const nginx = new NginxService(nginxConfig, store, endpoints);
        const batcher = new EndpointBatcher(nginx, endpoints, logger);
        endpoints.onChange(batcher.changed);
        nginx.onPublish(cluster => {
          batcher.refresh(cluster).catch(error => logger.warn(`${error}`));
        });
        lifecycle.addStartupHook(() => {
          // in the background: a Kubernetes cluster that is down must not hold up the backend
          batcher
            .start()
            .catch(error =>
              logger.error(`nginx endpoint sync failed to start: ${error}`),
            );
        });
        lifecycle.addShutdownHook(async () => {
          await batcher.stop();
          endpoints.stop();
        });
        // a version a replica recorded but did not live to deliver is delivered by another
        await scheduleDeliveryResume(scheduler, nginx, logger);
        let testEnvironments: TestEnvironments | undefined;
        if (nginxConfig.testEnvironments) {
          const environments = new TestEnvironments(
            nginxConfig.testEnvironments,
            nginx,
            deps.catalog,
            deps.auth,
            () => findServices(clusters),
            logger,
          );
          testEnvironments = environments;
          const { frequency } = nginxConfig.testEnvironments;
          // one replica syncs at a time (the scheduler's global task); a short frequency (a test,
          // a small portal) starts as soon, not after the usual 30 s
          await scheduler.scheduleTask({
            id: 'nginx-test-environments',
            frequency,
            timeout: { minutes: 5 },
            initialDelay:
              durationMs(frequency) < 30_000 ? frequency : { seconds: 30 },
            fn: async () => {
              const result = await environments.sync();
              if (result.publish) {
                logger.info(
                  `test environments published as version ${result.publish.version}`,
                );
              }
            },
          });
        }
        // the API's OpenAPI document is public, as Backstage's own backends serve theirs
        deps.httpRouter.addAuthPolicy({
          path: '/openapi.json',
          allow: 'unauthenticated',
        });
        deps.httpRouter.use(
          await createRouter({
            ...deps,
            nginx,
            testEnvironments,
            forbiddenMembers: readForbiddenMembers(
              config,
              clusters.names.map(name => clusters.connection(name).details),
            ),
            // owners' Kubernetes sources: their own service's Services, by its binding
            ownerSources: ownerSourceCheck({
              catalog: deps.catalog,
              auth: deps.auth,
              bindings: deps.bindings,
              serviceLabels: serviceLabelsFrom(clusters),
            }),
          }),
        );
      },
    });
  },
});
