// @ts-check

/**
 * The audit log pages newest first by the time of each event (then its id): every filter's index
 * ends in (occurred_at, id), so a page of any filter, or of any time range, is read in that order
 * from an index and stops after one page (ordering by id alone sent PostgreSQL scanning the
 * primary key backwards through every newer event before reaching an older time range).
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('audit_events', table => {
    table.dropIndex(['occurred_at'], 'audit_events_occurred_at_idx');
    table.dropIndex(['actor', 'id'], 'audit_events_actor_idx');
    table.dropIndex(['entity_ref', 'id'], 'audit_events_entity_idx');
    table.dropIndex(['event_id', 'id'], 'audit_events_event_idx');
    table.dropIndex(['plugin', 'id'], 'audit_events_plugin_idx');
    table.index(['occurred_at', 'id'], 'audit_events_time_idx');
    table.index(['actor', 'occurred_at', 'id'], 'audit_events_actor_time_idx');
    table.index(
      ['entity_ref', 'occurred_at', 'id'],
      'audit_events_entity_time_idx',
    );
    table.index(
      ['event_id', 'occurred_at', 'id'],
      'audit_events_event_time_idx',
    );
    table.index(
      ['plugin', 'occurred_at', 'id'],
      'audit_events_plugin_time_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('audit_events', table => {
    table.dropIndex(['occurred_at', 'id'], 'audit_events_time_idx');
    table.dropIndex(
      ['actor', 'occurred_at', 'id'],
      'audit_events_actor_time_idx',
    );
    table.dropIndex(
      ['entity_ref', 'occurred_at', 'id'],
      'audit_events_entity_time_idx',
    );
    table.dropIndex(
      ['event_id', 'occurred_at', 'id'],
      'audit_events_event_time_idx',
    );
    table.dropIndex(
      ['plugin', 'occurred_at', 'id'],
      'audit_events_plugin_time_idx',
    );
    table.index(['occurred_at'], 'audit_events_occurred_at_idx');
    table.index(['actor', 'id'], 'audit_events_actor_idx');
    table.index(['entity_ref', 'id'], 'audit_events_entity_idx');
    table.index(['event_id', 'id'], 'audit_events_event_idx');
    table.index(['plugin', 'id'], 'audit_events_plugin_idx');
  });
};
