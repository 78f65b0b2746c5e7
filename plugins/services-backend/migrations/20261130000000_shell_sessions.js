// @ts-check

/**
 * Which backend replica holds each open web shell, so that a shell's requests reaching another
 * replica through a load balancer are forwarded to the one holding its apiserver connection.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('shell_sessions', table => {
    table.string('id', 36).primary();
    table.string('user_ref', 255).notNullable();
    table.string('entity_ref', 255).notNullable();
    // the holding replica's own base URL, as the other replicas reach it
    table.string('replica_url', 255).notNullable();
    table.timestamp('opened_at', { useTz: true }).notNullable();
    // renewed by the holding replica while it runs; a stale row is a replica that died
    table.timestamp('heartbeat_at', { useTz: true }).notNullable();
    table.index(['replica_url']);
    table.index(['user_ref']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('shell_sessions');
};
