/*
 * Codeflow: 20 concurrent viewers of one run's live log.
 *
 *   node bench/codeflow/logViewers.js [--viewers 20] [--lines 5000] [--lines-per-ms 1]
 *     [--database postgresql://postgres@127.0.0.1:55453]   (default: SQLite in a file)
 *
 * Real: the run engine's log writer (plugins/codeflow-backend/src/runs/RunLog.ts: redacted,
 * buffered, a chunk every 250 ms or 16 KiB) stores a run's log in codeflow_run_logs while the
 * viewers follow it through LogFollowers (one reader of the database per run every 250 ms,
 * shared by every viewer — what the SSE route serves). In process, without HTTP. Measured: that
 * every viewer receives every line in order; the delay from a line's write to its arrival at
 * each viewer (p50/p95/max); the reads of the database the viewers cost, against one reader per
 * viewer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { Knex } from 'knex';
import { CodeflowStore } from '../../plugins/codeflow-backend/src/definitions/CodeflowStore';
import { LogRedactor } from '../../plugins/codeflow-backend/src/failures';
import { LogFollowers } from '../../plugins/codeflow-backend/src/runs/LogFollowers';
import { RunLog } from '../../plugins/codeflow-backend/src/runs/RunLog';
import { RunStore } from '../../plugins/codeflow-backend/src/runs/RunStore';
import { definition } from '../../plugins/codeflow-backend/src/runs/__testUtils__/fixtures';

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];

const logger = {
  warn: (m: string) => process.stderr.write(`${m}\n`),
} as any;

export async function main(args: string[]): Promise<number> {
  const viewers = Number(arg(args, 'viewers', '20'));
  const lines = Number(arg(args, 'lines', '5000'));
  const perMs = Number(arg(args, 'lines-per-ms', '1'));
  const database = arg(args, 'database', '');
  const dir = mkdtempSync(join(tmpdir(), 'bench-log-viewers-'));
  let knex: Knex;
  let dropDatabase: (() => Promise<void>) | undefined;
  if (database) {
    const name = `bench_log_viewers_${process.pid}`;
    const admin = knexFactory({ client: 'pg', connection: database });
    await admin.raw(`create database ${name}`);
    knex = knexFactory({
      client: 'pg',
      connection: `${database.replace(/\/[^/]*$/, '')}/${name}`,
    });
    dropDatabase = async () => {
      await knex.destroy();
      await admin.raw(`drop database ${name}`);
      await admin.destroy();
    };
  } else {
    knex = knexFactory({
      client: 'better-sqlite3',
      connection: join(dir, 'codeflow.sqlite'),
      useNullAsDefault: true,
    });
  }
  try {
    await knex.migrate.latest({
      directory: join(__dirname, '../../plugins/codeflow-backend/migrations'),
    });
    const codeflow = await new CodeflowStore(knex).create(
      'component:default/payments-api',
      definition,
      'user:default/alice',
    );
    const counting = new RunStore(knex);
    let reads = 0;
    const get = counting.get.bind(counting);
    counting.get = async (id: string) => {
      reads += 1;
      return get(id);
    };
    const run = (await counting.create({
      codeflow,
      trigger: 'manual',
      requestedBy: 'user:default/alice',
      actingFor: 'user:default/alice',
      pushedBy: null,
      ref: { kind: 'branch', name: 'main' },
      commit: null,
      environment: 'test',
      executor: 'local',
      steps: ['build'],
      needsApproval: false,
    }))!;
    await knex('codeflow_runs')
      .where({ id: run.id })
      .update({ status: 'running' });
    const followers = new LogFollowers(counting, logger);
    const written = new Map<number, number>();
    const delays: number[] = [];
    const received = Array.from({ length: viewers }, () => [] as number[]);
    const ends: Array<Promise<void>> = [];
    for (let v = 0; v < viewers; v++) {
      let rest = '';
      ends.push(
        new Promise<void>(resolve => {
          followers
            .follow(run.id, 0, {
              chunk: c => {
                const now = performance.now();
                const parts = (rest + c.text).split('\n');
                rest = parts.pop() ?? '';
                for (const line of parts) {
                  const n = Number(line.split(' ')[1]);
                  received[v].push(n);
                  delays.push(now - written.get(n)!);
                }
              },
              run: () => {},
              end: () => resolve(),
            })
            .catch(error => {
              throw error;
            });
        }),
      );
    }
    const log = new RunLog(counting, run.id, {
      maxBytes: 64 * 1024 * 1024,
      redactor: () => new LogRedactor(['a-secret-of-the-bench']),
    });
    const started = performance.now();
    for (let n = 0; n < lines; n++) {
      written.set(n, performance.now());
      log.write(
        'build',
        `line ${n} of the build, some words to make it a log line\n`,
      );
      if (n % perMs === perMs - 1) await new Promise(r => setTimeout(r, 1));
    }
    const writing = performance.now() - started;
    log.endStep('build');
    await log.close();
    await knex('codeflow_runs')
      .where({ id: run.id })
      .update({ status: 'succeeded', finished_at: new Date() });
    await Promise.all(ends);
    const elapsed = performance.now() - started;
    const complete = received.every(
      r => r.length === lines && r.every((n, i) => n === i),
    );
    delays.sort((a, b) => a - b);
    const stored = await counting.logChunks(run.id);
    const result = {
      viewers,
      lines,
      writingMs: Math.round(writing),
      allDeliveredMs: Math.round(elapsed),
      everyViewerEveryLineInOrder: complete,
      delayMs: {
        p50: Math.round(percentile(delays, 50)),
        p95: Math.round(percentile(delays, 95)),
        max: Math.round(delays[delays.length - 1]),
      },
      chunksStored: stored.length,
      runReadsBySharedReader: reads,
      runReadsWithOneReaderPerViewer: reads * viewers,
      database: database ? 'postgresql' : 'sqlite',
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return complete ? 0 : 1;
  } finally {
    if (dropDatabase) await dropDatabase();
    else await knex.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
