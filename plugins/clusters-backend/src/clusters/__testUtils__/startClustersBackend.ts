import {
  BackendFeature,
  coreServices,
  createServiceFactory,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import permissionPlugin from '@backstage/plugin-permission-backend';
import policyModule from '@internal/plugin-permission-backend-module-container-cloud-policy';
import type { LocalCloudInfo } from '@internal/local-cloud';
import {
  authKeepingActors,
  catalogFixtures,
  FIXTURES_ORIGIN,
  serviceEntity,
  userInfoFromMemberships,
  waitForEntity,
} from '@internal/plugin-container-cloud-node/testing';
import knexFactory, { Knex } from 'knex';
import { clustersPlugin } from '../../plugin';

export const ALICE = 'user:default/alice'; // team-payments, owns payments-api
export const BOB = 'user:default/bob'; // team-orders
export const CAROL = 'user:default/carol'; // ops admin

/** The clusters plugin (and its scheduler's tables) on the database under test; others on their own. */
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

/** A throwaway SQLite database. */
export function sqlite(): Knex {
  return knexFactory({
    client: 'better-sqlite3',
    connection: ':memory:',
    useNullAsDefault: true,
  });
}

/** The local cloud's clusters in `kubernetes.clusterLocatorMethods` form. */
export function clusterLocators(clusters: LocalCloudInfo['clusters']) {
  return clusters.map(c => ({
    name: c.name,
    url: c.url,
    authProvider: 'serviceAccount',
    serviceAccountToken: c.serviceAccountToken,
    caData: c.caData,
  }));
}

/** Calls `read` until it gives a value (or fails, naming what never happened). */
export async function poll<T>(
  what: string,
  read: () => Promise<T | undefined>,
  options: { attempts?: number; intervalMs?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 240;
  for (let i = 0; i < attempts; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise(resolve =>
      setTimeout(resolve, options.intervalMs ?? 500),
    );
  }
  throw new Error(`${what} never happened`);
}

/** The service a feature implements, when it is a service factory. */
function serviceOf(feature: BackendFeature | ServiceFactory) {
  return (feature as { service?: { id?: string } }).service?.id;
}

/**
 * The clusters plugin with the real catalog, permission backend, the suite's policy and
 * Backstage's real scheduler (its tasks and locks in the plugin's database): payments-api
 * (team-payments) and orders-api (team-orders) in the catalog unless told otherwise; alice in
 * team-payments, bob in team-orders, carol an ops admin.
 */
export async function startClustersBackend(options: {
  knex: Knex;
  /** `kubernetes.clusterLocatorMethods` clusters (see `clusterLocators`) */
  clusters?: object[];
  /** more `containerCloud` config */
  containerCloud?: object;
  /** the services in the catalog, in place of payments-api and orders-api; the start waits for them */
  entities?: Entity[];
  /**
   * more plugins and service factories; a service factory given here takes the place of the
   * default one for its service (the last one given wins), e.g. a recording auditor, the suite's
   * auditor or a scheduler the test triggers tasks on
   */
  features?: (BackendFeature | ServiceFactory)[];
}) {
  const entities = options.entities ?? [
    serviceEntity('payments-api', 'group:default/team-payments'),
    serviceEntity('orders-api', 'group:default/team-orders'),
  ];
  const all = [
    permissionPlugin,
    catalogPlugin,
    policyModule,
    clustersPlugin,
    catalogFixtures(entities),
    userInfoFromMemberships(),
    authKeepingActors,
    httpAuthServiceFactory,
    eventsServiceFactory,
    schedulerServiceFactory,
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
          ...options.containerCloud,
        },
        kubernetes: {
          clusterLocatorMethods: [
            { type: 'config', clusters: options.clusters ?? [] },
          ],
        },
      },
    }),
  ];
  const lastOf = new Map<string, number>();
  all.forEach((feature, i) => {
    const service = serviceOf(feature);
    if (service) lastOf.set(service, i);
  });
  const backend = await startTestBackend({
    features: all.filter((feature, i) => {
      const service = serviceOf(feature);
      return !service || lastOf.get(service) === i;
    }),
  });
  for (const entity of entities) {
    await waitForEntity(
      `http://localhost:${backend.server.port()}`,
      `component/default/${entity.metadata.name}`,
    );
  }
  return backend;
}
