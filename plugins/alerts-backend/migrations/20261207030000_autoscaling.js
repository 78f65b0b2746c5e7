// @ts-check

/**
 * Autoscaling: the settings of each service (versioned: a save names the version it was edited
 * from), the recent recommendations the scale-down stabilisation window reads (kept with the
 * settings, so every backend replica sees the same window), and the autoscaler's decisions
 * (identical decisions in a row are one row with a count; old rows are pruned).
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('autoscaling_settings', table => {
    table.string('entity_ref', 255).primary();
    table.boolean('enabled').notNullable();
    table.string('deployment', 253).notNullable();
    table.string('metric', 32).notNullable();
    table.double('target').notNullable();
    table.integer('min_replicas').notNullable();
    table.integer('max_replicas').notNullable();
    table.integer('version').notNullable();
    table.string('updated_by', 255).notNullable();
    table.bigInteger('updated_at').notNullable(); // unix milliseconds
    // JSON: [{ at, replicas }] of the last stabilisation window, written by the loop
    table.text('recommendations').notNullable().defaultTo('[]');
  });
  await knex.schema.createTable('autoscaling_decisions', table => {
    table.bigIncrements('id');
    table.string('entity_ref', 255).notNullable();
    table.bigInteger('at').notNullable(); // unix milliseconds of the first of identical decisions
    table.bigInteger('last_at').notNullable();
    table.integer('count').notNullable().defaultTo(1);
    table.string('outcome', 16).notNullable();
    // JSON: the decision as the API shows it, without at/lastAt/count
    table.text('decision').notNullable();
    // what makes two decisions in a row the same one
    table.string('fingerprint', 64).notNullable();
    table.index(['entity_ref', 'id']);
    table.index(['last_at']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('autoscaling_decisions');
  await knex.schema.dropTable('autoscaling_settings');
};
