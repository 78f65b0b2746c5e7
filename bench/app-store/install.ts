/*
 * App store: the time from "install" to Ready, per chart, on the local cloud.
 *
 *   node bench/app-store/install.js [--runs 10] [--charts mysql,redis,zookeeper,kafka]
 *     [--cluster local-a] [--namespace payments]
 *
 * Real: the app store's Helm runner (plugins/app-store-backend src/helm/CliHelmRunner.ts, the
 * real helm CLI with the cluster layer's credentials from the local cloud's app-config) installs
 * the project's charts from the local cloud's registry (oci://<registry>/charts/<chart>, newest
 * version), and the apiserver's pods decide Ready as the instance detail does (every pod of the
 * release, by `app.kubernetes.io/instance`, Ready). kwok makes the pods Running and Ready (no
 * middleware process runs), so this measures Helm, the apiserver, the StatefulSet controller, the
 * scheduler and kwok, not MySQL's own start. The local cloud has no volume provisioner: each
 * Pending claim of the release gets a PersistentVolume made for it as it appears, as the
 * integration test does (src/__testUtils__/provisionClaims.ts), inside the measured time.
 * Ready is seen by polling every 250 ms (the resolution of the figures). Every release, its claims
 * and volumes are removed after each run. Needs the local cloud's environment (local-cloud env).
 */
import { ConfigReader } from '@backstage/config';
import {
  ClusterConnection,
  readClusterConfig,
} from '@internal/plugin-container-cloud-node';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { CliHelmRunner } from '../../plugins/app-store-backend/src/helm/CliHelmRunner';
import { compareVersions } from '../../plugins/app-store-backend/src/catalogue/Catalogue';
import {
  provisionClaims,
  removeVolumes,
} from '../../plugins/app-store-backend/src/__testUtils__/provisionClaims';
import {
  localHelm,
  localRegistryHost,
} from '../../plugins/app-store-backend/src/__testUtils__/startAppStoreBackend';
import { options, say } from '../ops/shared';

function percentile(sorted: number[], p: number): number {
  const index = Math.min(
    sorted.length - 1,
    Math.ceil((p / 100) * sorted.length) - 1,
  );
  return sorted[Math.max(0, index)];
}

export async function main(argv: string[]): Promise<number> {
  const option = options(argv);
  const runs = Number(option('--runs', '10'));
  const charts = option('--charts', 'mysql,redis,zookeeper,kafka').split(',');
  const cluster = option('--cluster', 'local-a');
  const namespace = option('--namespace', 'payments');
  const file = process.env.LOCAL_CLOUD_APP_CONFIG;
  const host = localRegistryHost();
  if (!file || !host) {
    throw new Error(
      'load the local cloud env first: eval "$(local-cloud env)"',
    );
  }
  const details = readClusterConfig(
    new ConfigReader(parse(readFileSync(file, 'utf8'))),
  ).find(d => d.name === cluster);
  if (!details) throw new Error(`no cluster ${cluster} in ${file}`);
  const connection = new ClusterConnection(details);
  const helm = new CliHelmRunner({
    helm: localHelm(),
    cluster: () => details,
    timeoutMs: 120_000,
  });
  const target = { cluster, namespace };
  const results: Array<{ chart: string; version: string; ms: number[] }> = [];

  for (const chart of charts) {
    const tags = (await (
      await fetch(`http://${host}/v2/charts/${chart}/tags/list`)
    ).json()) as { tags?: string[] };
    const version = (tags.tags ?? []).sort((a, b) => compareVersions(b, a))[0];
    if (!version) throw new Error(`no chart ${chart} in the local registry`);
    const ref = {
      chart: `oci://${host}/charts/${chart}`,
      version,
      plainHttp: true,
    };
    const ms: number[] = [];
    for (let run = 0; run < runs; run++) {
      const release = `bench-${chart.slice(0, 5)}-${
        process.pid % 10000
      }-${run}`;
      const volumes: string[] = [];
      try {
        const started = performance.now();
        await helm.install(target, release, ref, {}, {});
        let ready = false;
        for (let i = 0; i < 1200 && !ready; i++) {
          volumes.push(...provisionClaims(cluster, namespace, release));
          const pods = await connection.core.listNamespacedPod({
            namespace,
            labelSelector: `app.kubernetes.io/instance=${release}`,
          });
          ready =
            pods.items.length > 0 &&
            pods.items.every(p =>
              p.status?.conditions?.some(
                c => c.type === 'Ready' && c.status === 'True',
              ),
            );
          if (!ready) await new Promise(r => setTimeout(r, 250));
        }
        if (!ready) throw new Error(`${release} not Ready within 5 minutes`);
        ms.push(performance.now() - started);
        say(
          `${chart} ${version} run ${run + 1}/${runs}: ${Math.round(
            ms[ms.length - 1],
          )} ms`,
        );
      } finally {
        await helm.uninstall(target, release).catch(() => undefined);
        removeVolumes(cluster, namespace, release, volumes);
      }
    }
    results.push({ chart, version, ms });
  }

  process.stdout.write(
    `| chart | version | installs | p50 | p95 | max |\n|---|---|---|---|---|---|\n`,
  );
  for (const { chart, version, ms } of results) {
    const sorted = [...ms].sort((a, b) => a - b);
    const s = (v: number) => `${(v / 1000).toFixed(1)} s`;
    process.stdout.write(
      `| ${chart} | ${version} | ${ms.length} | ${s(
        percentile(sorted, 50),
      )} | ${s(percentile(sorted, 95))} | ${s(sorted[sorted.length - 1])} |\n`,
    );
  }
  return 0;
}
