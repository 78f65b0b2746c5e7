/*
 * The Service tab's backend call served by one backend replica, and by two replicas on one
 * PostgreSQL behind a round-robin balancer (scripts/replicas), in the same run: requests served,
 * p50/p95 latency and errors with N concurrent viewers of a service with M kwok pods per cluster.
 *
 *   node bench/replicas/run.js [--pods-per-cluster 500] [--viewers 20] [--seconds 30]
 *
 * It starts scripts/replicas (and so a throwaway PostgreSQL) and stops it afterwards, with the pods
 * and fake nodes it added. Loopback only; bounded in time. On one machine both replicas share its
 * cores with each other and with the load generator: the figure says what a second replica adds
 * here, not what it adds on a machine of its own.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalCloud, LocalCloudInfo } from '../../packages/local-cloud/src';
import {
  arg,
  BENCH_PLACEMENTS,
  ensurePods,
  guestToken,
  load,
  removePods,
  say,
  sleep,
} from '../services/bench';
import { withLocalCloud } from '../services/localCloud';

const ROOT = path.resolve(__dirname, '../..');
const BALANCER = 'http://127.0.0.1:7050';
const ONE_REPLICA = 'http://127.0.0.1:7051';
const SERVICE = 'payments-api';



const SECOND_REPLICA = 'http://127.0.0.1:7052';

/** Both replicas and the balancer answer. */
async function replicasReady() {
  const ready = async (base: string) => {
    try {
      return (await fetch(`${base}/.backstage/health/v1/readiness`)).ok;
    } catch {
      return false; // not listening yet
    }
  };
  for (let i = 0; i < 600; i++) {
    const all = await Promise.all(
      [ONE_REPLICA, SECOND_REPLICA, BALANCER].map(ready),
    );
    if (all.every(Boolean)) return;
    await sleep(1000);
  }
  throw new Error('scripts/replicas did not come up in 10 min');
}

async function measure(
  args: string[],
  cloud: LocalCloud,
  info: LocalCloudInfo,
) {
  const perCluster = arg(args, 'pods-per-cluster', 500);
  const viewers = arg(args, 'viewers', 20);
  const seconds = arg(args, 'seconds', 30);
  const clusters = info.clusters.map(c => c.name);
  say(
    `creating ${perCluster} pods of ${SERVICE} in each of ${clusters.join(
      ', ',
    )}`,
  );
  await ensurePods(cloud, clusters, perCluster);
  say('starting two replicas behind the balancer (scripts/replicas)');
  const placements = path.join(os.tmpdir(), 'bench-replicas.app-config.yaml');
  fs.writeFileSync(placements, `${BENCH_PLACEMENTS.join('\n')}\n`);
  const replicas = spawn(path.join(ROOT, 'scripts/replicas'), ['run'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
    env: { ...process.env, REPLICAS_EXTRA_CONFIG: placements },
  });
  try {
    await replicasReady();
    const token = await guestToken(BALANCER);
    const headers = { authorization: `Bearer ${token}` };
    const expected = perCluster * clusters.length;
    // the view pages its containers (the first 50 of each cluster); its counts are of them all
    const podsIn = (body: any) =>
      body.clusters.reduce((n: number, c: any) => n + c.podCounts.total, 0);
    // both replicas' caches hold every pod before anything is measured
    for (const base of [ONE_REPLICA, SECOND_REPLICA]) {
      for (let i = 0; ; i++) {
        const res = await fetch(
          `${base}/api/services/services/default/${SERVICE}`,
          { headers },
        );
        if (res.ok && podsIn(await res.json()) >= expected) break;
        if (i > 300) throw new Error(`${base} never showed ${expected} pods`);
        await sleep(1000);
      }
    }
    const rows: string[] = [];
    for (const [name, base] of [
      ['one replica (127.0.0.1:7051, directly)', ONE_REPLICA],
      [
        'two replicas behind the round-robin balancer (127.0.0.1:7050)',
        BALANCER,
      ],
    ] as const) {
      const r = await load(
        viewers,
        seconds,
        () =>
          fetch(`${base}/api/services/services/default/${SERVICE}`, {
            headers,
          }),
        body => {
          if (podsIn(body) < expected)
            throw new Error(`saw ${podsIn(body)} pods`);
        },
      );
      say(`${name}: ${JSON.stringify(r)}`);
      rows.push(
        `| ${name} | ${r.requests} | ${(r.requests / seconds).toFixed(1)} | ${
          r.errors
        } | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} |`,
      );
    }
    process.stdout.write(
      [
        `${expected} kwok pods of ${SERVICE} over ${clusters.length} clusters, ${viewers} concurrent viewers, ${seconds} s each`,
        '',
        '| served by | requests | requests/s | errors | p50 ms | p95 ms |',
        '|---|---|---|---|---|---|',
        ...rows,
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    if (replicas.pid) {
      try {
        process.kill(-replicas.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      await new Promise(resolve => replicas.once('exit', resolve));
    }
    await removePods(cloud, clusters);
  }
}

export function main(args: string[]): Promise<number> {
  return withLocalCloud(say, (cloud, info) => measure(args, cloud, info));
}
