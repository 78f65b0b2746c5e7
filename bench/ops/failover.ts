/*
 * Failover of N services from local-b to local-a on the local cloud: time from starting the run
 * until every service is ready in the target, and until every source is scaled down. Runs the
 * clusters backend's own planner, store (SQLite) and runner against the real apiservers; kwok
 * runs the pods. The catalog is left out: every service is bound to the bench namespace in both
 * clusters.
 *
 *   node bench/ops/run.js [--services 100] [--concurrency 5]
 *
 * Loopback only; bounded in time; removes its namespace from both clusters.
 */
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ConfigReader } from '@backstage/config';
import knexFactory from 'knex';
import path from 'node:path';
import {
  DefaultContainerCloudClusters,
  readClusterConfig,
  ServiceBinding,
} from '../../plugins/container-cloud-node/src';
import { ClusterInventory } from '../../plugins/clusters-backend/src/clusters/ClusterInventory';
import { ServiceClaims } from '../../plugins/clusters-backend/src/clusters/ServiceClaims';
import { UsageReader } from '../../plugins/clusters-backend/src/clusters/UsageReader';
import { serviceDeploymentsKind } from '../../plugins/clusters-backend/src/clusters/watchedKinds';
import { FailoverPlanner } from '../../plugins/clusters-backend/src/failover/FailoverPlanner';
import { FailoverRunner } from '../../plugins/clusters-backend/src/failover/FailoverRunner';
import { FailoverService } from '../../plugins/clusters-backend/src/failover/FailoverService';
import { FailoverStore } from '../../plugins/clusters-backend/src/failover/FailoverStore';
import { HealthStore } from '../../plugins/clusters-backend/src/health/HealthStore';
import { LocalCloudInfo } from '../../packages/local-cloud/src';
import { withLocalCloud } from '../services/localCloud';

const NAMESPACE = 'bench-failover';

function arg(args: string[], name: string, fallback: number) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

const say = (line: string) =>
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

const logger: any = {
  info: () => {},
  warn: (m: string) => say(`warn: ${m}`),
  error: (m: string) => say(`error: ${m}`),
  debug: () => {},
  child: () => logger,
};
const auditor: any = {
  createEvent: async () => ({ success: async () => {}, fail: async () => {} }),
};

function apis(info: LocalCloudInfo, cluster: string) {
  const kc = new KubeConfig();
  kc.loadFromFile(info.kubeconfig);
  kc.setCurrentContext(cluster);
  return {
    apps: kc.makeApiClient(AppsV1Api),
    core: kc.makeApiClient(CoreV1Api),
  };
}

async function dropNamespace(info: LocalCloudInfo, cluster: string) {
  const { core } = apis(info, cluster);
  await core.deleteNamespace({ name: NAMESPACE }).catch(() => undefined);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      await core.readNamespace({ name: NAMESPACE });
      await sleep(500);
    } catch {
      return;
    }
  }
}

export async function main(args: string[]): Promise<number> {
  const count = arg(args, 'services', 100);
  const concurrency = arg(args, 'concurrency', 5);
  return withLocalCloud(say, async (_cloud, info) => {
    const ids = Array.from(
      { length: count },
      (_, i) => `bench-fo-${String(i).padStart(4, '0')}`,
    );
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
    const clusters = new DefaultContainerCloudClusters(
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
        '../../plugins/clusters-backend/migrations',
      ),
    });
    // every service bound to the bench namespace in both clusters (no catalog in a benchmark)
    const claims = {
      lookup: async (wanted: string[]) =>
        new Map(
          wanted.map(id => [
            id,
            {
              entityRef: `component:default/${id}`,
              binding: new ServiceBinding(`component:default/${id}`, {
                state: 'bound',
                kubernetesId: id,
                placements: [{ cluster: '*', namespace: NAMESPACE }],
              }),
            },
          ]),
        ),
    } as unknown as ServiceClaims;
    const inventory = new ClusterInventory({
      clusters,
      usage: new UsageReader(undefined),
      claims,
      health: new HealthStore(knex),
      logger,
    });
    const store = new FailoverStore(knex);
    const failover = new FailoverService({
      planner: new FailoverPlanner({
        clusters,
        inventory,
        claims,
        // the benchmark's Deployments mount no claims
        storageTypes: new Map(),
      }),
      store,
      clusters,
      logger,
      wake: async () => {},
    });
    const runner = new FailoverRunner({
      store,
      clusters,
      claims,
      auditor,
      logger,
      settings: { readinessTimeoutMs: 300_000, concurrency, pollMs: 100 },
    });
    try {
      for (const cluster of ['local-a', 'local-b']) {
        await apis(info, cluster)
          .core.createNamespace({ body: { metadata: { name: NAMESPACE } } })
          .catch(() => undefined);
      }
      const b = apis(info, 'local-b');
      say(`creating ${count} services in local-b`);
      for (let i = 0; i < ids.length; i += 10) {
        await Promise.all(
          ids.slice(i, i + 10).map(id => {
            const labels = { app: id, 'backstage.io/kubernetes-id': id };
            return b.apps.createNamespacedDeployment({
              namespace: NAMESPACE,
              body: {
                metadata: { name: id, namespace: NAMESPACE, labels },
                spec: {
                  replicas: 1,
                  selector: { matchLabels: { app: id } },
                  template: {
                    metadata: { labels },
                    spec: {
                      containers: [
                        {
                          name: 'app',
                          image: 'registry.example.com/bench:1.0.0',
                          resources: {
                            requests: { cpu: '10m', memory: '16Mi' },
                          },
                        },
                      ],
                    },
                  },
                },
              },
            });
          }),
        );
      }
      await clusters.start();
      const watch = clusters.watchKind('local-b', serviceDeploymentsKind);
      await watch.whenSynced(60_000);
      for (const cluster of ['local-a', 'local-b']) {
        await clusters
          .watchKind(cluster, serviceDeploymentsKind)
          .whenSynced(60_000);
      }
      const deadline = Date.now() + 180_000;
      while (
        watch.list(NAMESPACE).filter(d => (d.status?.readyReplicas ?? 0) >= 1)
          .length < count
      ) {
        if (Date.now() > deadline)
          throw new Error('the services never got ready in local-b');
        await sleep(200);
      }
      const started = performance.now();
      const run = await failover.start(
        { source: 'local-b', target: 'local-a', services: ids },
        'user:default/bench',
      );
      const planned = performance.now() - started;
      let allReady: number | undefined;
      const ticking = (async () => {
        while ((await store.state(run.id)) === 'running') await runner.tick();
      })();
      for (;;) {
        const current = (await store.get(run.id))!;
        const states = current.steps.map(s => s.state);
        if (states.some(s => s === 'failed')) {
          throw new Error(
            `a service failed: ${
              current.steps.find(s => s.state === 'failed')?.reason
            }`,
          );
        }
        if (
          allReady === undefined &&
          states.every(s => s === 'ready' || s === 'scaled-down')
        ) {
          allReady = performance.now() - started;
        }
        if (current.state === 'done') break;
        if (performance.now() - started > 600_000)
          throw new Error('the run took over 10 minutes');
        await sleep(100);
      }
      await ticking;
      const done = performance.now() - started;
      say(
        `${count} services (concurrency ${concurrency}): planned and recorded in ${planned.toFixed(
          0,
        )} ms, all ready in local-a after ${allReady!.toFixed(
          0,
        )} ms, all scaled down in local-b after ${done.toFixed(0)} ms`,
      );
      return 0;
    } finally {
      await clusters.stop();
      await knex.destroy();
      for (const cluster of ['local-a', 'local-b'])
        await dropNamespace(info, cluster);
    }
  });
}
