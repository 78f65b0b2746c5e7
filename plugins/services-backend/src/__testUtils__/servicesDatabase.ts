import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';

/**
 * The services plugin of every replica on the one database under test (and other plugins on theirs
 * in `others`, e.g. the events bus, shared by every replica as in production); the other plugins of each replica (the catalog) on their own throwaway
 * one, as their tables would clash in a shared one.
 */
export function servicesDatabase(
  shared: Knex,
  others: Record<string, Knex> = {},
) {
  return createServiceFactory({
    service: coreServices.database,
    deps: { plugin: coreServices.pluginMetadata },
    factory({ plugin }) {
      const knex =
        plugin.getId() === 'services'
          ? shared
          : others[plugin.getId()] ??
            knexFactory({
              client: 'better-sqlite3',
              connection: ':memory:',
              useNullAsDefault: true,
            });
      return mockServices.database({ knex });
    },
  });
}
