/*
 * Benchmarks the local cloud (packages/local-cloud): cold build, warm start, memory, and how many
 * pods per second kwok brings to Running. Uses its own state folder and ports (base 16800), so a
 * running shared local cloud is not disturbed.
 *
 *   node -r @backstage/cli/config/nodeTransform.cjs bench/local-cloud.ts [--cold] [--pods N]
 *
 * --cold builds every binary from scratch into a temporary binary cache with an empty Go build
 * cache (GOCACHE); Go module downloads stay cached in GOMODCACHE. Without --cold the build cache
 * of the user is used (so the build step is skipped when already built).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalCloud } from '../packages/local-cloud/src';

const args = process.argv.slice(2);
const cold = args.includes('--cold');
const podsIndex = args.indexOf('--pods');
const podsPerCluster = podsIndex >= 0 ? Number(args[podsIndex + 1]) : 300;

const say = (line: string) =>
  process.stderr.write(
    `[bench ${new Date().toTimeString().slice(0, 8)}] ${line}\n`,
  );
const secondsSince = (start: number) => (Date.now() - start) / 1000;

function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = status.match(/VmRSS:\s+(\d+) kB/);
  return match ? Number(match[1]) * 1024 : 0;
}

/** RSS of a process and all its descendants (nginx workers, for example). */
function treeRss(pid: number): number {
  let total = rssOf(pid);
  let children: string[] = [];
  try {
    children = fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
  } catch {
    // no children file
  }
  for (const child of children) total += treeRss(Number(child));
  return total;
}

async function main() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'local-cloud-bench-'));
  const results: Record<string, string | number> = {
    machine: `${os.cpus().length} cores, ${Math.round(
      os.totalmem() / 2 ** 30,
    )} GiB`,
    go: execFileSync('go', ['version'], { encoding: 'utf8' }).trim(),
  };
  let cacheDir: string | undefined;
  if (cold) {
    cacheDir = fs.mkdtempSync(
      path.join(os.tmpdir(), 'local-cloud-bench-cache-'),
    );
    process.env.GOCACHE = path.join(cacheDir, 'go-build');
  }
  const cloud = new LocalCloud({
    home,
    portBase: 16800,
    cacheDir,
    progress: say,
  });
  try {
    let start = Date.now();
    await cloud.up();
    results[
      cold ? 'cold build + first start (s)' : 'first start, fresh state (s)'
    ] = secondsSince(start).toFixed(1);

    await cloud.down();
    start = Date.now();
    await cloud.up();
    results['warm start, binaries cached (s)'] = secondsSince(start).toFixed(1);

    const state = JSON.parse(
      fs.readFileSync(path.join(home, 'state.json'), 'utf8'),
    );
    const pids: Record<string, { pid: number }> = state.processes;
    const rssIdle = Object.values(pids).reduce(
      (sum, p) => sum + treeRss(p.pid),
      0,
    );
    results['RSS of all 13 components, idle (MiB)'] = Math.round(
      rssIdle / 2 ** 20,
    );

    const info = cloud.info();
    const apis = info.clusters.map(cluster => cloud.adminClient(cluster.name));
    try {
      // pods of a brand-new namespace wait for its default service account; time the pods only
      for (const api of apis) {
        await api.apply('/api/v1/namespaces/bench', {
          apiVersion: 'v1',
          kind: 'Namespace',
          metadata: { name: 'bench' },
        });
        while (
          (
            await api.request(
              'GET',
              '/api/v1/namespaces/bench/serviceaccounts/default',
            )
          ).status !== 200
        ) {
          await new Promise(resolve => setTimeout(resolve, 100));
        }
      }
      start = Date.now();
      await Promise.all(
        apis.map(async api => {
          await api.apply('/apis/apps/v1/namespaces/bench/deployments/bench', {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'bench', namespace: 'bench' },
            spec: {
              replicas: podsPerCluster,
              selector: { matchLabels: { app: 'bench' } },
              template: {
                metadata: { labels: { app: 'bench' } },
                spec: {
                  containers: [{ name: 'bench', image: 'example.com/bench:1' }],
                },
              },
            },
          });
          for (;;) {
            // the Deployment's readyReplicas counts Running+Ready pods without listing them all
            const res = await api.expect(
              'GET',
              '/apis/apps/v1/namespaces/bench/deployments/bench',
            );
            const running: number = res.body.status?.readyReplicas ?? 0;
            if (running >= podsPerCluster) return;
            if (secondsSince(start) > 600) {
              throw new Error(`only ${running} pods running after 600 s`);
            }
            await new Promise(resolve => setTimeout(resolve, 250));
          }
        }),
      );
    } finally {
      for (const api of apis) api.close();
    }
    const podSeconds = secondsSince(start);
    const totalPods = podsPerCluster * info.clusters.length;
    results[`${totalPods} pods to Running over 2 clusters (s)`] =
      podSeconds.toFixed(1);
    results['pods per second to Running'] = (totalPods / podSeconds).toFixed(1);
    const rssLoaded = Object.values(pids).reduce(
      (sum, p) => sum + treeRss(p.pid),
      0,
    );
    results[`RSS of all 13 components with ${totalPods} pods (MiB)`] =
      Math.round(rssLoaded / 2 ** 20);
  } finally {
    await cloud.down();
    fs.rmSync(home, { recursive: true, force: true });
    if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
  }
  process.stdout.write('| measure | value |\n| --- | --- |\n');
  for (const [key, value] of Object.entries(results)) {
    process.stdout.write(`| ${key} | ${value} |\n`);
  }
}

main().catch(error => {
  process.stderr.write(`bench: ${error.message}\n`);
  process.exitCode = 1;
});
