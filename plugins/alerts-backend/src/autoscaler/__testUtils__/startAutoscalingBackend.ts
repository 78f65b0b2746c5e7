import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import {
  BackendFeature,
  coreServices,
  createBackendPlugin,
  createServiceFactory,
  SchedulerServiceTaskFunction,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { signalsServiceRef } from '@backstage/plugin-signals-node';
import permissionPlugin from '@backstage/plugin-permission-backend';
import policyModule from '@internal/plugin-permission-backend-module-container-cloud-policy';
import { alertsPermissions } from '@internal/plugin-container-cloud-common';
import {
  containerCloudClustersServiceRef,
  moduleRouter,
  serviceBindingsServiceRef,
} from '@internal/plugin-container-cloud-node';
import {
  authKeepingActors,
  catalogFixtures,
  FIXTURES_ORIGIN,
  serviceEntity,
  userInfoFromMemberships,
  waitForEntity,
} from '@internal/plugin-container-cloud-node/testing';
import knexFactory, { Knex } from 'knex';
import { autoscalingRoutes } from '../routes';
import { migrateAutoscaling } from './autoscalingDatabase';

/**
 * The alerts plugin with only its autoscaling part (this part's tests do not depend on the rules
 * and receivers parts being finished): same deps, same pipeline as plugin.ts.
 */
const autoscalingOnlyPlugin = createBackendPlugin({
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
        const knex = await deps.database.getClient();
        await migrateAutoscaling(knex);
        httpRouter.addAuthPolicy({
          path: '/openapi.json',
          allow: 'unauthenticated',
        });
        httpRouter.use(
          moduleRouter({
            info: {
              title: 'autoscaling',
              version: '1',
              serverUrl: '/api/alerts',
            },
            groups: [await autoscalingRoutes({ ...deps, knex })],
            httpAuth: deps.httpAuth,
            permissions: deps.permissions,
            auditor: deps.auditor,
          }),
        );
      },
    });
  },
});

/** A scheduler that runs nothing by itself: the test runs the loop's cycle with `run`. */
export function manualScheduler() {
  const tasks = new Map<string, SchedulerServiceTaskFunction>();
  return {
    factory: createServiceFactory({
      service: coreServices.scheduler,
      deps: {},
      factory: () => ({
        async scheduleTask(task) {
          tasks.set(task.id, task.fn);
        },
        createScheduledTaskRunner: () => ({
          async run(task) {
            tasks.set(task.id, task.fn);
          },
        }),
        async triggerTask(id) {
          await tasks.get(id)?.(new AbortController().signal);
        },
        async cancelTask() {},
        async getScheduledTasks() {
          return [];
        },
      }),
    }),
    scheduled: () => [...tasks.keys()],
    async run(id: string) {
      const fn = tasks.get(id);
      if (!fn) throw new Error(`no task ${id}`);
      await fn(new AbortController().signal);
    },
  };
}

/**
 * The autoscaling part in a backend with the real catalog, permission backend and the suite's
 * policy: payments-api (owned by team-payments) in the catalog; alice in team-payments, bob in
 * team-orders, carol an ops admin.
 */
export async function startAutoscalingBackend(options: {
  clusters: object[];
  containerCloud?: object;
  /** the plugin's database (default: one in memory) */
  knex?: Knex;
  services?: ServiceFactory[];
  features?: BackendFeature[];
  entities?: Entity[];
}) {
  const scheduler = manualScheduler();
  const backend = await startTestBackend({
    features: [
      permissionPlugin,
      catalogPlugin,
      policyModule,
      autoscalingOnlyPlugin,
      catalogFixtures(
        options.entities ?? [
          serviceEntity('payments-api', 'group:default/team-payments'),
        ],
      ),
      userInfoFromMemberships(),
      authKeepingActors,
      httpAuthServiceFactory,
      scheduler.factory,
      ...(options.knex
        ? [
            createServiceFactory({
              service: coreServices.database,
              deps: { plugin: coreServices.pluginMetadata },
              factory: ({ plugin }) =>
                mockServices.database({
                  knex:
                    plugin.getId() === 'alerts'
                      ? options.knex!
                      : knexFactory({
                          client: 'better-sqlite3',
                          connection: ':memory:',
                          useNullAsDefault: true,
                        }),
                }),
            }),
          ]
        : []),
      ...(options.features ?? []),
      ...(options.services ?? []),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          catalog: { processingInterval: { seconds: 1 } },
          containerCloud: {
            permissions: { opsAdminGroups: ['group:default/ops-admins'] },
            binding: { trustedOrigins: [FIXTURES_ORIGIN] },
            ...options.containerCloud,
          },
          kubernetes: {
            clusterLocatorMethods: [
              { type: 'config', clusters: options.clusters },
            ],
          },
        },
      }),
    ],
  });
  await waitForEntity(
    `http://localhost:${backend.server.port()}`,
    'component/default/payments-api',
  );
  return Object.assign(backend, { scheduler });
}
