// @ts-check

/**
 * The ConfigMaps a moved Deployment refers to, as read from the source when the run was planned
 * (JSON list; null when the source could not be read then), created in the target beside it.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('clusters_failover_steps', table => {
    table.text('config_maps').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('clusters_failover_steps', table => {
    table.dropColumn('config_maps');
  });
};
