// @ts-check

/**
 * Every pod a service ever had, recorded from the watch and kept after the pod is gone.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('pod_history', table => {
    table.increments('id');
    table.string('cluster', 255).notNullable();
    table.string('uid', 64).notNullable();
    table.string('kubernetes_id', 255).notNullable();
    table.string('namespace', 63).notNullable();
    table.string('pod_name', 253).notNullable();
    table.string('deployment', 253).nullable();
    table.string('ip', 64).nullable();
    table.string('node', 253).nullable();
    table.text('images').notNullable(); // JSON: [{ container, image }]
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('ended_at', { useTz: true }).nullable();
    table.string('exit_reason', 255).nullable();
    table.integer('exit_code').nullable();
    table.integer('restarts').notNullable().defaultTo(0);
    table.unique(['cluster', 'uid']);
    table.index(['kubernetes_id', 'started_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('pod_history');
};
