// @ts-check

/**
 * Domains as saved (the draft of the next publish) and every published version of a cluster.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('nginx_domains', table => {
    table.string('cluster', 63).notNullable();
    table.string('name', 63).notNullable();
    table.text('spec').notNullable(); // JSON: the validated domain
    table.string('updated_by', 255).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.primary(['cluster', 'name']);
  });
  await knex.schema.createTable('nginx_versions', table => {
    table.increments('id');
    table.string('cluster', 63).notNullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.text('message').notNullable();
    table.text('files').notNullable(); // JSON: { "<domain>.conf": "<full text>" }
    table.text('domains').notNullable(); // JSON: the domains the files were rendered from
    table.integer('rollback_of').nullable();
    table.text('delivery').nullable(); // JSON: per-node results
    table.index(['cluster', 'id']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('nginx_versions');
  await knex.schema.dropTable('nginx_domains');
};
