/*
 * The service page's backend call vs Backstage's own kubernetes backend (objects by entity), for
 * the same entity on the local cloud, with thousands of kwok pods over both clusters and N
 * concurrent viewers. Reports p50/p95 latency and the requests each makes to the apiservers
 * (apiserver_request_total, summed over both clusters) during a fixed window.
 *
 *   node bench/services/run.js [--pods-per-cluster 1000] [--viewers 20] [--seconds 30]
 *     [--max-wait-minutes 15]   (past it, the pods that are ready are measured: the local cloud's limit)
 *     [--read-cache-seconds N]  (containerCloud.services.readCacheSeconds of the backend; 0: every
 *                               read looked up and authorized, the path before it existed)
 *
 * Ours is measured as the Service tab calls it: the view with the first page of each cluster's
 * containers, once unconditionally (every viewer a first load) and once as a tab that holds the
 * view (If-None-Match: its ETag, answered 304 while nothing changed). Beside the latencies: the
 * backend's RSS (with the watch caches empty, with every pod and event in them, and its peak
 * under load) and the events the event watches hold.
 *
 * Loopback only; bounded in time; stops what it started.
 */
import { spawn, ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalCloud, LocalCloudInfo } from '../../packages/local-cloud/src';
import { withLocalCloud } from './localCloud';

const ROOT = path.resolve(__dirname, '../..');
const PORT = 7037;
export const BASE = `http://127.0.0.1:${PORT}`;
const NAMESPACE = 'bench-services';
const SERVICE = 'payments-api';

/** A numeric `--name value` of the command line, or `fallback`. */
export function arg(args: string[], name: string, fallback: number) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/** A progress line on stderr, with the time. */
export const say = (line: string) =>
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
export const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** N kwok pods of payments-api per cluster in the bench namespace (fake nodes added as needed). */
export async function ensurePods(
  cloud: LocalCloud,
  clusters: string[],
  perCluster: number,
  options: {
    /** how long to wait for every pod to be ready (default 15 min) */
    maxWaitMs?: number;
    /** past maxWaitMs, go on with the pods that are ready instead of failing */
    partial?: boolean;
  } = {},
): Promise<number> {
  const maxWaitMs = options.maxWaitMs ?? 15 * 60_000;
  const nodesNeeded = Math.ceil((perCluster + 50) / 110);
  for (const cluster of clusters) {
    const api = cloud.adminClient(cluster as any);
    try {
      for (let i = 0; i < nodesNeeded; i++) {
        const name = `kwok-${cluster}-bench-${i}`;
        const res = await api.request('GET', `/api/v1/nodes/${name}`);
        if (res.status === 404) {
          await api.expect('POST', '/api/v1/nodes', {
            apiVersion: 'v1',
            kind: 'Node',
            metadata: {
              name,
              annotations: { 'kwok.x-k8s.io/node': 'fake' },
              labels: { type: 'kwok', 'kubernetes.io/hostname': name },
            },
            status: {
              allocatable: { cpu: '64', memory: '512Gi', pods: '110' },
              capacity: { cpu: '64', memory: '512Gi', pods: '110' },
            },
          });
        }
      }
      // a previous run's namespace may still be deleting its pods: wait until it is gone
      for (let i = 0; ; i++) {
        const ns = await api.request('GET', `/api/v1/namespaces/${NAMESPACE}`);
        if (ns.status === 404 || ns.body?.status?.phase !== 'Terminating')
          break;
        if (i === 0)
          say(
            `${cluster}: waiting for the last run's ${NAMESPACE} to be deleted`,
          );
        if (i >= 600)
          throw new Error(
            `${NAMESPACE} in ${cluster} is still terminating after 10 min`,
          );
        await sleep(1000);
      }
      await api.apply(`/api/v1/namespaces/${NAMESPACE}`, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: NAMESPACE },
      });
      const labels = { app: SERVICE, 'backstage.io/kubernetes-id': SERVICE };
      await api.apply(
        `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${SERVICE}`,
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: SERVICE, namespace: NAMESPACE, labels },
          spec: {
            replicas: perCluster,
            selector: { matchLabels: { app: SERVICE } },
            template: {
              metadata: { labels },
              spec: {
                containers: [
                  {
                    name: 'app',
                    image: 'registry.example.com/payments/api:1.0.0',
                  },
                ],
              },
            },
          },
        },
      );
    } finally {
      api.close();
    }
  }
  const started = Date.now();
  for (;;) {
    let ready = 0;
    for (const cluster of clusters) {
      const api = cloud.adminClient(cluster as any);
      try {
        const d = await api.expect(
          'GET',
          `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${SERVICE}`,
        );
        ready += d.body.status?.readyReplicas ?? 0;
      } finally {
        api.close();
      }
    }
    say(`pods ready: ${ready}/${perCluster * clusters.length}`);
    if (ready >= perCluster * clusters.length)
      return (Date.now() - started) / 1000;
    if (Date.now() - started > maxWaitMs) {
      const what = `${ready} of ${
        perCluster * clusters.length
      } pods ready after ${Math.round(maxWaitMs / 60_000)} min`;
      if (!options.partial) throw new Error(what);
      say(`stopped waiting: ${what}; measuring with those`);
      return (Date.now() - started) / 1000;
    }
    await sleep(5000);
  }
}

/** The bench Deployment's ready pods over the clusters. */
async function readyPods(cloud: LocalCloud, clusters: string[]) {
  let ready = 0;
  for (const cluster of clusters) {
    const api = cloud.adminClient(cluster as any);
    try {
      const d = await api.expect(
        'GET',
        `/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${SERVICE}`,
      );
      ready += d.body.status?.readyReplicas ?? 0;
    } finally {
      api.close();
    }
  }
  return ready;
}

async function apiserverRequests(cloud: LocalCloud, clusters: string[]) {
  let total = 0;
  for (const cluster of clusters) {
    const api = cloud.adminClient(cluster as any);
    try {
      const res = await api.expect('GET', '/metrics');
      for (const line of String(res.body).split('\n')) {
        // every request the apiserver served, except the watch streams already open
        if (line.startsWith('apiserver_request_total{')) {
          total += Number(line.slice(line.lastIndexOf(' ') + 1));
        }
      }
    } finally {
      api.close();
    }
  }
  return total;
}

/**
 * The bench's pods live in a namespace of their own: ops config binds it to payments-api beside
 * the namespace the example catalog's placements name (the binding replaces them with these).
 */
export const BENCH_PLACEMENTS = [
  `containerCloud:`,
  `  binding:`,
  `    placements:`,
  `      component:default/${SERVICE}: ['*/payments', '*/${NAMESPACE}']`,
];

/**
 * A Backstage backend (packages/backend) on 127.0.0.1:7037 with the local cloud's overlay;
 * `containerCloud` lines go under the overlay's `containerCloud:` key (indented by two).
 */
export function startBackend(
  appConfig: string,
  containerCloud: string[] = [],
): ChildProcess {
  const overlay = path.join(os.tmpdir(), 'bench-services.app-config.yaml');
  fs.writeFileSync(
    overlay,
    [
      `backend:`,
      `  baseUrl: ${BASE}`,
      `  listen: { port: ${PORT}, host: 127.0.0.1 }`,
      `  cors: { origin: ${BASE} }`,
      `app:`,
      `  baseUrl: ${BASE}`,
      ...BENCH_PLACEMENTS,
      ...containerCloud,
      ``,
    ].join('\n'),
  );
  const log = fs.openSync(
    path.join(os.tmpdir(), 'bench-services.backend.log'),
    'w',
  );
  // the backend's sources through the CLI's node transform, without `package start`'s file
  // watcher (an edit anywhere in the repo restarted the backend mid-measurement)
  return spawn(
    process.execPath,
    [
      '--require',
      '@backstage/cli/config/nodeTransform.cjs',
      'src/index.ts',
      '--config',
      '../../app-config.yaml',
      '--config',
      appConfig,
      '--config',
      overlay,
    ],
    {
      cwd: path.join(ROOT, 'packages/backend'),
      stdio: ['ignore', log, log],
      detached: true,
      env: { ...process.env, NODE_ENV: 'development' },
    },
  );
}

export async function waitReady() {
  for (let i = 0; i < 240; i++) {
    try {
      const res = await fetch(`${BASE}/.backstage/health/v1/readiness`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(1000);
  }
  throw new Error('the backend did not become ready in 4 min');
}

export async function guestToken(base = BASE) {
  const res = await fetch(`${base}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  if (!res.ok) throw new Error(`guest sign-in answered ${res.status}`);
  const body = await res.json();
  return body.backstageIdentity.token as string;
}

/**
 * `viewers` concurrent loops calling `call` for `seconds`; latencies of the checked answers. With
 * `conditional`, each viewer sends back the ETag of the last view it read (`If-None-Match`), as
 * the Service tab does, and a 304 counts as an answer (the view it holds).
 */
export async function load(
  viewers: number,
  seconds: number,
  call: (headers?: Record<string, string>) => Promise<Response>,
  check: (body: any) => void,
  options: { conditional?: boolean } = {},
) {
  const latencies: number[] = [];
  let errors = 0;
  let notModified = 0;
  let bytes = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: viewers }, async () => {
      let etag: string | undefined;
      while (Date.now() < until) {
        const t = performance.now();
        try {
          const res = await call(
            options.conditional && etag ? { 'if-none-match': etag } : undefined,
          );
          if (res.status === 304 && etag) {
            await res.arrayBuffer();
            notModified++;
          } else {
            const text = await res.text();
            if (!res.ok)
              throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
            bytes += text.length;
            check(JSON.parse(text));
            etag = res.headers.get('etag') ?? undefined;
          }
          latencies.push(performance.now() - t);
        } catch (error) {
          errors++;
          if (errors === 1) say(`first error: ${error}`);
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const q = (p: number) =>
    latencies[
      Math.min(latencies.length - 1, Math.floor(p * latencies.length))
    ] ?? NaN;
  const full = latencies.length - notModified;
  return {
    requests: latencies.length,
    notModified,
    errors,
    p50: q(0.5),
    p95: q(0.95),
    /** the body of a full answer, as the client read it (after any gzip) */
    bodyBytes: full > 0 ? Math.round(bytes / full) : 0,
  };
}

/** A process's resident memory now, in MB (Linux), or NaN. */
export function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

/** The backend's peak RSS while `work` runs, sampled every 500 ms. */
async function peakRss<T>(pid: number | undefined, work: () => Promise<T>) {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 500);
  try {
    return { result: await work(), peakMb: peak };
  } finally {
    clearInterval(timer);
    peak = Math.max(peak, rssMb(pid));
  }
}

/**
 * The events the apiservers hold about Pods, ReplicaSets and Deployments (what the event watches
 * keep), counted page by page (a field-selected list reports no remaining count).
 */
async function eventCounts(cloud: LocalCloud, clusters: string[]) {
  const counts: Record<string, number> = {
    Pod: 0,
    ReplicaSet: 0,
    Deployment: 0,
  };
  for (const cluster of clusters) {
    const api = cloud.adminClient(cluster as any);
    try {
      for (const kind of Object.keys(counts)) {
        let next = '';
        do {
          const res = await api.expect(
            'GET',
            `/api/v1/events?fieldSelector=involvedObject.kind%3D${kind}&limit=1000${
              next ? `&continue=${encodeURIComponent(next)}` : ''
            }`,
          );
          counts[kind] += res.body.items?.length ?? 0;
          next = res.body.metadata?.continue ?? '';
        } while (next);
      }
    } finally {
      api.close();
    }
  }
  return counts;
}

async function measure(
  args: string[],
  cloud: LocalCloud,
  info: LocalCloudInfo,
): Promise<number> {
  const perCluster = arg(args, 'pods-per-cluster', 1000);
  const viewers = arg(args, 'viewers', 20);
  const seconds = arg(args, 'seconds', 30);
  const clusters = info.clusters.map(c => c.name);
  // the backend first, so its memory with the watch caches (nearly) empty is known
  const readCache = args.includes('--read-cache-seconds')
    ? arg(args, 'read-cache-seconds', 0)
    : undefined;
  say(
    `starting the backend on ${BASE}${
      readCache === undefined ? '' : ` (readCacheSeconds ${readCache})`
    }`,
  );
  const backend = startBackend(
    info.appConfig,
    readCache === undefined
      ? []
      : [`  services:`, `    readCacheSeconds: ${readCache}`],
  );
  let podSeconds = NaN;
  try {
    await waitReady();
    const token = await guestToken();
    const headers = {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    };
    // the catalog ingests the example entities shortly after start-up
    let entity: any;
    for (let i = 0; i < 120 && !entity; i++) {
      const res = await fetch(
        `${BASE}/api/catalog/entities/by-name/component/default/${SERVICE}`,
        { headers },
      );
      if (res.ok) entity = await res.json();
      else await sleep(1000);
    }
    if (!entity) throw new Error(`the catalog never served ${SERVICE}`);
    const url = `${BASE}/api/services/services/default/${SERVICE}?podsLimit=20`;
    const ours = (extra?: Record<string, string>) =>
      fetch(url, {
        headers: { ...headers, 'accept-encoding': 'gzip', ...extra },
      });
    const podsIn = (body: any) =>
      body.clusters.reduce((n: number, c: any) => n + c.podCounts.total, 0);
    // the seeded pods the placements show beside the bench's
    const seeded = podsIn(await (await ours()).json());
    const rssEmpty = rssMb(backend.pid);
    const eventsBefore = await eventCounts(cloud, clusters);
    say(
      `backend RSS with the bench's pods absent: ${rssEmpty.toFixed(
        0,
      )} MB; events held: ${JSON.stringify(eventsBefore)}`,
    );

    say(`creating ${perCluster} pods in each of ${clusters.join(', ')}`);
    podSeconds = await ensurePods(cloud, clusters, perCluster, {
      maxWaitMs: arg(args, 'max-wait-minutes', 15) * 60_000,
      partial: true,
    });
    // the pods the view must count: the bench's in every cluster, plus those it had before
    const totalPods = Math.min(
      perCluster * clusters.length,
      await readyPods(cloud, clusters),
    );
    say(`pods ready after ${podSeconds.toFixed(0)} s`);
    const theirs = () =>
      fetch(`${BASE}/api/kubernetes/services/${SERVICE}`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ entity }),
      });
    // wait until our caches hold every pod, then for the pods' events to settle
    for (let i = 0; i < 300; i++) {
      if (podsIn(await (await ours()).json()) >= seeded + totalPods) break;
      await sleep(1000);
    }
    await (await theirs()).json();
    await sleep(10_000);
    const rssFull = rssMb(backend.pid);
    const events = await eventCounts(cloud, clusters);
    say(
      `backend RSS with ${totalPods} pods and their events in the watch caches: ${rssFull.toFixed(
        0,
      )} MB; events held: ${JSON.stringify(events)}`,
    );

    // what the apiservers serve anyway in such a window (controllers, kwok, leases, our health
    // probes), measured idle and subtracted from all
    const idleBefore = await apiserverRequests(cloud, clusters);
    await sleep(seconds * 1000);
    const idle = (await apiserverRequests(cloud, clusters)) - idleBefore;
    say(`apiserver requests in an idle ${seconds} s window: ${idle}`);
    const results: Record<string, any> = {};
    const checkOurs = (body: any) => {
      const pods = podsIn(body);
      if (pods < seeded + totalPods) throw new Error(`saw ${pods} pods`);
      if (body.clusters.some((c: any) => c.pods.length > 20))
        throw new Error('a page of more than 20');
    };
    for (const [name, call, check, conditional] of [
      [
        'ours, every request a first load: GET /api/services/services/default/payments-api?podsLimit=20',
        ours,
        checkOurs,
        false,
      ],
      [
        'ours, the tab holding the view: the same with If-None-Match (304 while unchanged)',
        ours,
        checkOurs,
        true,
      ],
      [
        "Backstage's kubernetes backend: POST /api/kubernetes/services/payments-api",
        theirs,
        (body: any) => {
          if (!Array.isArray(body.items)) throw new Error('no items');
        },
        false,
      ],
    ] as const) {
      const before = await apiserverRequests(cloud, clusters);
      const { result: r, peakMb } = await peakRss(backend.pid, () =>
        load(viewers, seconds, call, check, { conditional }),
      );
      const after = await apiserverRequests(cloud, clusters);
      results[name] = {
        ...r,
        apiserverRequests: after - before - idle,
        peakRssMb: Math.round(peakMb),
      };
      say(`${name}: ${JSON.stringify(results[name])}`);
    }
    const [first, held, backstage] = Object.values(results);
    const lines = [
      `${totalPods} kwok pods of ${SERVICE} over ${
        clusters.length
      } clusters, ${viewers} concurrent viewers, ${seconds} s each (pods ready after ${podSeconds.toFixed(
        0,
      )} s); apiserver requests are net of an idle window (${idle})`,
      '',
      '| backend call | requests served | of them 304 | errors | p50 ms | p95 ms | body read (bytes) | requests to the apiservers in the window (net) | backend peak RSS MB |',
      '|---|---|---|---|---|---|---|---|---|',
      ...Object.entries(results).map(
        ([name, r]) =>
          `| ${name} | ${r.requests} | ${r.notModified} | ${
            r.errors
          } | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.bodyBytes} | ${
            r.apiserverRequests
          } | ${r.peakRssMb} |`,
      ),
      '',
      `p95 ratio, Backstage's backend / ours: ${(
        backstage.p95 / first.p95
      ).toFixed(1)}x (first loads), ${(backstage.p95 / held.p95).toFixed(
        1,
      )}x (the tab holding the view)`,
      `backend RSS: ${rssEmpty.toFixed(
        0,
      )} MB with the bench's pods absent, ${rssFull.toFixed(
        0,
      )} MB with ${totalPods} pods and their events in the watch caches (+${(
        rssFull - rssEmpty
      ).toFixed(0)} MB)`,
      `events the event watches hold (Pod / ReplicaSet / Deployment, both clusters): before ${eventsBefore.Pod} / ${eventsBefore.ReplicaSet} / ${eventsBefore.Deployment}, with the pods ${events.Pod} / ${events.ReplicaSet} / ${events.Deployment}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  } finally {
    if (backend.pid) {
      try {
        process.kill(-backend.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    await removePods(cloud, clusters);
  }
}

/** Removes the bench namespace and the fake nodes ensurePods added: the cluster is as it was. */
export async function removePods(cloud: LocalCloud, clusters: string[]) {
  for (const cluster of clusters) {
    const api = cloud.adminClient(cluster as any);
    try {
      await api.request('DELETE', `/api/v1/namespaces/${NAMESPACE}`);
      // its pods end on the fake nodes first (at most two minutes)
      for (let i = 0; i < 120; i++) {
        const ns = await api.request('GET', `/api/v1/namespaces/${NAMESPACE}`);
        if (ns.status === 404) break;
        await sleep(1000);
      }
      // then the fake nodes it added go, so the cluster is as it was
      const nodes = await api.request('GET', '/api/v1/nodes');
      for (const node of (nodes.body?.items ?? []) as any[]) {
        const name: string = node.metadata?.name ?? '';
        if (name.startsWith(`kwok-${cluster}-bench-`)) {
          await api.request('DELETE', `/api/v1/nodes/${name}`);
        }
      }
    } finally {
      api.close();
    }
  }
}

export function main(args: string[]): Promise<number> {
  return withLocalCloud(say, (cloud, info) => measure(args, cloud, info));
}
