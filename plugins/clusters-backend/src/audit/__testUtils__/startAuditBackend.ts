import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
  ServiceFactory,
  BackendFeature,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import type { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import permissionPlugin from '@backstage/plugin-permission-backend';
import policyModule from '@internal/plugin-permission-backend-module-container-cloud-policy';
import { containerCloudAuditorServiceFactory } from '@internal/plugin-container-cloud-node';
import {
  authKeepingActors,
  catalogFixtures,
  FIXTURES_ORIGIN,
  serviceEntity,
  userInfoFromMemberships,
  waitForEntity,
} from '@internal/plugin-container-cloud-node/testing';
import express from 'express';
import knexFactory, { Knex } from 'knex';
import { clustersPlugin } from '../../plugin';

/** The clusters plugin on the database under test; every other plugin on its own SQLite. */
export function clustersDatabase(shared: Knex) {
  return createServiceFactory({
    service: coreServices.database,
    deps: { plugin: coreServices.pluginMetadata },
    factory({ plugin }) {
      const knex =
        plugin.getId() === 'clusters'
          ? shared
          : knexFactory({
              client: 'better-sqlite3',
              connection: ':memory:',
              useNullAsDefault: true,
            });
      return mockServices.database({ knex });
    },
  });
}

/**
 * A stand-in for another suite plugin (id `services`): `POST /api/services/act` records an audit
 * event about the entity in its body through the suite's auditor, as the real route pipeline
 * does, and fails when the body says so.
 */
export const auditingServicesPlugin = createBackendPlugin({
  pluginId: 'services',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        auditor: coreServices.auditor,
      },
      async init({ httpRouter, auditor }) {
        const router = express.Router();
        router.use(express.json());
        router.post('/act', async (req, res) => {
          const event = await auditor.createEvent({
            eventId: req.body.eventId ?? 'service-scale',
            request: req,
            meta: { entityRef: req.body.entityRef, request: req.body },
          });
          if (req.body.fail) await event.fail({ error: new Error('refused') });
          else await event.success();
          res.json({});
        });
        httpRouter.use(router);
      },
    });
  },
});

/**
 * The clusters plugin with the real catalog, permission backend, the suite's policy, the suite's
 * auditor and the events bus: payments-api (team-payments) and orders-api (team-orders) in the
 * catalog; alice in team-payments, bob in team-orders, carol an ops admin.
 */
export async function startAuditBackend(options: {
  knex: Knex;
  features?: (BackendFeature | ServiceFactory)[];
  /** more catalog entities beside payments-api and orders-api */
  entities?: Entity[];
  /** the services in place of payments-api (team-payments) and orders-api (team-orders) */
  services?: Entity[];
  /** in place of `auditingServicesPlugin`, e.g. the real services backend */
  servicesPlugin?: BackendFeature;
  config?: object;
  kubernetesClusters?: object[];
}) {
  const services = options.services ?? [
    serviceEntity('payments-api', 'group:default/team-payments'),
    serviceEntity('orders-api', 'group:default/team-orders'),
  ];
  const backend = await startTestBackend({
    features: [
      permissionPlugin,
      catalogPlugin,
      policyModule,
      clustersPlugin,
      options.servicesPlugin ?? auditingServicesPlugin,
      catalogFixtures([...services, ...(options.entities ?? [])]),
      userInfoFromMemberships(),
      authKeepingActors,
      httpAuthServiceFactory,
      containerCloudAuditorServiceFactory,
      eventsServiceFactory,
      clustersDatabase(options.knex),
      ...(options.features ?? []),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          events: { useEventBus: 'never' },
          catalog: { processingInterval: { seconds: 1 } },
          containerCloud: {
            permissions: { opsAdminGroups: ['group:default/ops-admins'] },
            binding: { trustedOrigins: [FIXTURES_ORIGIN] },
            ...options.config,
          },
          kubernetes: {
            clusterLocatorMethods: [
              { type: 'config', clusters: options.kubernetesClusters ?? [] },
            ],
          },
        },
      }),
    ],
  });
  for (const service of services) {
    await waitForEntity(
      `http://localhost:${backend.server.port()}`,
      `component/default/${service.metadata.name}`,
    );
  }
  return backend;
}
