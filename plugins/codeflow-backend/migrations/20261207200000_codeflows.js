// @ts-check

/**
 * A service's codeflows (issue 16): how its code is built into an image and rolled out. One row
 * per codeflow: the definition as JSON (the contract's `CodeflowDefinition`, without secrets:
 * credentials are referenced by name), the service (Component) it belongs to, who created and
 * last changed it, its version (the precondition of every edit) and, once deleted, when (the row
 * stays for the runs' history). `live_key` = `<entity_ref>/<name>` while the codeflow is live,
 * NULL once deleted: two codeflows of one service cannot share a name, whichever replica saves.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('codeflows', table => {
    table.string('id', 40).primary();
    table.string('entity_ref', 255).notNullable();
    table.string('name', 63).notNullable();
    table.string('live_key', 320).nullable().unique();
    table.text('definition').notNullable(); // JSON: CodeflowDefinition
    table.integer('version').notNullable();
    table.string('created_by', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.string('updated_by', 255).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
    table.timestamp('deleted_at', { useTz: true }).nullable();
    table.string('deleted_by', 255).nullable();
    table.index(['entity_ref']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('codeflows');
};
