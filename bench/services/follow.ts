/*
 * Live log follows through the services backend: N browsers follow the same container (each an
 * SSE stream in the backend and a pods/log stream to the apiserver and kwok), the container
 * writes M lines; how long until every follower has each line, and do the apiserver streams close
 * when the followers leave (apiserver_longrunning_requests for pods/log)?
 *
 *   node bench/services/follow.js [--followers 10,50,100] [--lines 20]
 *
 * Loopback only; bounded (at most 200 followers, 100 lines); stops what it started. The lines are
 * appended to the local cloud's kwok sample log of local-a, which every pod there serves.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { LocalCloud, LocalCloudInfo } from '../../packages/local-cloud/src';
import { withLocalCloud } from './localCloud';
import { readServerSentEvents } from '../../plugins/container-cloud-common/src';
import {
  arg,
  BASE,
  guestToken,
  say,
  sleep,
  startBackend,
  waitReady,
} from './bench';

const NAMESPACE = 'bench-follow';
const SERVICE = 'payments-api';
const CLUSTER = 'local-a';


function listArg(args: string[], name: string, fallback: number[]): number[] {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1].split(',').map(Number) : fallback;
}

/** pods/log streams the apiserver holds open now. */
async function openLogStreams(cloud: LocalCloud): Promise<number> {
  const api = cloud.adminClient(CLUSTER);
  try {
    const res = await api.expect('GET', '/metrics');
    let total = 0;
    for (const line of String(res.body).split('\n')) {
      if (
        line.startsWith('apiserver_longrunning_requests{') &&
        line.includes('resource="pods"') &&
        line.includes('subresource="log"')
      ) {
        total += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  } finally {
    api.close();
  }
}

async function runningPod(cloud: LocalCloud): Promise<string> {
  const api = cloud.adminClient(CLUSTER);
  try {
    await api.apply(`/api/v1/namespaces/${NAMESPACE}`, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NAMESPACE },
    });
    const labels = { app: `${SERVICE}-follow`, 'backstage.io/kubernetes-id': SERVICE };
    await api.apply(`/apis/apps/v1/namespaces/${NAMESPACE}/deployments/${SERVICE}`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: SERVICE, namespace: NAMESPACE, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: labels.app } },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'app', image: 'registry.example.com/payments/api:1.0.0' }] },
        },
      },
    });
    for (let i = 0; i < 120; i++) {
      const pods = await api.expect('GET', `/api/v1/namespaces/${NAMESPACE}/pods`);
      const pod = pods.body.items.find((p: any) => p.status?.phase === 'Running');
      if (pod) return pod.metadata.name;
      await sleep(500);
    }
    throw new Error('the bench pod never ran');
  } finally {
    api.close();
  }
}

/** One browser following the log: resolves `opened` once the first line arrived. */
function follower(url: string, token: string) {
  const controller = new AbortController();
  const seen = new Map<string, number>();
  let resolveOpened: () => void;
  const opened = new Promise<void>(r => {
    resolveOpened = r;
  });
  const done = (async () => {
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${token}` },
      signal: controller.signal,
    });
    if (res.status !== 200) throw new Error(`follow answered ${res.status}: ${await res.text()}`);
    for await (const { event, data } of readServerSentEvents(res.body!)) {
      if (event === 'message') {
        seen.set(data, performance.now());
        resolveOpened!();
      }
    }
  })().catch(error => {
    if (!controller.signal.aborted) throw error;
  });
  return { opened, done, seen, close: () => controller.abort() };
}

const quantile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

async function measure(
  args: string[],
  cloud: LocalCloud,
  info: LocalCloudInfo,
): Promise<number> {
  const counts = listArg(args, 'followers', [10, 50, 100]).map(n => Math.min(200, n));
  const lines = Math.min(100, listArg(args, 'lines', [20])[0]);
  const logFile = path.join(info.home, CLUSTER, 'kwok-sample-container.log');
  const pod = await runningPod(cloud);
  say(`following ${NAMESPACE}/${pod} in ${CLUSTER}; starting the backend on ${BASE}`);
  const backend = startBackend(info.appConfig, [
    '  services:',
    '    logs: { maxFollowsPerUser: 1000 }',
  ]);
  const rows: string[] = [];
  try {
    await waitReady();
    const token = await guestToken();
    for (let i = 0; i < 120; i++) {
      const res = await fetch(`${BASE}/api/catalog/entities/by-name/component/default/${SERVICE}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.ok) break;
      await sleep(1000);
    }
    const url = `${BASE}/api/services/services/default/${SERVICE}/containers/logs/follow?cluster=${CLUSTER}&namespace=${NAMESPACE}&pod=${pod}&tailLines=1`;
    for (const n of counts) {
      const baseline = await openLogStreams(cloud);
      const followers = Array.from({ length: n }, () => follower(url, token));
      const openStarted = performance.now();
      await Promise.all(followers.map(f => f.opened));
      const openMs = performance.now() - openStarted;
      const streamsOpen = (await openLogStreams(cloud)) - baseline;

      const run = crypto.randomBytes(3).toString('hex');
      const written = new Map<string, number>();
      for (let l = 0; l < lines; l++) {
        const text = `level=info msg="bench" run=${run} line=${l}`;
        written.set(text, performance.now());
        fs.appendFileSync(logFile, `${new Date().toISOString()} stdout F ${text}\n`);
        await sleep(250);
      }
      // give the last line time to arrive everywhere (bounded)
      for (let i = 0; i < 40; i++) {
        if (followers.every(f => [...written.keys()].every(t => f.seen.has(t)))) break;
        await sleep(250);
      }
      const latencies: number[] = [];
      let missing = 0;
      for (const f of followers) {
        for (const [text, at] of written) {
          const got = f.seen.get(text);
          if (got === undefined) missing++;
          else latencies.push(got - at);
        }
      }
      latencies.sort((a, b) => a - b);
      followers.forEach(f => f.close());
      await Promise.all(followers.map(f => f.done));
      let after = 0;
      for (let i = 0; i < 40; i++) {
        after = (await openLogStreams(cloud)) - baseline;
        if (after <= 0) break;
        await sleep(250);
      }
      const row = `| ${n} | ${lines} | ${latencies.length} | ${missing} | ${openMs.toFixed(0)} | ${quantile(latencies, 0.5).toFixed(1)} | ${quantile(latencies, 0.95).toFixed(1)} | ${latencies[latencies.length - 1]?.toFixed(1)} | ${streamsOpen} | ${after} |`;
      say(row);
      rows.push(row);
    }
    process.stdout.write(
      [
        '| followers | lines written | lines delivered | missing | all open, ms | p50 ms | p95 ms | max ms | pods/log streams open at the apiserver | … after the followers left |',
        '|---|---|---|---|---|---|---|---|---|---|',
        ...rows,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    if (backend.pid) {
      try {
        process.kill(-backend.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    const api = cloud.adminClient(CLUSTER);
    try {
      await api.request('DELETE', `/api/v1/namespaces/${NAMESPACE}`);
    } finally {
      api.close();
    }
  }
}

export function main(args: string[]): Promise<number> {
  return withLocalCloud(say, (cloud, info) => measure(args, cloud, info));
}
