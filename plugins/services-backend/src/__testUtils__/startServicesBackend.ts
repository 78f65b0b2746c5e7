import { startTestBackend, mockServices } from '@backstage/backend-test-utils';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import type {
  BackendFeature,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import policyModule from '@internal/plugin-permission-backend-module-container-cloud-policy';
import {
  authKeepingActors,
  catalogFixtures,
  FIXTURES_ORIGIN,
  serviceEntity,
  userInfoFromMemberships,
  waitForEntity,
} from '@internal/plugin-container-cloud-node/testing';
import { servicesPlugin } from '../plugin';

/**
 * The services plugin in a backend with the real catalog, permission backend and the suite's
 * policy: payments-api (owned by team-payments) in the catalog; alice in team-payments, bob in
 * team-orders, carol an ops admin. Resolves once the catalog serves payments-api.
 */
export async function startServicesBackend(options: {
  clusters: object[];
  containerCloud?: object;
  services?: ServiceFactory[];
  /** more plugins and modules in the backend */
  features?: BackendFeature[];
  /** the catalog; payments-api (owned by team-payments) when left out */
  entities?: Entity[];
  /** hosts the catalog may read locations from (backend.reading.allow), e.g. localhost:PORT */
  readingAllow?: string[];
}) {
  const backend = await startTestBackend({
    features: [
      permissionPlugin,
      catalogPlugin,
      policyModule,
      servicesPlugin,
      catalogFixtures(
        options.entities ?? [
          serviceEntity('payments-api', 'group:default/team-payments'),
        ],
      ),
      userInfoFromMemberships(),
      authKeepingActors,
      httpAuthServiceFactory,
      ...(options.features ?? []),
      ...(options.services ?? []),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          ...(options.readingAllow
            ? {
                backend: {
                  reading: {
                    allow: options.readingAllow.map(host => ({ host })),
                  },
                },
              }
            : {}),
          catalog: { processingInterval: { seconds: 1 } },
          containerCloud: {
            permissions: { opsAdminGroups: ['group:default/ops-admins'] },
            // the fixtures' entities (serviceEntity) come from this location: trusted, as the
            // catalog.locations of a real portal are
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
  return backend;
}
