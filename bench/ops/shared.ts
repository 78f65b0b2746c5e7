/*
 * What the bench/ops database benchmarks (audit.ts, metering.ts) share: progress lines, their
 * command-line options, a fresh database of the kind asked for and percentiles of timings.
 */
import knexFactory, { Knex } from 'knex';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A progress line on stderr (stdout carries the results). */
export const say = (line: string) =>
  process.stderr.write(
    `[bench ${new Date().toTimeString().slice(0, 8)}] ${line}\n`,
  );

/** `--name value` of the command line, or the fallback. */
export function options(argv: string[]) {
  return (name: string, fallback: string) => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : fallback;
  };
}

/**
 * A fresh database for one run, removed by `done()`: `postgres` creates `bench_<label>_<pid>` on
 * BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING and drops it afterwards; `sqlite` is a
 * file in a temporary folder.
 */
export async function benchDatabase(
  db: string,
  label: string,
): Promise<{ knex: Knex; done(): Promise<void> }> {
  if (db === 'postgres') {
    const url =
      process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
    if (!url)
      throw new Error(
        'set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING',
      );
    const name = `bench_${label}_${process.pid}`;
    const admin = knexFactory({ client: 'pg', connection: url });
    await admin.raw(`CREATE DATABASE ${name}`);
    const knex = knexFactory({
      client: 'pg',
      connection: `${url.replace(/\/$/, '')}/${name}`,
    });
    return {
      knex,
      async done() {
        await knex.destroy();
        await admin.raw(`DROP DATABASE ${name}`);
        await admin.destroy();
      },
    };
  }
  if (db !== 'sqlite') throw new Error(`--db is sqlite or postgres, not ${db}`);
  const dir = await mkdtemp(path.join(tmpdir(), `bench-${label}-`));
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: path.join(dir, `${label}.sqlite`),
    useNullAsDefault: true,
  });
  return {
    knex,
    async done() {
      await knex.destroy();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The p-th percentile of sorted timings. */
export function percentile(sorted: number[], p: number) {
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}
