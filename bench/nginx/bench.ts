/*
 * Benchmarks the nginx plugin (plugins/nginx-backend) on loopback only:
 *
 * 1. One domain change in a cluster of N domains (10, 1,000, 10,000): the time to render the
 *    cluster, to check it with the real `nginx -t`, and the whole publish (save the change, render,
 *    check, record the version in SQLite, write the files, reload a scratch nginx).
 * 2. Reloads per minute under a burst of endpoint changes: a Kubernetes source whose endpoints
 *    change `--rate` times a second for `--seconds` seconds, through the real batch window
 *    (EndpointBatcher, 2 s) into NginxService publishing to a scratch nginx with real reloads.
 *    The endpoints come from an in-memory source (what the EndpointSlice watch would report).
 *
 *   node -r @backstage/cli/config/nodeTransform.cjs bench/nginx/bench.ts [--sizes 10,1000,10000] [--runs 3]
 *     [--gray-every 10] [--seconds 30] [--rate 20] [--no-burst]
 */
import { performance } from 'node:perf_hooks';
import { execFileSync } from 'node:child_process';
import knexFactory from 'knex';
import { NginxStore } from '../../plugins/nginx-backend/src/database/NginxStore';
import type {
  Domain,
  Endpoint,
  KubernetesSource,
} from '../../plugins/nginx-backend/src/render';
import { EndpointBatcher } from '../../plugins/nginx-backend/src/services/EndpointBatcher';
import {
  EndpointSource,
  NginxService,
} from '../../plugins/nginx-backend/src/services/NginxService';
import { NginxValidator } from '../../plugins/nginx-backend/src/services/NginxValidator';
import { startScratchNginx } from '../../plugins/nginx-backend/src/__testUtils__/scratchNginx';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : fallback;
};
const sizes = arg('--sizes', '10,1000,10000').split(',').map(Number);
const runs = Number(arg('--runs', '3'));
const burstSeconds = Number(arg('--seconds', '30'));
const burstRate = Number(arg('--rate', '20'));
// every Nth domain has a gray release (split_clients + header map: 2 nginx variables each)
const grayEvery = Number(arg('--gray-every', '10'));
const noBurst = args.includes('--no-burst');

const silentLogger: any = {
  info() {},
  warn() {},
  error(message: string) {
    process.stderr.write(`${message}\n`);
  },
  debug() {},
  child() {
    return silentLogger;
  },
};

function domain(i: number, port: number, extra: Partial<Domain> = {}): Domain {
  return {
    name: `d${i}`,
    cluster: 'bench',
    serverNames: [`d${i}.example.com`],
    listen: [{ address: '127.0.0.1', port }],
    upstreams: [
      {
        name: 'stable',
        members: [
          { address: '10.0.0.1', port: 8080 + (i % 100), weight: 5 },
          { address: '10.0.0.2', port: 8080 + (i % 100), maxFails: 3 },
        ],
      },
      { name: 'canary', members: [{ address: '10.0.1.1', port: 8080 }] },
    ],
    locations: [
      { path: '/', upstream: 'stable' },
      { path: '/static/', upstream: 'canary' },
    ],
    ...(i % grayEvery === 0
      ? {
          grayRelease: {
            stable: 'stable',
            canary: 'canary',
            canaryPercent: 10,
            header: { name: 'X-Canary', value: 'always' },
          },
        }
      : {}),
    ...extra,
  };
}

async function store() {
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: ':memory:' },
    useNullAsDefault: true,
  });
  const database = { getClient: async () => knex, migrations: { skip: false } };
  return { knex, store: await NginxStore.create(database as any) };
}

const ms = (t: number) => `${t.toFixed(0)} ms`;
const range = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 1
    ? ms(sorted[0])
    : `${ms(sorted[0])} – ${ms(sorted[sorted.length - 1])}`;
};

/**
 * The service under test: one cluster of one node, the scratch nginx, with room for slow checks
 * of 10,000 domains and no delivery retries.
 */
function benchService(
  nginx: { confDir: string; reloadCommand: string[] },
  nginxStore: Awaited<ReturnType<typeof store>>['store'],
  endpoints?: ConstructorParameters<typeof NginxService>[2],
) {
  return new NginxService(
    {
      binary: '/usr/sbin/nginx',
      checkTimeoutSeconds: 600,
      clusters: [
        {
          name: 'bench',
          environment: 'bench',
          nodes: [
            {
              name: 'bench-1',
              confDir: nginx.confDir,
              reloadCommand: nginx.reloadCommand,
            },
          ],
          deliveryRetries: 0,
          reloadTimeoutSeconds: 600,
        },
      ],
    },
    nginxStore,
    endpoints,
  );
}

async function oneChange(size: number) {
  const nginx = await startScratchNginx();
  const { knex, store: nginxStore } = await store();
  try {
    const service = benchService(nginx, nginxStore);
    const port = 20000 + Math.floor(Math.random() * 20000);
    const domains = Array.from({ length: size }, (_, i) => domain(i, port));
    await nginxStore.replaceDomains('bench', domains, 'bench');
    const first = await service.publish('bench', 'initial', 'bench');
    if (!first.ok) throw new Error(JSON.stringify(first.delivery));

    const render: number[] = [];
    const check: number[] = [];
    const publish: number[] = [];
    const validator = new NginxValidator('/usr/sbin/nginx', 600_000);
    for (let run = 0; run < runs; run++) {
      // the change: one domain's canary share
      const changed = domain(0, port, {
        grayRelease: {
          stable: 'stable',
          canary: 'canary',
          canaryPercent: 11 + run,
        },
      });
      const all = [changed, ...domains.slice(1)];
      let t = performance.now();
      const rendered = await service.render(all);
      render.push(performance.now() - t);
      t = performance.now();
      const result = await validator.check(rendered.files);
      check.push(performance.now() - t);
      if (!result.ok) throw new Error(result.message);

      t = performance.now();
      await service.saveDomain(changed, 'bench');
      const published = await service.publish('bench', `run ${run}`, 'bench');
      publish.push(performance.now() - t);
      if (!published.ok) throw new Error(JSON.stringify(published.delivery));
    }
    const bytes = Object.values(
      (await service.latestVersion('bench'))!.files,
    ).reduce((sum, text) => sum + text.length, 0);
    return { size, render, check, publish, bytes };
  } finally {
    await knex.destroy();
    await nginx.stop();
  }
}

/** Endpoints held in memory, changed by the benchmark, reported to the batcher like the watch does. */
class BurstEndpoints implements EndpointSource {
  generation = 0;
  check() {}
  async lookup() {
    return (_source: KubernetesSource): Endpoint[] =>
      // three pods; one of them is replaced at every change
      [1, 2, 3].map(i => ({
        address: `10.9.${this.generation % 250}.${i}`,
        port: 8080,
      }));
  }
}

async function burst() {
  const nginx = await startScratchNginx();
  const { knex, store: nginxStore } = await store();
  const endpoints = new BurstEndpoints();
  try {
    const service = benchService(nginx, nginxStore, endpoints);
    const port = 20000 + Math.floor(Math.random() * 20000);
    const domains = Array.from({ length: 100 }, (_, i) =>
      domain(
        i,
        port,
        i === 0
          ? {
              upstreams: [
                {
                  name: 'stable',
                  members: [],
                  kubernetes: [
                    {
                      cluster: 'k8s',
                      namespace: 'shop',
                      service: 'shop-api',
                      port: 8080,
                    },
                  ],
                },
                {
                  name: 'canary',
                  members: [{ address: '10.0.1.1', port: 8080 }],
                },
              ],
            }
          : {},
      ),
    );
    await nginxStore.replaceDomains('bench', domains, 'bench');
    await service.publish('bench', 'initial', 'bench');
    const reloads: number[] = [];
    const batcher = new EndpointBatcher(
      service,
      { watch: async () => undefined },
      silentLogger,
      2000,
      (_cluster, result) => {
        if (result) reloads.push(performance.now());
      },
    );
    await batcher.refresh();
    const started = performance.now();
    let changes = 0;
    while (performance.now() - started < burstSeconds * 1000) {
      endpoints.generation++;
      batcher.changed('k8s', 'shop', 'shop-api');
      changes++;
      await new Promise(resolve => setTimeout(resolve, 1000 / burstRate));
    }
    const burstEnded = performance.now();
    await batcher.idle();
    await batcher.stop();
    const seconds = (burstEnded - started) / 1000;
    const gaps = reloads.slice(1).map((t, i) => t - reloads[i]);
    return {
      changes,
      seconds,
      reloads: reloads.length,
      perMinute: (reloads.length / seconds) * 60,
      minGap: Math.min(...gaps),
      maxGap: Math.max(...gaps),
    };
  } finally {
    await knex.destroy();
    await nginx.stop();
  }
}

async function main() {
  const version = execFileSync('/usr/sbin/nginx', ['-v'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  process.stderr.write(`${version}`);
  console.log(`every ${grayEvery}. domain with a gray release`);
  console.log(
    '| domains | config size | render (all domains) | nginx -t | whole publish (save, render, nginx -t, record, write, reload) |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const size of sizes) {
    const r = await oneChange(size);
    console.log(
      `| ${size} | ${(r.bytes / 1024 / 1024).toFixed(1)} MiB | ${range(
        r.render,
      )} | ${range(r.check)} | ${range(r.publish)} |`,
    );
  }
  if (noBurst) return;
  const b = await burst();
  console.log('');
  console.log(
    `burst: ${b.changes} endpoint changes in ${b.seconds.toFixed(
      1,
    )} s (${burstRate}/s) → ${
      b.reloads
    } versions published and reloaded = ${b.perMinute.toFixed(
      1,
    )} reloads per minute; gaps between reloads ${ms(b.minGap)} – ${ms(
      b.maxGap,
    )}`,
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
