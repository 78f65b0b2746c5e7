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
import knexFactory, { Knex } from 'knex';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { codeflowPlugin } from '../plugin';

export type { RecordedAuditEvent };
export { recordingAuditor };

/** The people of the test backends (see EXAMPLE_MEMBERSHIPS). */
export const ALICE = 'user:default/alice'; // team-payments: owns payments-api
export const BOB = 'user:default/bob'; // team-orders: owns orders-api
export const CAROL = 'user:default/carol'; // ops admin

/** The databases the codeflow plugin's tests run on: SQLite always, PostgreSQL when configured. */
export function codeflowTestDatabases() {
  return TestDatabases.create({
    ids: ['SQLITE_3', 'POSTGRES_15'],
    disableDocker: true,
  });
}

/**
 * The codeflow plugin's database as a service factory (for `services`), e.g. one of
 * `codeflowTestDatabases()`'s; every other plugin (the catalog, ...) gets its own SQLite in memory.
 */
export function codeflowDatabase(knex: Knex | Promise<Knex>) {
  return createServiceFactory({
    service: coreServices.database,
    deps: { plugin: coreServices.pluginMetadata },
    factory: async ({ plugin }) =>
      mockServices.database({
        knex:
          plugin.getId() === 'codeflow'
            ? await knex
            : knexFactory({
                client: 'better-sqlite3',
                connection: ':memory:',
                useNullAsDefault: true,
              }),
      }),
  });
}

/** The plugin's database as one of `codeflowTestDatabases()`'s. */
export function codeflowTestDatabase(
  databases: TestDatabases,
  databaseId: TestDatabaseId | string,
) {
  return codeflowDatabase(databases.init(databaseId as TestDatabaseId));
}

/**
 * The local cloud's generated app-config (`$LOCAL_CLOUD_APP_CONFIG`), or undefined when the local
 * cloud's environment is not loaded.
 */
export function localCloudAppConfig():
  | {
      kubernetes: { clusterLocatorMethods: Array<{ clusters: object[] }> };
      containerCloud: Record<string, unknown>;
    }
  | undefined {
  const file = process.env.LOCAL_CLOUD_APP_CONFIG;
  if (!file) return undefined;
  return parse(readFileSync(file, 'utf8'));
}

/** The local cloud's clusters in `kubernetes.clusterLocatorMethods` form (throws without its env). */
export function localCloudClusters(): object[] {
  const config = localCloudAppConfig();
  if (!config) throw new Error('load the local cloud env: local-cloud env');
  return config.kubernetes.clusterLocatorMethods.flatMap(m => m.clusters);
}

/**
 * The codeflow plugin in a backend with the real catalog, permission backend and the suite's
 * policy: payments-api (team-payments) and orders-api (team-orders) in the catalog unless
 * `entities` says otherwise; alice in team-payments, bob in team-orders, carol an ops admin.
 * `clusters` in `kubernetes.clusterLocatorMethods` form (e.g. `localCloudClusters()`); `codeflow`
 * is `containerCloud.codeflow`; `database` the plugin's database (default: SQLite in memory; the
 * other plugins each keep their own); `plugin` replaces the codeflow plugin (stand-in executor and
 * roll-out).
 * Resolves once the catalog serves every entity.
 */
export async function startCodeflowBackend(
  options: {
    clusters?: object[];
    codeflow?: object;
    /** more of `containerCloud` (binding, registry, ...) */
    containerCloud?: object;
    /** more top-level config (e.g. `backend`) */
    config?: object;
    entities?: Entity[];
    database?: Knex | Promise<Knex>;
    services?: ServiceFactory[];
    features?: BackendFeature[];
    /** the codeflow plugin itself, e.g. `createCodeflowPlugin({ executor, rollout })` with stand-ins */
    plugin?: BackendFeature;
  } = {},
) {
  const entities = options.entities ?? [
    serviceEntity('payments-api', 'group:default/team-payments'),
    serviceEntity('orders-api', 'group:default/team-orders'),
  ];
  const backend = await startTestBackend({
    features: [
      permissionPlugin,
      catalogPlugin,
      policyModule,
      options.plugin ?? codeflowPlugin,
      catalogFixtures(entities),
      userInfoFromMemberships(),
      authKeepingActors,
      httpAuthServiceFactory,
      ...(options.database ? [codeflowDatabase(options.database)] : []),
      ...(options.features ?? []),
      ...(options.services ?? []),
      mockServices.rootConfig.factory({
        data: {
          ...options.config,
          permission: { enabled: true },
          catalog: { processingInterval: { seconds: 1 } },
          containerCloud: {
            permissions: { opsAdminGroups: ['group:default/ops-admins'] },
            // the fixtures' entities come from this location: trusted, as catalog.locations are
            binding: { trustedOrigins: [FIXTURES_ORIGIN] },
            codeflow: options.codeflow ?? {},
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
      `${entity.kind.toLocaleLowerCase('en-US')}/${
        entity.metadata.namespace ?? 'default'
      }/${entity.metadata.name}`,
    );
  }
  return backend;
}
