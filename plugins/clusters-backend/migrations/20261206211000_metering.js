// @ts-check

/**
 * Metering: one row per service per sampling interval (resolution `sample`), and the hourly and
 * daily averages rolled up from them (`hour`, `day`). Each (resolution, service, interval) is
 * one row, so a sample taken twice (two replicas, a retried task) writes it once.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('metering_samples', table => {
    table.bigIncrements('id');
    table.string('resolution', 8).notNullable();
    // the interval's start, epoch milliseconds
    table.bigInteger('interval_start').notNullable();
    table.string('entity_ref', 255).notNullable();
    table.string('kubernetes_id', 255).notNullable();
    table.string('team', 255).notNullable();
    table.double('cpu_requested').notNullable(); // cores
    table.double('cpu_used').notNullable();
    table.double('memory_requested').notNullable(); // bytes
    table.double('memory_used').notNullable();
    table.double('replicas').notNullable();
    table.unique(['resolution', 'entity_ref', 'interval_start'], {
      indexName: 'metering_samples_unique_idx',
    });
    table.index(
      ['resolution', 'team', 'interval_start'],
      'metering_samples_team_idx',
    );
    table.index(['resolution', 'interval_start'], 'metering_samples_time_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('metering_samples');
};
