// @ts-check

/**
 * The run engine's own columns (issue 16, runs):
 *
 * - `needs_approval`: the run came from a webhook rule with `approval: true`: after its push it
 *   waits (`awaiting-approval`) until an owner approves the roll-out.
 * - `request_id`: the run request (`codeflow_run_requests`, a webhook delivery) the run was made
 *   from; unique, so a request becomes one run whichever replica takes it.
 * - `superseded_by`: the newer webhook run that replaced this one (`runs.onNewPush: supersede`);
 *   a running run asked to stop for it ends `superseded`, not `cancelled`.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('codeflow_runs', table => {
    table.boolean('needs_approval').notNullable().defaultTo(false);
    table.integer('request_id').nullable().unique();
    table.string('superseded_by', 40).nullable();
    table.index(['codeflow_id', 'status']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('codeflow_runs', table => {
    table.dropIndex(['codeflow_id', 'status']);
    table.dropUnique(['request_id']);
    table.dropColumn('superseded_by');
    table.dropColumn('request_id');
    table.dropColumn('needs_approval');
  });
};
