import { resolve } from 'node:path';
import type { Knex } from 'knex';

/** The autoscaler's migration file (the folder also holds the other parts' migrations). */
export const AUTOSCALING_MIGRATION = '20261207030000_autoscaling.js';

/**
 * Applies the autoscaler's own migration only, so its tests do not depend on the migrations of
 * the rules and receivers parts (the plugin itself applies the whole folder).
 */
export async function migrateAutoscaling(knex: Knex): Promise<void> {
  const file = resolve(__dirname, '../../../migrations', AUTOSCALING_MIGRATION);
  await knex.migrate.latest({
    tableName: 'knex_migrations_autoscaling_test',
    migrationSource: {
      getMigrations: async () => [AUTOSCALING_MIGRATION],
      getMigrationName: (name: string) => name,
      getMigration: async () => require(file),
    },
  });
}
