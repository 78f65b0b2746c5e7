// @ts-check

/**
 * A codeflow's runs (issue 16, runs):
 *
 * - `codeflow_runs`: one row a run: its build number (unique per codeflow), status, trigger, who
 *   asked and whose authority the roll-out uses, ref and commit, executor and its handle, the
 *   image, the steps (JSON), the reason in words when it failed. `claimed_by` / `heartbeat_at`:
 *   the replica running it and when it last said so (a run whose replica stopped is failed by
 *   another replica, in words). `cancel_requested_*`: a cancel asked on any replica, which the
 *   running replica acts on.
 * - `codeflow_run_logs`: a run's log in chunks (`seq` from 0), each of one step; the sum is
 *   capped per run (`containerCloud.codeflow.runs.maxLogBytes`).
 * - `codeflow_preprocessing_images`: pre-processing images built, by key (sha256 of base and
 *   script): reused while the key is the same.
 * - `codeflow_run_requests.run_id`: the run a queued request (a webhook delivery) became.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('codeflow_runs', table => {
    table.string('id', 40).primary();
    table.string('codeflow_id', 40).notNullable();
    table.string('service_ref', 255).notNullable();
    table.integer('number').notNullable();
    table.string('status', 32).notNullable();
    table.string('trigger', 32).notNullable();
    table.string('requested_by', 255).notNullable();
    table.string('acting_for', 255).notNullable();
    table.string('pushed_by', 255).nullable();
    table.string('ref_kind', 8).notNullable();
    table.string('ref_name', 255).notNullable();
    table.string('commit_sha', 64).nullable();
    table.text('commit_message').nullable();
    table.string('commit_author', 255).nullable();
    table.string('environment', 63).notNullable();
    table.string('executor', 32).notNullable();
    table.text('executor_handle').nullable();
    table.text('image').nullable();
    table.string('image_digest', 100).nullable();
    table.boolean('preprocessing_reused').nullable();
    table.text('steps').notNullable(); // JSON: CodeflowRunStep[]
    table.text('reason').nullable();
    table.string('failure_kind', 32).nullable();
    table.text('last_lines').nullable(); // JSON: string[]
    table.text('definition').notNullable(); // JSON: the codeflow as it was when the run was asked for
    table.string('cancelled_by', 255).nullable();
    table.string('approved_by', 255).nullable();
    table.string('cancel_requested_by', 255).nullable();
    table.timestamp('cancel_requested_at', { useTz: true }).nullable();
    table.string('claimed_by', 100).nullable();
    table.timestamp('heartbeat_at', { useTz: true }).nullable();
    table.integer('log_bytes').notNullable().defaultTo(0);
    table.boolean('log_truncated').notNullable().defaultTo(false);
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.timestamp('started_at', { useTz: true }).nullable();
    table.timestamp('finished_at', { useTz: true }).nullable();
    table.unique(['codeflow_id', 'number']);
    table.index(['status', 'created_at']);
    table.index(['service_ref']);
  });
  await knex.schema.createTable('codeflow_run_logs', table => {
    table.string('run_id', 40).notNullable();
    table.integer('seq').notNullable();
    table.string('step', 200).notNullable();
    table.text('text').notNullable();
    /** the byte offset after this chunk in the run's whole log */
    table.integer('end_offset').notNullable();
    table.primary(['run_id', 'seq']);
  });
  await knex.schema.createTable('codeflow_preprocessing_images', table => {
    table.string('key', 64).primary();
    table.text('image').notNullable();
    table.string('image_digest', 100).nullable();
    table.string('built_by_run', 40).notNullable();
    table.timestamp('built_at', { useTz: true }).notNullable();
  });
  await knex.schema.alterTable('codeflow_run_requests', table => {
    table.string('run_id', 40).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('codeflow_run_requests', table => {
    table.dropColumn('run_id');
  });
  await knex.schema.dropTable('codeflow_preprocessing_images');
  await knex.schema.dropTable('codeflow_run_logs');
  await knex.schema.dropTable('codeflow_runs');
};
