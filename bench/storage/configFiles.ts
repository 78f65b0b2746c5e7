/*
 * Config files: (1) save → new content visible: from asking to save a new version of a file set
 * until the ConfigMap with that content (its new resourceVersion) is read back in both clusters of
 * the local cloud; (2) a tab of 200 file sets with 500 versions each: the calls the Config files
 * page makes (the list, the first page of one set's versions, a diff of two versions far apart),
 * each timed, without reading the whole history. Runs the storage backend's ConfigFileService on
 * SQLite (in memory) against the real apiservers.
 *
 *   node bench/storage/run.js configFiles [--runs 10] [--sets 200] [--versions 500]
 *
 * Loopback only; removes its namespace.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ConfigReader } from '@backstage/config';
import knexFactory from 'knex';
import path from 'node:path';
import {
  DefaultContainerCloudClusters,
  readClusterConfig,
  ServiceBinding,
} from '../../plugins/container-cloud-node/src';
import { ConfigFileService } from '../../plugins/storage-backend/src/configFiles/ConfigFileService';
import { ConfigFileStore } from '../../plugins/storage-backend/src/configFiles/ConfigFileStore';
import { withLocalCloud } from '../services/localCloud';

const NAMESPACE = 'bench-config-files';
const SERVICE = 'bench-config-api';

function arg(args: string[], name: string, fallback: number) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}
const say = (line: string) =>
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[
    Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))
  ];
const logger: any = {
  info: () => {},
  warn: (m: string) => say(`warn: ${m}`),
  error: (m: string) => say(`error: ${m}`),
  debug: () => {},
  child: () => logger,
};

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

export async function main(args: string[]): Promise<number> {
  const runs = arg(args, 'runs', 10);
  const sets = arg(args, 'sets', 200);
  const versions = arg(args, 'versions', 500);
  return withLocalCloud(say, async (_cloud, info) => {
    const clusters = info.clusters.map(c => c.name);
    const config = new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: info.clusters.map(c => ({
              name: c.name,
              url: c.url,
              authProvider: 'serviceAccount',
              serviceAccountToken: c.serviceAccountToken,
              caData: c.caData,
            })),
          },
        ],
      },
    });
    const clustersService = new DefaultContainerCloudClusters(
      readClusterConfig(config),
      logger,
    );
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    await knex.migrate.latest({
      directory: path.resolve(
        __dirname,
        '../../plugins/storage-backend/migrations',
      ),
    });
    const store = new ConfigFileStore(knex);
    const service = new ConfigFileService(
      store,
      clustersService,
      logger,
      undefined,
    );
    const owner = {
      entityRef: `component:default/${SERVICE}`,
      binding: new ServiceBinding(`component:default/${SERVICE}`, {
        state: 'bound',
        kubernetesId: SERVICE,
        placements: clusters.map(cluster => ({
          cluster,
          namespace: NAMESPACE,
        })),
      }),
    };
    const core = (cluster: string) => {
      const kc = new KubeConfig();
      kc.loadFromFile(info.kubeconfig);
      kc.setCurrentContext(cluster);
      return kc.makeApiClient(CoreV1Api);
    };
    const cores = clusters.map(core);
    for (const api of cores) {
      await api
        .createNamespace({ body: { metadata: { name: NAMESPACE } } })
        .catch(error => {
          if (error?.code !== 409) throw error;
        });
    }
    try {
      // (1) save → the new content read back in both clusters
      const text = (i: number) => `server:\n  port: 80\n  run: ${i}\n`;
      await service.create(owner, 'user:default/bench', {
        name: 'app',
        secret: false,
        files: [{ name: 'application.yaml', content: text(0) }],
        message: 'bench',
      });
      const visible: number[] = [];
      for (let i = 1; i <= runs; i++) {
        const start = performance.now();
        await service.save(owner, 'user:default/bench', 'app', {
          baseVersion: i,
          files: [{ name: 'application.yaml', content: text(i) }],
          message: `run ${i}`,
        });
        const saved = performance.now() - start;
        const seen = new Map<string, string>();
        while (seen.size < cores.length) {
          await Promise.all(
            cores.map(async (api, c) => {
              if (seen.has(clusters[c])) return;
              const cm = await api.readNamespacedConfigMap({
                namespace: NAMESPACE,
                name: `${SERVICE}-app`,
              });
              if (cm.data?.['application.yaml'] === text(i)) {
                seen.set(clusters[c], cm.metadata!.resourceVersion!);
              }
            }),
          );
          if (seen.size < cores.length) await sleep(5);
        }
        const ms = performance.now() - start;
        visible.push(ms);
        say(
          `save ${i}: answered in ${saved.toFixed(
            0,
          )} ms, content in both clusters after ${ms.toFixed(
            0,
          )} ms (resourceVersions ${[...seen.entries()]
            .map(([c, rv]) => `${c} ${rv}`)
            .join(', ')})`,
        );
      }
      // (2) 200 sets x 500 versions, written straight to the store (the clusters need not hold them)
      say(`writing ${sets} sets x ${versions} versions to SQLite...`);
      const filesText = (s: number, v: number) =>
        JSON.stringify({
          'application.yaml': `# set ${s} version ${v}\n${'key: value\n'.repeat(
            40,
          )}`,
        });
      for (let s = 0; s < sets; s++) {
        const version = (v: number) => ({
          createdBy: 'user:default/bench',
          message: `version ${v}`,
          checksum: `${s}-${v}`,
          fileInfos: [{ name: 'application.yaml', size: 460, format: 'yaml' }],
          filesText: filesText(s, v),
        });
        const set = await store.createSet(
          SERVICE,
          `set-${s}`,
          false,
          version(1) as any,
        );
        for (let v = 2; v <= versions; v++) {
          await store.addVersion(set!, v - 1, version(v) as any);
        }
        if ((s + 1) % 50 === 0) say(`  ${s + 1} sets written`);
      }
      const lists: number[] = [];
      const pages: number[] = [];
      const diffs: number[] = [];
      for (let i = 0; i < runs; i++) {
        const [list, l] = await timed(() => service.list(owner));
        lists.push(l);
        const name = `set-${(i * 37) % sets}`;
        const [page, p] = await timed(() =>
          service.versions(owner, name, { limit: 20 }),
        );
        pages.push(p);
        const [, d] = await timed(() => service.diff(owner, name, 1, versions));
        diffs.push(d);
        if (i === 0) {
          say(
            `list: ${list.items.length} sets; versions page: ${page.items.length} of ${page.total}`,
          );
        }
      }
      const line = (what: string, xs: number[]) =>
        `${what}: p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(
          1,
        )} ms, max ${Math.max(...xs).toFixed(1)} ms`;
      process.stdout.write(
        [
          `config save → content in both clusters (${runs} saves): ${line(
            'time',
            visible,
          )}`,
          `tab with ${sets} sets x ${versions} versions (${runs} runs, SQLite):`,
          `  ${line('list (GET config-files)', lists)}`,
          `  ${line('versions page of 20', pages)}`,
          `  ${line(`diff of versions 1 and ${versions}`, diffs)}`,
          '',
        ].join('\n'),
      );
      return 0;
    } finally {
      await knex.destroy();
      for (const api of cores) {
        await api.deleteNamespace({ name: NAMESPACE }).catch(() => undefined);
      }
      await clustersService.stop?.();
    }
  });
}
