// @ts-check

/**
 * Config file sets of a service (by kubernetes id) and every saved version of each: who, when,
 * why, and the full text of each file (encrypted for secret sets). `file_infos` keeps each
 * version's file names, sizes and checksums apart from the text, so version lists never load it.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('config_file_sets', table => {
    table.increments('id');
    table.string('kubernetes_id', 253).notNullable();
    table.string('name', 63).notNullable();
    table.boolean('secret').notNullable().defaultTo(false);
    table.integer('current_version').notNullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.unique(['kubernetes_id', 'name']);
  });
  await knex.schema.createTable('config_file_versions', table => {
    table.increments('id');
    table
      .integer('set_id')
      .notNullable()
      .references('id')
      .inTable('config_file_sets')
      .onDelete('CASCADE');
    table.integer('version').notNullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.text('message').notNullable();
    table.string('checksum', 64).notNullable();
    table.text('file_infos').notNullable(); // JSON: [{ name, format, bytes, checksum }]
    table.text('files', 'longtext').notNullable(); // JSON { name: text }, or "enc:v1:..." for secrets
    table.integer('rollback_of').nullable();
    table.string('origin', 16).notNullable(); // 'saved' | 'cluster'
    table.unique(['set_id', 'version']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('config_file_versions');
  await knex.schema.dropTable('config_file_sets');
};
