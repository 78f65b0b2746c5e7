import { existsSync, readFileSync } from 'node:fs';
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
import { parse } from 'yaml';
import { appStorePlugin } from '../plugin';

export type { RecordedAuditEvent };
export { recordingAuditor };

/** The people of the test backends (see EXAMPLE_MEMBERSHIPS). */
export const ALICE = 'user:default/alice'; // team-payments: owns payments-api
export const BOB = 'user:default/bob'; // team-orders: owns orders-api
export const CAROL = 'user:default/carol'; // ops admin

/** A Group as the example catalog declares one. */
export function groupEntity(name: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: {
      name,
      annotations: {
        'backstage.io/managed-by-location': FIXTURES_ORIGIN,
        'backstage.io/managed-by-origin-location': FIXTURES_ORIGIN,
      },
    },
    spec: { type: 'team', children: [] },
  };
}

/**
 * The entities of the app store's test backends: payments-api (team-payments, placed in
 * `*\/payments` as the example catalog places it), orders-api (team-orders, `*\/orders`), and
 * the groups.
 */
export function appStoreEntities(): Entity[] {
  return [
    serviceEntity('payments-api', 'group:default/team-payments', {
      'container-cloud.io/placements': '*/payments',
    }),
    serviceEntity('orders-api', 'group:default/team-orders', {
      'container-cloud.io/placements': '*/orders',
    }),
    groupEntity('team-payments'),
    groupEntity('team-orders'),
    groupEntity('ops-admins'),
  ];
}

/** The databases the app store's tests run on: SQLite always, PostgreSQL when configured. */
export function appStoreTestDatabases() {
  return TestDatabases.create({
    ids: ['SQLITE_3', 'POSTGRES_15'],
    disableDocker: true,
  });
}

/** The plugin's database as one of `appStoreTestDatabases()`'s (a service factory for `services`). */
export function appStoreDatabase(
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

/** The local cloud's generated app-config, or undefined when its environment is not loaded. */
export function localCloudAppConfig():
  | {
      kubernetes: { clusterLocatorMethods: Array<{ clusters: object[] }> };
      containerCloud: Record<string, any>;
    }
  | undefined {
  const file = process.env.LOCAL_CLOUD_APP_CONFIG;
  if (!file || !existsSync(file)) return undefined;
  return parse(readFileSync(file, 'utf8'));
}

/** The local cloud's clusters in `kubernetes.clusterLocatorMethods` form ([] without it). */
export function localCloudClusters(): object[] {
  const config = localCloudAppConfig();
  return config
    ? config.kubernetes.clusterLocatorMethods.flatMap(m => m.clusters)
    : [];
}

/**
 * The helm program: the local cloud's (`containerCloud.appStore.helm` of its app-config), else
 * $HELM, else the one the set-up builds at /tmp/helmbuild/bin/helm, else `helm` on PATH.
 */
export function localHelm(): string {
  const configured = localCloudAppConfig()?.containerCloud?.appStore?.helm;
  if (typeof configured === 'string') return configured;
  if (process.env.HELM) return process.env.HELM;
  if (existsSync('/tmp/helmbuild/bin/helm')) return '/tmp/helmbuild/bin/helm';
  return 'helm';
}

/** The local cloud's registry as host:port (from LOCAL_CLOUD_REGISTRY_URL), or undefined. */
export function localRegistryHost(): string | undefined {
  const url = process.env.LOCAL_CLOUD_REGISTRY_URL;
  return url ? new URL(url).host : undefined;
}

/**
 * The app store plugin in a backend with the real catalog, permission backend and the suite's
 * policy: `appStoreEntities()` unless `entities` says otherwise; alice in team-payments, bob in
 * team-orders, carol an ops admin. `clusters` in `kubernetes.clusterLocatorMethods` form
 * (default: the local cloud's, when its environment is loaded); `appStore` is
 * `containerCloud.appStore` (default: the local cloud's, with its helm). Resolves once the
 * catalog serves every entity.
 */
export async function startAppStoreBackend(
  options: {
    clusters?: object[];
    appStore?: Record<string, unknown>;
    /** more of `containerCloud` (binding, ...) */
    containerCloud?: object;
    entities?: Entity[];
    services?: ServiceFactory[];
    features?: BackendFeature[];
  } = {},
) {
  const entities = options.entities ?? appStoreEntities();
  const local = localCloudAppConfig();
  const appStore = options.appStore ?? {
    helm: localHelm(),
    ...(local?.containerCloud?.appStore ?? {}),
  };
  const backend = await startTestBackend({
    features: [
      permissionPlugin,
      catalogPlugin,
      policyModule,
      appStorePlugin,
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
            appStore,
            ...options.containerCloud,
          },
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: options.clusters ?? localCloudClusters(),
              },
            ],
          },
        },
      }),
    ],
  });
  for (const entity of entities) {
    await waitForEntity(
      `http://localhost:${backend.server.port()}`,
      `${entity.kind.toLocaleLowerCase('en-US')}/${
        entity.metadata.namespace ?? 'default'
      }/${entity.metadata.name}`,
    );
  }
  return backend;
}
