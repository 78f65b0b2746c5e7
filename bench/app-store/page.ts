/*
 * App store: the response time of the instance list (`GET /instances`, the page's table) and of
 * the ops admin view (`GET /admin/instances`) with 500 instances across local-a and local-b.
 *
 *   node bench/app-store/page.js [--instances 500] [--requests 40] [--db sqlite|postgres]
 *
 * Real: the app store backend plugin as the backend runs it (plugins/app-store-backend's
 * plugin.ts) in a test backend with the real catalog, permission backend and the suite's policy,
 * over HTTP; its migrations and queries on SQLite or PostgreSQL; the admin view's pod lists
 * against the local cloud's apiservers (one list per cluster and namespace of the page) and its
 * metrics API calls. Rows only: the 500 instances are rows of app_store_instances, without 500
 * Helm releases, because neither list reads Helm (the table is the record both pages show; only
 * an instance's own page asks Helm), and 500 real installs would take the local cloud most of an
 * hour; the admin view still asks the apiservers for the pods of each namespace on its page.
 * Each figure: `--requests` requests one after the other as carol (ops), after 3 unmeasured ones.
 * --db postgres needs BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING. Needs the local
 * cloud's environment (local-cloud env).
 */
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import knexFactory from 'knex';
import {
  CAROL,
  startAppStoreBackend,
} from '../../plugins/app-store-backend/src/__testUtils__/startAppStoreBackend';
import { InstanceStore } from '../../plugins/app-store-backend/src/instances/InstanceStore';
import { benchDatabase, options, percentile, say } from '../ops/shared';

const OWNERS = [
  { owner: 'component:default/payments-api', namespace: 'payments' },
  { owner: 'component:default/orders-api', namespace: 'orders' },
  { owner: 'group:default/team-payments', namespace: 'payments' },
];
const CHARTS = ['mysql', 'redis', 'zookeeper', 'kafka'];

export async function main(argv: string[]): Promise<number> {
  const option = options(argv);
  const count = Number(option('--instances', '500'));
  const requests = Number(option('--requests', '40'));
  const db = option('--db', 'sqlite');
  if (!process.env.LOCAL_CLOUD_APP_CONFIG) {
    throw new Error(
      'load the local cloud env first: eval "$(local-cloud env)"',
    );
  }
  const database = await benchDatabase(db, 'app_store_page');
  const backend = await startAppStoreBackend({
    services: [
      createServiceFactory({
        service: coreServices.database,
        deps: { plugin: coreServices.pluginMetadata },
        factory: async ({ plugin }) =>
          plugin.getId() === 'app-store'
            ? mockServices.database({ knex: database.knex })
            : // every other plugin (the catalog, permissions) its own in-memory SQLite
              mockServices.database({
                knex: knexFactory({
                  client: 'better-sqlite3',
                  connection: ':memory:',
                  useNullAsDefault: true,
                }),
              }),
      }),
    ],
  });
  try {
    const store = new InstanceStore(database.knex);
    for (let i = 0; i < count; i++) {
      const { owner, namespace } = OWNERS[i % OWNERS.length];
      await store.insert({
        cluster: i % 2 ? 'local-b' : 'local-a',
        namespace,
        name: `bench-${i}`,
        repository: 'charts',
        chart: CHARTS[i % CHARTS.length],
        version: '1.0.0',
        owner,
        environment: i % 10 === 0 ? 'production' : 'test',
        preset: 'small',
        createdBy: 'user:default/alice',
        phase: 'ready',
        ...(i % 10 === 0
          ? {}
          : { expiresAt: new Date(Date.now() + ((i % 14) + 1) * 86_400_000) }),
      });
    }
    const base = `http://localhost:${backend.server.port()}/api/app-store`;
    const header = mockCredentials.user.header(CAROL);
    async function time(path: string) {
      const run = async () => {
        const start = performance.now();
        const res = await fetch(`${base}${path}`, {
          headers: { authorization: header },
        });
        const body = (await res.json()) as { totalCount?: number };
        if (res.status !== 200 || body.totalCount === undefined) {
          throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
        }
        return performance.now() - start;
      };
      for (let i = 0; i < 3; i++) await run();
      const timings: number[] = [];
      for (let i = 0; i < requests; i++) timings.push(await run());
      timings.sort((a, b) => a - b);
      say(
        `${path.padEnd(40)} p50 ${percentile(timings, 50).toFixed(
          1,
        )} ms  p95 ${percentile(timings, 95).toFixed(
          1,
        )} ms  (${requests} requests, ${count} instances, ${db})`,
      );
    }
    await time('/instances');
    await time('/instances?limit=500');
    await time('/admin/instances');
    await time('/admin/instances?limit=500');
    await time('/admin/instances?expiringWithinHours=72');
  } finally {
    await backend.stop();
    await database.done();
  }
  return 0;
}
