/*
 * Benchmarks the nginx plugin (plugins/nginx-backend) on loopback only:
 *
 * 1. One domain edit in a cluster of N domains (10, 1,000, 10,000): its validation, the old path
 *    (render the whole cluster, one `nginx -t` over all of it: what checking a change cost before
 *    #12) beside the new one (NginxService.validateDomain: the saved domains read from the store,
 *    the name-collision check against them, `nginx -t` on the edited domain's file alone), p50 and
 *    p95; then the whole publish of the edit (save, render, full `nginx -t`, record the version in
 *    SQLite, write the files, run `nginx -s reload`) and the time until the reloaded nginx serves
 *    it (the edit points the domain at a backend of its own, asked until it answers).
 * 2. Reloads per minute under a burst of endpoint changes: a Kubernetes source whose endpoints
 *    change `--rate` times a second for `--seconds` seconds, through the real batch window
 *    (EndpointBatcher, 2 s) into NginxService publishing to a scratch nginx with real reloads.
 *    The endpoints come from an in-memory source (what the EndpointSlice watch would report).
 *
 *   node -r @backstage/cli/config/nodeTransform.cjs bench/nginx/bench.ts [--sizes 10,1000,10000]
 *     [--runs 3] [--old-edit-runs 3] [--edit-runs 50] [--gray-every 10] [--seconds 30] [--rate 20]
 *     [--no-burst] [--reload nginx-s-reload|signal] [--edit-only]
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
import {
  startNamedBackend,
  startScratchNginx,
} from '../../plugins/nginx-backend/src/__testUtils__/scratchNginx';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : fallback;
};
const sizes = arg('--sizes', '10,1000,10000').split(',').map(Number);
const runs = Number(arg('--runs', '3'));
const oldEditRuns = Number(arg('--old-edit-runs', '3'));
const editRuns = Number(arg('--edit-runs', '50'));
const burstSeconds = Number(arg('--seconds', '30'));
const burstRate = Number(arg('--rate', '20'));
// every Nth domain has a gray release (split_clients + header map: 2 nginx variables each)
const grayEvery = Number(arg('--gray-every', '10'));
const noBurst = args.includes('--no-burst');
// `signal`: the reload command sends SIGHUP to the master instead of running `nginx -s reload`,
// which parses the whole configuration once more before it signals
const reloadBy = arg('--reload', 'nginx-s-reload');
// only the edit's validation, old and new path: no publish (for sizes whose publish takes minutes)
const editOnly = args.includes('--edit-only');

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

const ms = (t: number) =>
  t >= 10_000 ? `${(t / 1000).toFixed(1)} s` : `${t.toFixed(0)} ms`;
/** The value below which `p` percent of the samples lie (nearest rank). */
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[
    Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
  ];
};
const p50p95 = (values: number[]) =>
  `${ms(percentile(values, 50))} / ${ms(percentile(values, 95))}`;
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
  nginx: { prefix: string; confDir: string; reloadCommand: string[] },
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
              reloadCommand:
                reloadBy === 'signal'
                  ? [
                      '/bin/sh',
                      '-c',
                      'exec kill -HUP "$(cat "$0")"',
                      `${nginx.prefix}/nginx.pid`,
                    ]
                  : nginx.reloadCommand,
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

/** The stable upstream of d0 pointed at one loopback backend: how an edit shows when served. */
function pointedAt(port: number, backendPort: number): Domain {
  return domain(0, port, {
    upstreams: [
      {
        name: 'stable',
        members: [{ address: '127.0.0.1', port: backendPort }],
      },
      { name: 'canary', members: [{ address: '10.0.1.1', port: 8080 }] },
    ],
    locations: [{ path: '/', upstream: 'stable' }],
    grayRelease: undefined,
  });
}

/** Asks the scratch nginx for d0 until the answer is `expected` (the reload has completed). */
async function servedBy(port: number, expected: string) {
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        headers: { host: 'd0.example.com' },
      });
      if ((await res.text()) === expected) return;
    } catch {
      // not listening yet
    }
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

async function oneChange(size: number) {
  const nginx = await startScratchNginx();
  const { knex, store: nginxStore } = await store();
  const backends = await Promise.all(
    Array.from({ length: runs + 1 }, (_, r) => startNamedBackend(`run-${r}`)),
  );
  try {
    const service = benchService(nginx, nginxStore);
    const port = 20000 + Math.floor(Math.random() * 20000);
    const domains = [
      pointedAt(port, backends[0].port),
      ...Array.from({ length: size - 1 }, (_, i) => domain(i + 1, port)),
    ];
    await nginxStore.replaceDomains('bench', domains, 'bench');
    let t = performance.now();
    if (!editOnly) {
      const first = await service.publish('bench', 'initial', 'bench');
      if (!first.ok) throw new Error(JSON.stringify(first.delivery));
      await servedBy(port, 'run-0');
    }
    const firstPublish = performance.now() - t;

    // the edit: one domain's canary share
    const edit = (n: number) =>
      domain(0, port, {
        grayRelease: {
          stable: 'stable',
          canary: 'canary',
          canaryPercent: 1 + (n % 99),
        },
      });

    const render: number[] = [];
    const check: number[] = [];
    const oldEdit: number[] = [];
    const validator = new NginxValidator('/usr/sbin/nginx', 600_000);
    for (let run = 0; run < oldEditRuns; run++) {
      const all = [edit(run), ...domains.slice(1)];
      t = performance.now();
      const rendered = await service.render(all);
      render.push(performance.now() - t);
      const c = performance.now();
      const result = await validator.check(rendered.files);
      check.push(performance.now() - c);
      oldEdit.push(performance.now() - t);
      if (!result.ok) throw new Error(result.message);
    }
    const newEdit: number[] = [];
    for (let run = 0; run < editRuns; run++) {
      t = performance.now();
      await service.validateDomain(edit(run));
      newEdit.push(performance.now() - t);
    }

    const publish: number[] = [];
    const served: number[] = [];
    for (let run = 1; run <= (editOnly ? 0 : runs); run++) {
      const changed = pointedAt(port, backends[run].port);
      t = performance.now();
      await service.saveDomain(changed, 'bench');
      const published = await service.publish('bench', `run ${run}`, 'bench');
      publish.push(performance.now() - t);
      if (!published.ok) throw new Error(JSON.stringify(published.delivery));
      await servedBy(port, `run-${run}`);
      served.push(performance.now() - t);
    }
    const bytes = Object.values((await service.render(domains)).files).reduce(
      (sum, text) => sum + text.length,
      0,
    );
    return {
      size,
      bytes,
      firstPublish,
      render,
      check,
      oldEdit,
      newEdit,
      publish,
      served,
    };
  } finally {
    await knex.destroy();
    await nginx.stop();
    await Promise.all(backends.map(b => b.stop()));
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
  console.log(
    `every ${grayEvery}. domain with a gray release; reload command: ${reloadBy}`,
  );
  console.log(
    '| domains | config size | edit validated, old path: render all + nginx -t of all (range) | edit validated, new path: isolated (p50 / p95; first, index cold) | runs old / new | whole publish (save, render, nginx -t, record, write, reload command) | until nginx serves it |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const size of sizes) {
    const r = await oneChange(size);
    console.log(
      `| ${size} | ${(r.bytes / 1024 / 1024).toFixed(1)} MiB | ${range(
        r.oldEdit,
      )} (render ${range(r.render)}, nginx -t ${range(r.check)}) | ${p50p95(
        r.newEdit,
      )}; ${ms(r.newEdit[0])} | ${r.oldEdit.length} / ${r.newEdit.length} | ${
        editOnly ? '–' : range(r.publish)
      } | ${
        editOnly
          ? '–'
          : `${range(r.served)} (first publish ${ms(r.firstPublish)})`
      } |`,
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
