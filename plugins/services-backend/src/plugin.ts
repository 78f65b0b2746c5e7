import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import { containerCloudPermissions } from '@internal/plugin-container-cloud-common';
import {
  containerCloudClustersServiceRef,
  serviceBindingsServiceRef,
  ImageRegistries,
  PrometheusClient,
} from '@internal/plugin-container-cloud-node';
import { createRouter, DEFAULT_READ_CACHE_SECONDS } from './router';
import { DEFAULT_SHELL_LIMITS, ShellSessions } from './shell/ShellSessions';
import { shellOrigins } from './shell/origin';
import {
  keepShellDirectory,
  readReplicaUrl,
  ShellDirectory,
} from './shell/ShellDirectory';
import { readNonRootUser } from './shell/shellCommand';
import {
  DEFAULT_FOLLOW_LIMITS,
  FollowDirectory,
  keepFollowDirectory,
} from './services/FollowDirectory';
import { publishLiveUpdates } from './services/LiveUpdates';
import {
  DEFAULT_MIN_REBUILD_MS,
  ServiceViewPages,
} from './services/ServiceViewPages';
import { PodHistoryStore } from './database/PodHistoryStore';
import {
  closeVanishedPods,
  recordPodHistory,
} from './services/PodHistoryRecorder';
import {
  readHistoryRetentionDays,
  scheduleHistoryRetention,
} from './services/historyRetention';

/**
 * Service management: a service's workloads in every cluster, and the operations its owners run
 * on them.
 * @public
 */
export const servicesPlugin = createBackendPlugin({
  pluginId: 'services',
  register(env) {
    env.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        userInfo: coreServices.userInfo,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        auditor: coreServices.auditor,
        database: coreServices.database,
        lifecycle: coreServices.lifecycle,
        scheduler: coreServices.scheduler,
        catalog: catalogServiceRef,
        signals: signalsServiceRef,
        clusters: containerCloudClustersServiceRef,
        bindings: serviceBindingsServiceRef,
      },
      async init(deps) {
        const { config, logger, clusters, signals, lifecycle } = deps;
        deps.permissionsRegistry.addPermissions(containerCloudPermissions);
        const history = await PodHistoryStore.create(deps.database);
        lifecycle.addShutdownHook(recordPodHistory(clusters, history, logger));
        await scheduleHistoryRetention({
          scheduler: deps.scheduler,
          history,
          logger,
          days: readHistoryRetentionDays(config),
        });
        // watches start in the background: a cluster that is down must not hold up the backend
        clusters
          .start()
          .then(() => closeVanishedPods(clusters, history, logger))
          .catch(error =>
            logger.error(`cluster watches failed to start: ${error}`),
          );
        // a page's view may be up to minRebuildMs late while its service keeps changing; the
        // live updates signal once more after that floor, so a page never stays behind
        const minRebuildMs =
          config.getOptionalNumber(
            'containerCloud.services.view.minRebuildMs',
          ) ?? DEFAULT_MIN_REBUILD_MS;
        const viewPages = new ServiceViewPages(clusters, { minRebuildMs });
        lifecycle.addShutdownHook(() => viewPages.stop());
        lifecycle.addShutdownHook(
          publishLiveUpdates(clusters, signals, { settleMs: minRebuildMs }),
        );
        const shellConfig = config.getOptionalConfig(
          'containerCloud.services.shell',
        );
        const shellSessions = new ShellSessions({
          maxPerUser:
            shellConfig?.getOptionalNumber('maxSessionsPerUser') ??
            DEFAULT_SHELL_LIMITS.maxPerUser,
          maxTotal:
            shellConfig?.getOptionalNumber('maxSessions') ??
            DEFAULT_SHELL_LIMITS.maxTotal,
          idleTimeoutMs:
            (shellConfig?.getOptionalNumber('idleTimeoutMinutes') ??
              DEFAULT_SHELL_LIMITS.idleTimeoutMs / 60_000) * 60_000,
          bufferBytes: DEFAULT_SHELL_LIMITS.bufferBytes,
          maxReadersPerSession:
            shellConfig?.getOptionalNumber('maxReadersPerSession') ??
            DEFAULT_SHELL_LIMITS.maxReadersPerSession,
        });
        // with several replicas, a shell's requests may reach any: the directory says which
        // replica holds it, and the others pass its requests there
        const shellDirectory = await ShellDirectory.create(
          deps.database,
          readReplicaUrl(config),
        );
        const forgetShells = keepShellDirectory(
          shellDirectory,
          () => shellSessions.ids(),
          logger,
        );
        lifecycle.addShutdownHook(async () => {
          await shellSessions.closeAll('the backend is shutting down');
          await forgetShells();
        });
        // live log follows are counted over every replica, in the plugin's database
        const followLimits = {
          maxPerUser:
            config.getOptionalNumber(
              'containerCloud.services.logs.maxFollowsPerUser',
            ) ?? DEFAULT_FOLLOW_LIMITS.maxPerUser,
          maxTotal:
            config.getOptionalNumber(
              'containerCloud.services.logs.maxFollows',
            ) ?? DEFAULT_FOLLOW_LIMITS.maxTotal,
        };
        const followLimiter = await FollowDirectory.create(
          deps.database,
          followLimits,
        );
        lifecycle.addShutdownHook(keepFollowDirectory(followLimiter, logger));
        // the API's OpenAPI document is public, as Backstage's own backends serve theirs
        deps.httpRouter.addAuthPolicy({
          path: '/openapi.json',
          allow: 'unauthenticated',
        });
        deps.httpRouter.use(
          await createRouter({
            shellSessions,
            shellDirectory,
            allowedOrigins: shellOrigins(config),
            shellNonRootUser: readNonRootUser(shellConfig),
            registries: ImageRegistries.fromConfig(config),
            debugImages: config.getOptionalStringArray(
              'containerCloud.services.debug.images',
            ),
            files: {
              allowedPaths: config.getOptionalStringArray(
                'containerCloud.services.files.allowedPaths',
              ),
              maxBytes:
                (config.getOptionalNumber(
                  'containerCloud.services.files.maxMegabytes',
                ) ?? 100) *
                1024 *
                1024,
            },
            ...deps,
            viewPages,
            history,
            maxReplicas:
              config.getOptionalNumber('containerCloud.services.maxReplicas') ??
              50,
            prometheus: PrometheusClient.fromConfig(config),
            maxFollowsPerUser: followLimits.maxPerUser,
            followLimiter,
            readCacheSeconds:
              config.getOptionalNumber(
                'containerCloud.services.readCacheSeconds',
              ) ?? DEFAULT_READ_CACHE_SECONDS,
          }),
        );
      },
    });
  },
});
