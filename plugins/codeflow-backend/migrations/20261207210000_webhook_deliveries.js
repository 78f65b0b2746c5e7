// @ts-check

/**
 * A codeflow's webhooks (issue 16, triggers):
 *
 * - `codeflow_webhook_secrets`: the per-codeflow secret, sealed (`enc:v1:`, AES-256-GCM under
 *   `containerCloud.codeflow.webhooks.encryptionKey`): GitLab sends the token itself, so the
 *   backend must read it back to compare; never answered after it is set.
 * - `codeflow_webhook_deliveries`: every delivery and its outcome (accepted, ignored, refused,
 *   duplicate). `dedupe_key` = `<provider>:<codeflow>:<delivery id>` on the first authenticated
 *   delivery of an id, unique: a replay (or the same delivery reaching two replicas) records one
 *   run; the replay's own row has no key.
 * - `codeflow_run_requests`: what an accepted delivery asks for (trigger, commit, ref,
 *   environment, who), queued (or awaiting approval) for the run engine to take.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('codeflow_webhook_secrets', table => {
    table.string('codeflow_id', 40).primary();
    table.text('sealed_secret').notNullable();
    table.string('set_by', 255).notNullable();
    table.timestamp('set_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('codeflow_run_requests', table => {
    table.increments('id').primary();
    table.string('codeflow_id', 40).notNullable();
    table.string('status', 32).notNullable(); // queued | awaiting-approval | taken by the engine
    table.string('trigger', 32).notNullable(); // e.g. gitlab-push, gitlab-tag, gitlab-merge
    table.string('ref', 255).notNullable();
    table.string('ref_kind', 8).notNullable(); // branch | tag
    table.string('commit_sha', 64).notNullable();
    table.text('commit_message').nullable();
    table.string('commit_author', 255).nullable();
    table.string('environment', 63).notNullable();
    table.string('requested_by', 255).notNullable();
    table.string('pushed_by', 255).nullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.index(['codeflow_id', 'status']);
  });
  await knex.schema.createTable('codeflow_webhook_deliveries', table => {
    table.increments('id').primary();
    table.string('codeflow_id', 40).notNullable();
    table.string('provider', 16).notNullable();
    table.string('event', 100).nullable();
    table.string('delivery_id', 100).nullable();
    table.string('dedupe_key', 200).nullable().unique();
    table.string('outcome', 16).notNullable();
    table.text('reason').notNullable();
    table.integer('status').notNullable();
    table.string('ref', 255).nullable();
    table.string('ref_kind', 8).nullable();
    table.string('commit_sha', 64).nullable();
    table.string('environment', 63).nullable();
    table
      .integer('run_request_id')
      .unsigned()
      .nullable()
      .references('id')
      .inTable('codeflow_run_requests')
      .onDelete('SET NULL');
    table.timestamp('received_at', { useTz: true }).notNullable();
    table.index(['codeflow_id', 'id']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('codeflow_webhook_deliveries');
  await knex.schema.dropTable('codeflow_run_requests');
  await knex.schema.dropTable('codeflow_webhook_secrets');
};
