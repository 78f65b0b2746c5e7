// @ts-check

/**
 * The health controller's verdict per cluster, and failover runs with one row per service moved.
 * Times are ISO strings compared as text: the same on SQLite and PostgreSQL.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('clusters_health', table => {
    table.string('cluster', 63).primary();
    table.string('state', 16).notNullable(); // healthy | unhealthy
    table.string('since', 32).notNullable(); // when the state began
    table.text('reason').nullable(); // why it is unhealthy
    table.string('troubled_since', 32).nullable(); // a problem seen, not yet for the window
    table.text('trouble').nullable(); // what that problem is
    table.string('recovering_since', 32).nullable(); // an unhealthy cluster looking well since
    table.string('checked_at', 32).notNullable();
  });
  await knex.schema.createTable('clusters_failover_runs', table => {
    table.string('id', 36).primary();
    table.string('source', 63).notNullable();
    table.string('target', 63).notNullable();
    table.string('state', 16).notNullable(); // running | stopping | stopped | done
    table.string('created_by', 255).notNullable();
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.index(['state']);
  });
  await knex.schema.createTable('clusters_failover_steps', table => {
    table.string('run_id', 36).notNullable();
    table.integer('seq').notNullable();
    table.string('kubernetes_id', 63).notNullable();
    table.string('entity_ref', 255).nullable();
    table.string('namespace', 63).notNullable();
    table.string('deployment', 253).notNullable();
    table.integer('replicas').notNullable();
    table.integer('target_replicas').notNullable();
    // JSON: the source Deployment as it was when the run was planned (what the target gets)
    table.text('source_spec').notNullable();
    table.string('state', 16).notNullable();
    table.text('reason').nullable();
    table.string('updated_at', 32).notNullable();
    table.primary(['run_id', 'seq']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('clusters_failover_steps');
  await knex.schema.dropTable('clusters_failover_runs');
  await knex.schema.dropTable('clusters_health');
};
