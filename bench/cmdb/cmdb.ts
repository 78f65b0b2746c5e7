/*
 * Benchmarks the CMDB entity provider (plugins/catalog-backend-module-cmdb): N CMDB records served
 * by the ServiceNow-dialect test server → time until every entity is readable from the catalog API,
 * entities per second, peak memory, and the time for one changed record to show after a delta.
 *
 *   node -r @backstage/cli/config/nodeTransform.cjs bench/cmdb/cmdb.ts [--records N] [--db sqlite|postgres] [--provider-only]
 *     [--workers 1|2|3] [--processing-interval SECONDS] [--batch-size N] [--pg-data DIR] [--sample-s 30]
 *
 * --workers N: N catalog backend processes on the same PostgreSQL database (this one, which runs
 * the provider, and N-1 children running bench/cmdb/worker.ts), as N backend replicas would be.
 * --processing-interval: catalog.processingInterval in seconds (default 3600, the value of
 * app-config.production.yaml; 0 leaves the catalog's own default of 100–150 s).
 * --batch-size: the provider's firstLoad.batchSize (default 100; 0 = one full mutation, the old path).
 * --pg-data: the PostgreSQL data directory, to sample the server's CPU (postmaster.pid).
 * Every --sample-s seconds the bench prints a profile line: entities readable, processed and
 * stitched (the catalog's own counters, summed over the processes), the processing queue (refresh_state
 * rows due) and the stitch queue (stitch_queue rows), and the CPU of the node processes and of PostgreSQL.
 *
 * --db postgres needs BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING (a fresh database
 * prefix is used per run and dropped afterwards). --provider-only skips the catalog: it reads the
 * CMDB and builds the full mutation only (what the provider itself costs).
 * The test server runs in the same process (it generates rows on demand, holding none).
 */
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { LoggerService } from '@backstage/backend-plugin-api';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  EntityProviderConnection,
  EntityProviderMutation,
} from '@backstage/plugin-catalog-node';
import { ConfigReader } from '@backstage/config';
import knexFactory, { Knex } from 'knex';
import { fork, ChildProcess } from 'node:child_process';
import { catalogCounters, postgresCpuMs } from './metrics';
import cmdbModule, {
  CmdbEntityProvider,
  readCmdbProviderConfig,
} from '../../plugins/catalog-backend-module-cmdb/src';
import { CmdbTestServer } from '../../plugins/catalog-backend-module-cmdb/src/__testUtils__/CmdbTestServer';
import { manualScheduler } from '../../plugins/catalog-backend-module-cmdb/src/__testUtils__/manualScheduler';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : fallback;
};
const totalRecords = Number(arg('--records', '100000'));
const db = arg('--db', 'sqlite');
const providerOnly = args.includes('--provider-only');
const workers = Number(arg('--workers', '1'));
const processingIntervalS = Number(arg('--processing-interval', '3600'));
const batchSize = Number(arg('--batch-size', '100'));
const pgData = arg('--pg-data', '');
const sampleMs = Number(arg('--sample-s', '30')) * 1000;

const say = (line: string) =>
  process.stderr.write(
    `[bench ${new Date().toTimeString().slice(0, 8)}] ${line}\n`,
  );
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;

/** Prints the provider's own log lines (progress, results) to stderr. */
const benchLogger: LoggerService = {
  info: message => say(message),
  warn: message => say(message),
  error: message => say(message),
  debug: () => {},
  child: () => benchLogger,
};

// ---- peak memory of this process (backend + provider + test server) ----
let peakRss = 0;
let peakHeap = 0;
const sampler = setInterval(() => {
  const { rss, heapUsed } = process.memoryUsage();
  peakRss = Math.max(peakRss, rss);
  peakHeap = Math.max(peakHeap, heapUsed);
}, 100);
const resetPeaks = () => {
  peakRss = 0;
  peakHeap = 0;
};

// ---- the CMDB: a ServiceNow-shaped organisation of `totalRecords` records ----
const OLD = '2026-01-01 00:00:00';
const businessUnits = 20;
const groups = Math.max(10, Math.round(totalRecords * 0.02));
const users = Math.round(totalRecords * 0.08);
const apps = Math.round(totalRecords * 0.02);
const services = totalRecords - businessUnits - groups - users - apps;
const changed = new Map<number, Record<string, unknown>>();

function virtual(size: number, at: (i: number) => Record<string, unknown>) {
  return { size, at };
}

async function startCmdb() {
  const server = await CmdbTestServer.start({
    type: 'servicenow',
    username: 'bench',
    password: 'bench',
  });
  server.setRows(
    'business_unit',
    virtual(businessUnits, i => ({
      sys_id: `bu${i}`,
      name: `Business Line ${i}`,
      bu_head: `u${i}`,
      sys_updated_on: OLD,
    })),
  );
  server.setRows(
    'sys_user_group',
    virtual(groups, i => ({
      sys_id: `g${i}`,
      name: `Team ${i}`,
      parent: i > 0 ? `g${Math.floor((i - 1) / 10)}` : '',
      email: `team-${i}@acme.example`,
      active: 'true',
      sys_updated_on: OLD,
    })),
  );
  server.setRows(
    'sys_user',
    virtual(users, i => ({
      sys_id: `u${i}`,
      user_name: `user${i}`,
      name: `User ${i}`,
      email: `user${i}@acme.example`,
      active: 'true',
      sys_updated_on: OLD,
    })),
  );
  server.setRows(
    'sys_user_grmember',
    virtual(users, i => ({
      sys_id: `m${i}`,
      user: `u${i}`,
      group: `g${i % groups}`,
    })),
  );
  server.setRows(
    'cmdb_ci_business_app',
    virtual(apps, i => ({
      sys_id: `a${i}`,
      name: `Project ${i}`,
      managed_by_group: `g${i % groups}`,
      u_business_unit: `bu${i % businessUnits}`,
      install_status: '1',
      sys_updated_on: OLD,
    })),
  );
  server.setRows(
    'cmdb_ci_service',
    virtual(
      services,
      i =>
        changed.get(i) ?? {
          sys_id: `s${i}`,
          name: `Service ${i}`,
          short_description: `Service number ${i} of the benchmark`,
          support_group: `g${i % groups}`,
          u_business_application: `a${i % apps}`,
          u_lifecycle: 'production',
          install_status: '1',
          sys_updated_on: OLD,
        },
    ),
  );
  server.setRows(
    'cmdb_rel_ci',
    virtual(Math.floor(services / 4), i => ({
      sys_id: `r${i}`,
      parent: `s${i * 4}`,
      child: `s${i * 4 + 1}`,
    })),
  );
  return server;
}

function providerConfig(baseUrl: string) {
  return {
    adapter: 'servicenow',
    baseUrl,
    auth: { type: 'basic', username: 'bench', password: 'bench' },
    schedule: { frequency: { hours: 6 }, timeout: { hours: 1 } },
    deltaSchedule: { frequency: { minutes: 5 }, timeout: { minutes: 10 } },
    pageSize: 1000,
    firstLoad: { batchSize },
  };
}

async function benchProviderOnly(cmdb: CmdbTestServer) {
  const provider = CmdbEntityProvider.fromConfig(
    readCmdbProviderConfig(
      'bench',
      new ConfigReader(providerConfig(cmdb.baseUrl)),
    ),
    { logger: benchLogger },
  );
  let entities = 0;
  const connection: EntityProviderConnection = {
    async applyMutation(mutation: EntityProviderMutation) {
      entities =
        mutation.type === 'full'
          ? mutation.entities.length
          : mutation.added.length;
    },
    async refresh() {},
  };
  await provider.connect(connection);
  resetPeaks();
  const start = Date.now();
  const report = await provider.run({ type: 'full' });
  const fullMs = Date.now() - start;
  say(
    `provider full sync: ${report.outcome}, ${
      report.recordsRead
    } records, ${entities} entities, skipped ${
      report.skipped.length
    }, ${seconds(fullMs)}, peak RSS ${mib(peakRss)}`,
  );
  changed.set(7, {
    sys_id: 's7',
    name: 'Service 7',
    support_group: 'g1',
    u_lifecycle: 'deprecated',
    install_status: '1',
    sys_updated_on: new Date().toISOString().slice(0, 19).replace('T', ' '),
  });
  const deltaStart = Date.now();
  const delta = await provider.run({ type: 'delta' });
  const deltaMs = Date.now() - deltaStart;
  return [
    ['records', String(report.recordsRead)],
    [
      'full sync in the provider alone (read all pages, build the mutation)',
      seconds(fullMs),
    ],
    [
      'records per second (provider alone)',
      String(Math.round(report.recordsRead / (fullMs / 1000))),
    ],
    [
      'peak RSS / heap during the full sync',
      `${mib(peakRss)} / ${mib(peakHeap)}`,
    ],
    [
      'delta sync with one changed record (provider alone)',
      `${delta.recordsRead} record, ${deltaMs} ms`,
    ],
  ];
}

interface WorkerSample {
  processed: number;
  stitched: number;
  processingS?: number;
  processorsS?: number;
  cpuMs: number;
}

/** Starts `count` more catalog processes on the same database; resolves once each reported. */
async function startWorkers(count: number, data: unknown) {
  const children: Array<{ child: ChildProcess; last: WorkerSample }> = [];
  for (let i = 0; i < count; i++) {
    const child = fork(require.resolve('./worker.ts'), [], {
      execArgv: ['-r', '@backstage/cli/config/nodeTransform.cjs'],
      env: { ...process.env, BENCH_WORKER_CONFIG: JSON.stringify(data) },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const entry = {
      child,
      last: { processed: 0, stitched: 0, cpuMs: 0 } as WorkerSample,
    };
    await new Promise<void>((resolve, reject) => {
      child.once('exit', code => reject(new Error(`worker exited ${code}`)));
      child.on('message', message => {
        // only the worker's samples (a library in the child may send its own messages)
        if (
          typeof message === 'object' &&
          message !== null &&
          typeof (message as WorkerSample).processed === 'number'
        ) {
          entry.last = message as WorkerSample;
          resolve();
        }
      });
    });
    children.push(entry);
  }
  return {
    samples: () => children.map(c => c.last),
    async stop() {
      await Promise.all(
        children.map(
          ({ child }) =>
            new Promise<void>(resolve => {
              child.once('exit', () => resolve());
              child.send('stop');
            }),
        ),
      );
    },
  };
}

async function benchCatalog(cmdb: CmdbTestServer) {
  const scheduler = manualScheduler();
  const prefix = `bench_cmdb_${Date.now()}_`;
  const pg = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
  if (db === 'postgres' && !pg)
    throw new Error('set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING');
  if (workers > 1 && db !== 'postgres')
    throw new Error('--workers needs --db postgres (one database shared)');
  const database =
    db === 'postgres'
      ? { client: 'pg', connection: pg, prefix }
      : { client: 'better-sqlite3', connection: ':memory:' };
  const data = {
    backend: { database },
    catalog: {
      ...(processingIntervalS > 0
        ? { processingInterval: { seconds: processingIntervalS } }
        : {}),
      providers: { cmdb: { bench: providerConfig(cmdb.baseUrl) } },
    },
  };
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      cmdbModule,
      scheduler.factory,
      mockServices.rootConfig.factory({ data }),
    ],
  });
  const others = await startWorkers(workers - 1, data);
  say(
    `${workers} catalog process(es) on ${db}; processingInterval ${
      processingIntervalS > 0 ? `${processingIntervalS} s` : 'default'
    }; firstLoad.batchSize ${batchSize}`,
  );
  const catalogDb: Knex | undefined =
    db === 'postgres'
      ? knexFactory({
          client: 'pg',
          connection: `${pg!.replace(/\/$/, '')}/${prefix}catalog`,
          pool: { min: 0, max: 2 },
        })
      : undefined;
  const base = `http://localhost:${backend.server.port()}/api/catalog`;
  const headers = { Authorization: mockCredentials.service.header() };
  const countInCatalog = async () => {
    const res = await fetch(
      `${base}/entities/by-query?limit=1&filter=metadata.annotations.cmdb.container-cloud.io/provider=bench`,
      { headers },
    );
    return ((await res.json()) as { totalItems: number }).totalItems;
  };
  const lifecycleOf = async (n: number) => {
    const res = await fetch(
      `${base}/entities/by-name/component/default/service-${n}`,
      { headers },
    );
    if (res.status !== 200) return undefined;
    return ((await res.json()) as { spec?: { lifecycle?: string } }).spec
      ?.lifecycle;
  };
  /** Changes service n in the CMDB, runs a delta sync, and times until the catalog API shows it. */
  const changeAndWatch = async (n: number) => {
    changed.set(n, {
      sys_id: `s${n}`,
      name: `Service ${n}`,
      support_group: `g${n % groups}`,
      u_business_application: `a${n % apps}`,
      u_lifecycle: 'deprecated',
      install_status: '1',
      sys_updated_on: new Date().toISOString().slice(0, 19).replace('T', ' '),
    });
    const t0 = Date.now();
    await scheduler.run('cmdb-provider:bench:delta');
    const syncMs = Date.now() - t0;
    while ((await lifecycleOf(n)) !== 'deprecated') {
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    return { syncMs, visibleMs: Date.now() - t0 };
  };

  // ---- the profile, every sampleMs ----
  const profile: string[] = [];
  let lastSample = {
    at: Date.now(),
    processed: 0,
    stitched: 0,
    nodeCpuMs: 0,
    pgCpuMs: 0,
    count: 0,
  };
  const nodeCpuMs = () => {
    const cpu = process.cpuUsage();
    return (
      (cpu.user + cpu.system) / 1000 +
      others.samples().reduce((sum, w) => sum + w.cpuMs, 0)
    );
  };
  let processingS = 0;
  let processorsS = 0;
  const takeSample = async (count: number, label: string) => {
    const own = await catalogCounters();
    processingS =
      own.processingS +
      others.samples().reduce((s, w) => s + (w.processingS ?? 0), 0);
    processorsS =
      own.processorsS +
      others.samples().reduce((s, w) => s + (w.processorsS ?? 0), 0);
    const processed =
      own.processed + others.samples().reduce((s, w) => s + w.processed, 0);
    const stitched =
      own.stitched + others.samples().reduce((s, w) => s + w.stitched, 0);
    let queues = '';
    if (catalogDb) {
      const [{ due }] = await catalogDb('refresh_state')
        .where('next_update_at', '<=', catalogDb.fn.now())
        .count({ due: '*' });
      const [{ rows }] = await catalogDb('stitch_queue').count({ rows: '*' });
      const [{ all }] = await catalogDb('refresh_state').count({ all: '*' });
      queues = ` | ${all} | ${due} | ${rows}`;
    }
    const now = Date.now();
    const cpu = nodeCpuMs();
    const pgCpu = pgData ? postgresCpuMs(pgData) : 0;
    const span = (now - lastSample.at) / 1000;
    const pct = (ms: number) => `${Math.round(ms / 10 / span)} %`;
    const line = `| ${label} | ${count} | ${Math.round(
      (count - lastSample.count) / span,
    )} | ${processed} (${Math.round(
      (processed - lastSample.processed) / span,
    )}/s) | ${stitched} (${Math.round(
      (stitched - lastSample.stitched) / span,
    )}/s)${queues} | ${pct(cpu - lastSample.nodeCpuMs)} | ${
      pgData ? pct(pgCpu - lastSample.pgCpuMs) : '—'
    } |`;
    lastSample = {
      at: now,
      processed,
      stitched,
      nodeCpuMs: cpu,
      pgCpuMs: pgCpu,
      count,
    };
    profile.push(line);
    say(line);
  };
  // baseline: CPU and counters before the load (startup excluded)
  const { processed: processed0, stitched: stitched0 } =
    await catalogCounters();
  lastSample = {
    at: Date.now(),
    processed: processed0,
    stitched: stitched0,
    nodeCpuMs: nodeCpuMs(),
    pgCpuMs: pgData ? postgresCpuMs(pgData) : 0,
    count: 0,
  };
  const loadStart = { ...lastSample };

  resetPeaks();
  const start = Date.now();
  const full = scheduler.run('cmdb-provider:bench:full');
  let mutationMs: number | undefined;
  full.then(() => {
    mutationMs = Date.now() - start;
    say(
      `full sync (every batch and the closing full mutation) done after ${seconds(
        mutationMs,
      )}`,
    );
  });
  let count = 0;
  let nextSample = Date.now() + sampleMs;
  const expected = totalRecords; // every generated record is valid
  const during: Array<
    Promise<{ at: number; syncMs: number; visibleMs: number }>
  > = [];
  const duringAt = [0.25, 0.5, 0.75];
  while (count < expected || mutationMs === undefined) {
    await new Promise(resolve => setTimeout(resolve, 2000));
    count = await countInCatalog();
    if (duringAt.length && count >= duringAt[0] * expected) {
      const share = duringAt.shift()!;
      const n = 7 + during.length;
      say(`changing service ${n} at ${count} readable (${share * 100} %)`);
      during.push(
        changeAndWatch(n).then(r => {
          say(
            `service ${n} changed during the load: visible after ${r.visibleMs} ms`,
          );
          return { at: count, ...r };
        }),
      );
    }
    if (Date.now() >= nextSample) {
      nextSample += sampleMs;
      await takeSample(count, seconds(Date.now() - start));
    }
  }
  const allMs = Date.now() - start;
  await takeSample(count, `${seconds(allMs)} (all readable)`);
  const peaks = `${mib(peakRss)} / ${mib(peakHeap)}`;
  say(`all ${count} entities readable after ${seconds(allMs)}`);
  const nodeMsPerEntity = (lastSample.nodeCpuMs - loadStart.nodeCpuMs) / count;
  const pgMsPerEntity = (lastSample.pgCpuMs - loadStart.pgCpuMs) / count;
  const processedInLoad = lastSample.processed - loadStart.processed;
  const duringResults = await Promise.all(during);

  // after the load settled: one changed record at a time
  const settled: Array<{ syncMs: number; visibleMs: number }> = [];
  for (const n of [20, 21, 22]) {
    settled.push(await changeAndWatch(n));
    say(
      `service ${n} changed after the load: visible after ${
        settled.at(-1)!.visibleMs
      } ms`,
    );
  }

  await others.stop();
  await backend.stop();
  await catalogDb?.destroy();
  if (db === 'postgres') {
    const admin = knexFactory({ client: 'pg', connection: pg });
    await admin
      .raw(`DROP DATABASE IF EXISTS ${prefix}catalog WITH (FORCE)`)
      .catch(error => say(`could not drop ${prefix}catalog: ${error}`));
    await admin.destroy();
  }
  process.stdout.write(
    `\n| at | readable | readable/s | processed | stitched${
      catalogDb
        ? ' | refresh_state rows | due for processing | stitch queue'
        : ''
    } | node CPU (all processes) | PostgreSQL CPU |\n|${' --- |'.repeat(
      catalogDb ? 10 : 7,
    )}\n${profile.join('\n')}\n`,
  );
  const ms = (list: Array<{ visibleMs: number }>) =>
    list.map(r => `${(r.visibleMs / 1000).toFixed(2)} s`).join(', ');
  return [
    ['records → entities', `${totalRecords} → ${count}`],
    [
      'database',
      db === 'postgres' ? 'PostgreSQL (local, fsync off)' : 'SQLite in memory',
    ],
    ['catalog processes', String(workers)],
    [
      'catalog.processingInterval',
      processingIntervalS > 0
        ? `${processingIntervalS} s`
        : 'default (100–150 s)',
    ],
    [
      'firstLoad.batchSize',
      batchSize > 0 ? String(batchSize) : '0 (one full mutation)',
    ],
    [
      'full sync: read CMDB, hand every entity over (batches + closing full mutation)',
      seconds(mutationMs!),
    ],
    ['until every entity is readable from the catalog API', seconds(allMs)],
    [
      'entities per second (end to end)',
      String(Math.round(count / (allMs / 1000))),
    ],
    ['peak RSS / heap of the first backend process', peaks],
    [
      'CPU per entity during the load: node (all processes) / PostgreSQL',
      `${nodeMsPerEntity.toFixed(1)} ms / ${
        pgData ? `${pgMsPerEntity.toFixed(1)} ms` : '— (no --pg-data)'
      }`,
    ],
    [
      "processing runs in the load: mean wall time of one, of it in processors (the default processors and the CMDB entities' own)",
      `${processedInLoad} runs: ${(
        (processingS / processedInLoad) *
        1000
      ).toFixed(0)} ms, ${((processorsS / processedInLoad) * 1000).toFixed(
        0,
      )} ms in processors (${Math.round(
        (processorsS / Math.max(processingS, 1e-9)) * 100,
      )} %)`,
    ],
    [
      'CPU-bound ceiling: entities/s per fully available core',
      pgData
        ? String(Math.round(1000 / (nodeMsPerEntity + pgMsPerEntity)))
        : '—',
    ],
    [
      'one changed record during the load (at 25/50/75 %): until the catalog API shows it',
      ms(duringResults),
    ],
    [
      'one changed record after the load settled (3 in a row): until the catalog API shows it',
      ms(settled),
    ],
    [
      'one changed record after the load: the delta sync itself',
      settled.map(r => `${r.syncMs} ms`).join(', '),
    ],
  ];
}

async function main() {
  const cmdb = await startCmdb();
  say(
    `CMDB test server on ${cmdb.baseUrl}: ${businessUnits} business lines, ${apps} projects, ${services} services, ${groups} teams, ${users} people`,
  );
  try {
    const rows = providerOnly
      ? await benchProviderOnly(cmdb)
      : await benchCatalog(cmdb);
    process.stdout.write(
      `\n| measure | value |\n| --- | --- |\n${rows
        .map(([m, v]) => `| ${m} | ${v} |`)
        .join('\n')}\n`,
    );
  } finally {
    clearInterval(sampler);
    await cmdb.stop();
  }
}

main().then(
  () => process.exit(0),
  error => {
    say(String(error?.stack ?? error));
    process.exit(1);
  },
);
