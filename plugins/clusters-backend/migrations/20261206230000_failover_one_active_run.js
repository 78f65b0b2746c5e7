// @ts-check

/**
 * At most one active (running or stopping) failover run per source cluster, held by the database:
 * two replicas starting a run off the same cluster at the same instant both pass the service's
 * check, and only this index stops the second. Older duplicates, if a database has any, are
 * stopped first (a stopped run can be resumed once the other one is done).
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  const active = await knex('clusters_failover_runs')
    .whereIn('state', ['running', 'stopping'])
    .orderBy('created_at', 'desc')
    .select('id', 'source');
  const seen = new Set();
  for (const run of active) {
    if (seen.has(run.source)) {
      await knex('clusters_failover_runs')
        .where({ id: run.id })
        .update({ state: 'stopped' });
    }
    seen.add(run.source);
  }
  await knex.raw(
    `CREATE UNIQUE INDEX clusters_failover_one_active_run ON clusters_failover_runs (source) WHERE state IN ('running', 'stopping')`,
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.raw('DROP INDEX clusters_failover_one_active_run');
};
