// @ts-check

/**
 * App store instances: one row per Helm release installed through the app store, the record of
 * who owns it (a catalog entity), where it runs, and when it expires. The Helm release itself
 * (its revisions, values, status) lives in the cluster as Helm keeps it; this table is what the
 * suite's authority and expiry rest on, shared by every backend replica.
 * A row is never deleted: uninstalled and expired instances keep their record (deleted_at, and
 * deleted_reason 'uninstalled' | 'expired').
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('app_store_instances', table => {
    table.increments('id');
    table.string('cluster', 63).notNullable();
    table.string('namespace', 63).notNullable();
    table.string('name', 63).notNullable();
    table.string('repository', 63).notNullable();
    table.string('chart', 100).notNullable();
    table.string('version', 100).notNullable();
    table.string('owner', 255).notNullable(); // component:ns/name or group:ns/name
    table.string('environment', 16).notNullable(); // 'test' | 'production'
    table.string('preset', 16).notNullable();
    table.string('phase', 16).notNullable(); // see INSTANCE_PHASES in the contract
    table.text('failure').nullable(); // JSON { resource?, reason, events[] }
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.timestamp('expires_at', { useTz: true }).nullable(); // null: production, never expires
    table.timestamp('notified_at', { useTz: true }).nullable(); // the owner was told of the expiry
    table.timestamp('deleted_at', { useTz: true }).nullable();
    table.string('deleted_reason', 16).nullable();
    table.string('deleted_by', 255).nullable();
    // the one live instance of a name: set while not deleted, null after (so a name can be reused)
    table.string('live_key', 200).nullable().unique();
    table.index(['owner']);
    table.index(['expires_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('app_store_instances');
};
