/*
 * Audit search over many events: fills the clusters backend's audit_events table (its own
 * migrations) with N events spread over 90 days, 200 actors, 2,000 entities and 40 actions, then
 * times searches as the /audit page sends them (AuditStore.search: newest first, 50 per page) and
 * prints p50 / p95 / max per kind of search.
 *
 *   node bench/ops/audit.js [--events 1000000] [--db sqlite|postgres] [--searches 200]
 *
 * --db postgres needs BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING; a fresh database is
 * created for the run and dropped afterwards. SQLite runs on a file in the temp folder, removed
 * afterwards.
 */
import path from 'node:path';
import { AuditStore } from '../../plugins/clusters-backend/src/audit/AuditStore';
import { benchDatabase, options, percentile, say } from './shared';

export async function main(argv: string[]): Promise<number> {
  const arg = options(argv);
  const total = Number(arg('--events', '1000000'));
  const db = arg('--db', 'sqlite');
  const searches = Number(arg('--searches', '200'));
  const { knex, done } = await benchDatabase(db, 'audit');
  try {
    await knex.migrate.latest({
      directory: path.resolve(
        __dirname,
        '../../plugins/clusters-backend/migrations',
      ),
    });
    const start = Date.UTC(2026, 8, 1);
    const span = 90 * 86_400_000;
    const fillStarted = Date.now();
    const batch = db === 'postgres' ? 2000 : 500;
    for (let done = 0; done < total; done += batch) {
      const rows = [];
      for (let i = done; i < Math.min(total, done + batch); i++) {
        rows.push({
          occurred_at: start + Math.floor((i / total) * span),
          plugin: ['services', 'nginx', 'storage', 'clusters'][i % 4],
          event_id: `action-${i % 40}`,
          severity: 'medium',
          outcome: i % 17 === 0 ? 'failed' : 'succeeded',
          actor: `user:default/person-${(i * 7919) % 200}`,
          entity_ref: `component:default/service-${(i * 104729) % 2000}`,
          cluster: i % 2 ? 'local-a' : 'local-b',
          namespace: `ns-${i % 50}`,
          request_id: `req-${i}`,
          method: 'POST',
          path: '/api/services/services/default/x/scale',
          error: null,
          meta: JSON.stringify({ request: { replicas: i % 10 } }),
        });
      }
      await knex('audit_events').insert(rows);
      if ((done / batch) % 100 === 0)
        say(`${done + rows.length} / ${total} events`);
    }
    if (db === 'postgres') await knex.raw('ANALYZE audit_events');
    say(
      `filled ${total} events in ${((Date.now() - fillStarted) / 1000).toFixed(
        0,
      )} s`,
    );

    const store = new AuditStore(knex);
    const kinds: Record<
      string,
      (n: number) => Parameters<AuditStore['search']>[0]
    > = {
      'newest page': () => ({ limit: 50 }),
      'by actor': n => ({ limit: 50, actor: `user:default/person-${n % 200}` }),
      'by entity': n => ({
        limit: 50,
        entityRef: `component:default/service-${n % 2000}`,
      }),
      'by action + outcome': n => ({
        limit: 50,
        eventId: `action-${n % 40}`,
        outcome: 'failed',
      }),
      'by time range (one day)': n => ({
        limit: 50,
        from: new Date(start + (n % 89) * 86_400_000),
        to: new Date(start + ((n % 89) + 1) * 86_400_000),
      }),
      'entity, older than mid-range': n => ({
        limit: 50,
        entityRef: `component:default/service-${n % 2000}`,
        before: `${start + span / 2}_${total}`,
      }),
      'older than mid-range': () => ({
        limit: 50,
        before: `${start + span / 2}_${total}`,
      }),
    };
    process.stdout.write(
      `audit search over ${total} events on ${db} (${searches} searches each)\n`,
    );
    process.stdout.write(
      '| search | p50 ms | p95 ms | max ms |\n|---|---|---|---|\n',
    );
    for (const [kind, filters] of Object.entries(kinds)) {
      const times: number[] = [];
      for (let n = 0; n < searches; n++) {
        const t = process.hrtime.bigint();
        await store.search(filters(n * 37));
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      times.sort((a, b) => a - b);
      process.stdout.write(
        `| ${kind} | ${percentile(times, 50).toFixed(1)} | ${percentile(
          times,
          95,
        ).toFixed(1)} | ${times[times.length - 1].toFixed(1)} |\n`,
      );
    }
    return 0;
  } finally {
    await done();
  }
}
