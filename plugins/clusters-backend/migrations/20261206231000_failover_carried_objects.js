// @ts-check

/**
 * What a moved Deployment carries into the target besides its ConfigMaps, as planned (JSON): the
 * Secrets it reads, by name only (their content is read from the source when the service scales
 * up, never stored), and the claims to make there from the storage module's claims in the source
 * (the target's storage type of the same name). Null: nothing to carry.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('clusters_failover_steps', table => {
    table.text('carried').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('clusters_failover_steps', table => {
    table.dropColumn('carried');
  });
};
