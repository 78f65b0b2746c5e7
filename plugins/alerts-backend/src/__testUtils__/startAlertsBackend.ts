import {
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import {
  coreServices,
  createServiceFactory,
  type BackendFeature,
  type ServiceFactory,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import policyModule from '@internal/plugin-permission-backend-module-container-cloud-policy';
import {
  authKeepingActors,
  catalogFixtures,
  FIXTURES_ORIGIN,
  RecordedAuditEvent,
  recordingAuditor,
  serviceEntity,
  userInfoFromMemberships,
  waitForEntity,
} from '@internal/plugin-container-cloud-node/testing';
import { alertsPlugin } from '../plugin';

export type { RecordedAuditEvent };
export { recordingAuditor };

/** The people of the test backends (see EXAMPLE_MEMBERSHIPS). */
export const ALICE = 'user:default/alice'; // team-payments: owns payments-api
export const BOB = 'user:default/bob'; // team-orders: owns orders-api
export const CAROL = 'user:default/carol'; // ops admin

/** An encryption key for receivers' secrets (`alertmanager.encryptionKey`) in tests. */
export const TEST_RECEIVERS_KEY = Buffer.alloc(32, 7).toString('base64');

/** The databases the alerts plugin's tests run on: SQLite always, PostgreSQL when configured. */
export function alertsTestDatabases() {
  return TestDatabases.create({
    ids: ['SQLITE_3', 'POSTGRES_15'],
    disableDocker: true,
  });
}

/** The plugin's database as one of `alertsTestDatabases()`'s (a service factory for `services`). */
export function alertsDatabase(
  databases: TestDatabases,
  databaseId: TestDatabaseId | string,
) {
  return createServiceFactory({
    service: coreServices.database,
    deps: {},
    factory: async () =>
      mockServices.database({
        knex: await databases.init(databaseId as TestDatabaseId),
      }),
  });
}

/**
 * The alerts plugin in a backend with the real catalog, permission backend and the suite's
 * policy: payments-api (team-payments) and orders-api (team-orders) in the catalog unless
 * `entities` says otherwise; alice in team-payments, bob in team-orders, carol an ops admin.
 * `clusters` in `kubernetes.clusterLocatorMethods` form (e.g. the local cloud's, see
 * `localCloudClusters`); `alerts` is `containerCloud.alerts` (e.g. the local cloud's, see
 * `localCloudAlertsConfig`). Resolves once the catalog serves every entity.
 */
export async function startAlertsBackend(options: {
  clusters?: object[];
  alerts?: object;
  /** more of `containerCloud` (prometheus, binding, ...) */
  containerCloud?: object;
  entities?: Entity[];
  services?: ServiceFactory[];
  features?: BackendFeature[];
}) {
  const entities = options.entities ?? [
    serviceEntity('payments-api', 'group:default/team-payments'),
    serviceEntity('orders-api', 'group:default/team-orders'),
  ];
  const backend = await startTestBackend({
    features: [
      permissionPlugin,
      catalogPlugin,
      policyModule,
      alertsPlugin,
      catalogFixtures(entities),
      userInfoFromMemberships(),
      authKeepingActors,
      httpAuthServiceFactory,
      ...(options.features ?? []),
      ...(options.services ?? []),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          catalog: { processingInterval: { seconds: 1 } },
          containerCloud: {
            permissions: { opsAdminGroups: ['group:default/ops-admins'] },
            // the fixtures' entities come from this location: trusted, as catalog.locations are
            binding: { trustedOrigins: [FIXTURES_ORIGIN] },
            alerts: options.alerts ?? {},
            ...options.containerCloud,
          },
          kubernetes: {
            clusterLocatorMethods: [
              { type: 'config', clusters: options.clusters ?? [] },
            ],
          },
        },
      }),
    ],
  });
  for (const entity of entities) {
    await waitForEntity(
      `http://localhost:${backend.server.port()}`,
      `component/${entity.metadata.namespace ?? 'default'}/${
        entity.metadata.name
      }`,
    );
  }
  return backend;
}
