// @ts-check

/**
 * The audit log: every outcome of an audited action of the suite's plugins, append-only (the
 * plugin inserts, and its retention task deletes what is older than the configured days).
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('audit_events', table => {
    table.bigIncrements('id');
    // epoch milliseconds: compared the same way on SQLite and PostgreSQL
    table.bigInteger('occurred_at').notNullable();
    table.string('plugin', 64).notNullable();
    table.string('event_id', 128).notNullable();
    table.string('severity', 16).notNullable();
    table.string('outcome', 16).notNullable();
    table.string('actor', 255).nullable();
    table.string('entity_ref', 255).nullable();
    table.string('cluster', 128).nullable();
    table.string('namespace', 128).nullable();
    table.string('request_id', 64).notNullable();
    table.string('method', 16).nullable();
    table.text('path').nullable();
    table.text('error').nullable();
    table.text('meta').notNullable(); // JSON, secrets replaced by ***
    table.index(['occurred_at'], 'audit_events_occurred_at_idx');
    table.index(['actor', 'id'], 'audit_events_actor_idx');
    table.index(['entity_ref', 'id'], 'audit_events_entity_idx');
    table.index(['event_id', 'id'], 'audit_events_event_idx');
    table.index(['plugin', 'id'], 'audit_events_plugin_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('audit_events');
};
