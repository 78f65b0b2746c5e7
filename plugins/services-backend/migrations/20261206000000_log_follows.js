// @ts-check

/**
 * The live log follows every backend replica holds open, so that the per-user and total follow
 * limits hold across replicas. Each replica renews its rows while it runs; the rows of a replica
 * that stopped go stale and stop counting.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('log_follows', table => {
    table.string('id', 36).primary();
    table.string('user_ref', 255).notNullable();
    // the holding replica's id, new at every start of the backend
    table.string('replica_id', 36).notNullable();
    table.timestamp('opened_at', { useTz: true }).notNullable();
    // renewed by the holding replica while it runs; a stale row is a replica that died
    table.timestamp('heartbeat_at', { useTz: true }).notNullable();
    table.index(['replica_id']);
    table.index(['user_ref']);
    table.index(['heartbeat_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('log_follows');
};
