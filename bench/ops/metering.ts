/*
 * Metering for N services over D days: the write cost of one sampling interval (N sample rows,
 * then the hour's and the day's roll-ups, as each run of the task does) and the p50 / p95 of the
 * page's queries (MeteringStore, as the routes call it): every team's averages over D days (daily
 * rows), one team's series over D days (hourly points, daily averages), one service's over the
 * last day (samples).
 *
 *   node bench/ops/metering.js [--services 1000] [--days 30] [--db sqlite|postgres] [--queries 50]
 *
 * The table holds what the task would have kept: D days of hourly and daily rows and the last two
 * days of 5-minute samples (older samples are pruned at the default retention of D days, but the
 * page never reads samples beyond 2 days). 50 teams. --db postgres needs
 * BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING (a fresh database, dropped afterwards).
 */
import path from 'node:path';
import {
  MeteringStore,
  Resolution,
  ServiceSample,
} from '../../plugins/clusters-backend/src/metering/MeteringStore';
import { benchDatabase, options, percentile, say } from './shared';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const team = (i: number) => `group:default/team-${i % 50}`;

function samples(services: number, t: number): ServiceSample[] {
  return Array.from({ length: services }, (_, i) => ({
    entityRef: `component:default/service-${i}`,
    kubernetesId: `service-${i}`,
    team: team(i),
    cpuRequested: 1 + (i % 4),
    cpuUsed: ((i * 7 + t / HOUR) % 100) / 100,
    memoryRequested: 2 ** 30,
    memoryUsed: 2 ** 28,
    replicas: 1 + (i % 3),
  }));
}

function stats(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => percentile(sorted, p);
  return `${at(50).toFixed(1)} | ${at(95).toFixed(1)} | ${sorted[
    sorted.length - 1
  ].toFixed(1)}`;
}

async function timed(fn: () => Promise<unknown>) {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

export async function main(argv: string[]): Promise<number> {
  const arg = options(argv);
  const services = Number(arg('--services', '1000'));
  const days = Number(arg('--days', '30'));
  const db = arg('--db', 'sqlite');
  const queries = Number(arg('--queries', '50'));
  const { knex, done } = await benchDatabase(db, 'metering');
  try {
    await knex.migrate.latest({
      directory: path.resolve(
        __dirname,
        '../../plugins/clusters-backend/migrations',
      ),
    });
    const store = new MeteringStore(knex);
    const now = Math.floor(Date.UTC(2026, 11, 31) / DAY) * DAY;
    const from = now - days * DAY;
    const fillStarted = Date.now();
    const write = (resolution: Resolution, t: number) =>
      store.write(resolution, t, samples(services, t));
    for (let t = from; t < now; t += DAY) await write('day', t);
    for (let t = from; t < now; t += HOUR) {
      await write('hour', t);
      if ((t - from) % (5 * DAY) === 0)
        say(`hours filled up to day ${(t - from) / DAY}`);
    }
    for (let t = now - 2 * DAY; t < now; t += 5 * 60_000)
      await write('sample', t);
    if (db === 'postgres') await knex.raw('ANALYZE metering_samples');
    const rows = await knex('metering_samples').count({ n: '*' }).first();
    say(
      `filled ${rows?.n} rows in ${((Date.now() - fillStarted) / 1000).toFixed(
        0,
      )} s`,
    );

    // one run of the task: the interval's samples and the roll-ups
    const writes: number[] = [];
    for (let n = 0; n < 10; n++) {
      const t = now + n * 5 * 60_000;
      writes.push(
        await timed(async () => {
          await store.write('sample', t, samples(services, t));
          await store.rollUp('hour', Math.floor(t / HOUR) * HOUR);
          await store.rollUp('day', Math.floor(t / DAY) * DAY);
        }),
      );
    }
    const kinds: Record<string, (n: number) => Promise<unknown>> = {
      // as the routes read a range of more than 7 days: averages from the daily rows
      [`every team, ${days} days (summary)`]: () =>
        store.averages('day', from, now, {}),
      [`one team's series, ${days} days`]: async n => {
        await store.points('hour', from, now, { team: team(n) });
        await store.averages('day', from, now, { team: team(n) });
      },
      "one service's series, last day": n =>
        store.points('sample', now - DAY, now, {
          entityRef: `component:default/service-${n % services}`,
        }),
    };
    process.stdout.write(
      `metering: ${services} services over ${days} days on ${db} (${rows?.n} rows)\n\n` +
        `one sampling run (${services} rows + roll-ups), ms: p50 | p95 | max = ${stats(
          writes,
        )}\n\n` +
        '| query | p50 ms | p95 ms | max ms |\n|---|---|---|---|\n',
    );
    for (const [kind, query] of Object.entries(kinds)) {
      const times: number[] = [];
      for (let n = 0; n < queries; n++) times.push(await timed(() => query(n)));
      process.stdout.write(
        `| ${kind} | ${stats(times).replace(/ \| /g, ' | ')} |\n`,
      );
    }
    return 0;
  } finally {
    await done();
  }
}
