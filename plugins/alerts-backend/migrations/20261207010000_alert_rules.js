// @ts-check

/**
 * Alert rules of a service (catalog entity): the current set (`alert_rule_sets`, its version the
 * precondition of every edit), every version of it (who, when, why, the rules as JSON), one row
 * per current rule for the admin list (filtered by severity, team and cluster, paged in SQL), and
 * where each Prometheus stands with the set (`alert_rule_deliveries`), so every backend replica
 * and the scheduled re-delivery see the same state.
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('alert_rule_sets', table => {
    table.string('entity_ref', 255).primary();
    table.string('owner', 255).notNullable();
    table.string('kubernetes_id', 253).notNullable();
    table.integer('version').notNullable();
    table.text('rules').notNullable(); // JSON: AlertRule[]
    table.text('clusters').notNullable(); // ",local-a,local-b," (the targets at the last render)
    table.string('updated_by', 255).notNullable();
    table.timestamp('updated_at', { useTz: true }).notNullable();
  });
  await knex.schema.createTable('alert_rule_versions', table => {
    table.string('entity_ref', 255).notNullable();
    table.integer('version').notNullable();
    table.text('rules').notNullable();
    table.string('author', 255).notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable();
    table.text('message').notNullable();
    table.integer('rollback_of').nullable();
    table.primary(['entity_ref', 'version']);
  });
  await knex.schema.createTable('alert_rules', table => {
    table.string('entity_ref', 255).notNullable();
    table.string('rule_id', 40).notNullable();
    table.string('owner', 255).notNullable();
    table.string('severity', 16).notNullable();
    table.string('name', 255).notNullable();
    table.text('clusters').notNullable();
    table.primary(['entity_ref', 'rule_id']);
    table.index(['severity']);
    table.index(['owner']);
  });
  await knex.schema.createTable('alert_rule_deliveries', table => {
    table.string('entity_ref', 255).notNullable();
    table.string('prometheus', 255).notNullable();
    table.integer('version').notNullable();
    table.string('checksum', 64).notNullable();
    table.string('state', 16).notNullable(); // delivered | failed | loaded
    table.integer('loaded_version').nullable();
    table.integer('alerting_rules').notNullable().defaultTo(0);
    table.text('message').notNullable();
    table.timestamp('at', { useTz: true }).notNullable();
    table.primary(['entity_ref', 'prometheus']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('alert_rule_deliveries');
  await knex.schema.dropTable('alert_rules');
  await knex.schema.dropTable('alert_rule_versions');
  await knex.schema.dropTable('alert_rule_sets');
};
