// @ts-check

/**
 * Optimistic versions of saved domains (a save or member update names the version it was made
 * from; a stale one is refused), and the delivery intent of each published version (recorded
 * with the version, cleared when its delivery is recorded, so a replica that dies in between
 * leaves a version another replica or the scheduled task delivers).
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('nginx_domains', table => {
    table.integer('version').notNullable().defaultTo(1);
  });
  await knex.schema.alterTable('nginx_versions', table => {
    // versions recorded before this migration were delivered (or superseded): not pending
    table.boolean('delivery_pending').notNullable().defaultTo(false);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('nginx_versions', table => {
    table.dropColumn('delivery_pending');
  });
  await knex.schema.alterTable('nginx_domains', table => {
    table.dropColumn('version');
  });
};
