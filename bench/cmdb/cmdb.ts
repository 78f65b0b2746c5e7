/*
 * Benchmarks the CMDB entity provider (plugins/catalog-backend-module-cmdb): N CMDB records served
 * by the ServiceNow-dialect test server → time until every entity is readable from the catalog API,
 * entities per second, peak memory, and the time for one changed record to show after a delta.
 *
 *   node -r @backstage/cli/config/nodeTransform.cjs bench/cmdb/cmdb.ts [--records N] [--db sqlite|postgres] [--provider-only]
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
import knexFactory from 'knex';
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

async function benchCatalog(cmdb: CmdbTestServer) {
  const scheduler = manualScheduler();
  const prefix = `bench_cmdb_${Date.now()}_`;
  const pg = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
  if (db === 'postgres' && !pg)
    throw new Error('set BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING');
  const database =
    db === 'postgres'
      ? { client: 'pg', connection: pg, prefix }
      : { client: 'better-sqlite3', connection: ':memory:' };
  const backend = await startTestBackend({
    features: [
      catalogPlugin,
      cmdbModule,
      scheduler.factory,
      mockServices.rootConfig.factory({
        data: {
          backend: { database },
          catalog: {
            providers: { cmdb: { bench: providerConfig(cmdb.baseUrl) } },
          },
        },
      }),
    ],
  });
  const base = `http://localhost:${backend.server.port()}/api/catalog`;
  const headers = { Authorization: mockCredentials.service.header() };
  const countInCatalog = async () => {
    const res = await fetch(
      `${base}/entities/by-query?limit=1&filter=metadata.annotations.cmdb.container-cloud.io/provider=bench`,
      { headers },
    );
    return ((await res.json()) as { totalItems: number }).totalItems;
  };

  resetPeaks();
  const start = Date.now();
  await scheduler.run('cmdb-provider:bench:full');
  const mutationMs = Date.now() - start;
  say(
    `full mutation applied after ${seconds(
      mutationMs,
    )}; waiting for the catalog to process`,
  );
  let count = 0;
  let lastLog = Date.now();
  const expected = totalRecords; // every generated record is valid
  while (count < expected) {
    await new Promise(resolve => setTimeout(resolve, 1000));
    count = await countInCatalog();
    if (Date.now() - lastLog > 30_000) {
      lastLog = Date.now();
      say(
        `${count}/${expected} readable after ${seconds(
          Date.now() - start,
        )} (${Math.round(count / ((Date.now() - start) / 1000))}/s)`,
      );
    }
  }
  const allMs = Date.now() - start;
  const peaks = `${mib(peakRss)} / ${mib(peakHeap)}`;
  say(`all ${count} entities readable after ${seconds(allMs)}`);

  // one changed record → delta → visible
  changed.set(7, {
    sys_id: 's7',
    name: 'Service 7',
    support_group: 'g1',
    u_business_application: 'a7',
    u_lifecycle: 'deprecated',
    install_status: '1',
    sys_updated_on: new Date().toISOString().slice(0, 19).replace('T', ' '),
  });
  const changeStart = Date.now();
  await scheduler.run('cmdb-provider:bench:delta');
  const deltaMs = Date.now() - changeStart;
  for (;;) {
    const res = await fetch(
      `${base}/entities/by-name/component/default/service-7`,
      { headers },
    );
    const entity = (await res.json()) as { spec?: { lifecycle?: string } };
    if (entity.spec?.lifecycle === 'deprecated') break;
    await new Promise(resolve => setTimeout(resolve, 100));
  }
  const changeMs = Date.now() - changeStart;

  await backend.stop();
  if (db === 'postgres') {
    const admin = knexFactory({ client: 'pg', connection: pg });
    await admin
      .raw(`DROP DATABASE IF EXISTS ${prefix}catalog WITH (FORCE)`)
      .catch(error => say(`could not drop ${prefix}catalog: ${error}`));
    await admin.destroy();
  }
  return [
    ['records → entities', `${totalRecords} → ${count}`],
    [
      'database',
      db === 'postgres' ? 'PostgreSQL (local, fsync off)' : 'SQLite in memory',
    ],
    [
      'full sync: read CMDB, build and apply the full mutation',
      seconds(mutationMs),
    ],
    ['until every entity is readable from the catalog API', seconds(allMs)],
    [
      'entities per second (end to end)',
      String(Math.round(count / (allMs / 1000))),
    ],
    ['peak RSS / heap of the backend process', peaks],
    ['one changed record: delta sync', `${deltaMs} ms`],
    [
      'one changed record: until the catalog API shows it',
      `${(changeMs / 1000).toFixed(2)} s`,
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
