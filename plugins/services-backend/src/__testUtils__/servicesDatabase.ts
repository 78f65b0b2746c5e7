import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';

/**
 * The services plugin of every replica on the one database under test; the other plugins of each
 * replica (the catalog) on their own throwaway one, as their tables would clash in a shared one.
 */
export function servicesDatabase(shared: Knex) {
  return createServiceFactory({
    service: coreServices.database,
    deps: { plugin: coreServices.pluginMetadata },
    factory({ plugin }) {
      const knex =
        plugin.getId() === 'services'
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
