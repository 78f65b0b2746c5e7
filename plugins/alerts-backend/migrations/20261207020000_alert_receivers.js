// @ts-check

/**
 * The receivers alerts are sent to (managed by ops), each change of them (who, when, what), and
 * the Alertmanager configuration they render to: one row whose version goes up with every change
 * and whose checksum is that of the file the backend writes, so any replica can tell whether the
 * file on disk is the current one.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('alert_receivers', table => {
    table.string('name', 63).primary();
    table.string('kind', 16).notNullable(); // email | webhook | im
    table.text('description').nullable();
    table.boolean('send_resolved').notNullable().defaultTo(true);
    table.text('settings').notNullable(); // JSON: the kind's settings without secrets
    table.text('secrets').notNullable(); // JSON: the kind's secrets, never sent to a browser
    table.integer('version').notNullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.string('updated_by', 255).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('alert_receiver_changes', table => {
    table.increments('id');
    table.string('receiver', 63).notNullable();
    table.string('action', 16).notNullable(); // create | update | delete
    table.integer('version').notNullable(); // the receiver's version after (before, for a delete)
    table.integer('config_version').notNullable();
    table.text('settings').nullable(); // JSON without secrets; null for a delete
    table.string('changed_by', 255).notNullable();
    table.timestamp('changed_at', { useTz: true }).notNullable();
    table.index(['receiver']);
  });
  await knex.schema.createTable('alertmanager_config', table => {
    table.integer('id').primary(); // always 1
    table.integer('version').notNullable();
    table.string('checksum', 64).nullable(); // sha256 of the rendered file; null: not rendered yet
    table.string('changed_by', 255).nullable();
    table.timestamp('changed_at', { useTz: true }).nullable();
  });
  await knex('alertmanager_config').insert({ id: 1, version: 0 });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('alertmanager_config');
  await knex.schema.dropTable('alert_receiver_changes');
  await knex.schema.dropTable('alert_receivers');
};
