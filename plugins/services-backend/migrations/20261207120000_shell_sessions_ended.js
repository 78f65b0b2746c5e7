// @ts-check

/**
 * When a web shell ended. Its row stays while its replica still holds the shell (a page reading
 * its end through another replica is passed there), but an ended shell no longer takes a slot of
 * the per-user and total limits.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('shell_sessions', table => {
    table.timestamp('ended_at', { useTz: true }).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('shell_sessions', table => {
    table.dropColumn('ended_at');
  });
};
