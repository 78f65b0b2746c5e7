/*
 * Mount → rolled out: how long from asking to mount a volume into a service until its Deployment
 * has rolled out the new pods in both clusters of the local cloud (and the same for unmount).
 * Runs the storage backend's own VolumeService (claims, resourceVersion-guarded Deployment
 * patches) against the real apiservers; kwok runs the pods. Reports each run and the median.
 *
 *   node bench/storage/run.js [--replicas 3] [--runs 5]
 *
 * Loopback only; bounded in time; removes its namespace and PersistentVolumes.
 */
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ConfigReader } from '@backstage/config';
import {
  DefaultContainerCloudClusters,
  readClusterConfig,
  ServiceBinding,
} from '../../plugins/container-cloud-node/src';
import { VolumeService } from '../../plugins/storage-backend/src/volumes/VolumeService';
import { readStorageTypes } from '../../plugins/storage-backend/src/volumes/storageTypes';
import { staticVolumeName } from '../../plugins/storage-backend/src/volumes/claims';
import { LocalCloudInfo } from '../../packages/local-cloud/src';
import { withLocalCloud } from '../services/localCloud';

const NAMESPACE = 'bench-storage';
const SERVICE = 'bench-storage-api';
const VOLUME = 'bench-data';

function arg(args: string[], name: string, fallback: number) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

const say = (line: string) =>
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const logger: any = {
  info: () => {},
  warn: (m: string) => say(`warn: ${m}`),
  error: (m: string) => say(`error: ${m}`),
  debug: () => {},
  child: () => logger,
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

/** Until the Deployment's newest generation is rolled out: every replica updated and ready. */
async function rolledOut(apps: AppsV1Api, replicas: number, deadline: number) {
  for (;;) {
    const d = await apps.readNamespacedDeployment({
      namespace: NAMESPACE,
      name: SERVICE,
    });
    const s = d.status ?? {};
    if (
      (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0) &&
      s.updatedReplicas === replicas &&
      s.readyReplicas === replicas &&
      (s.replicas ?? 0) === replicas
    ) {
      return;
    }
    if (Date.now() > deadline)
      throw new Error('the rollout did not finish within 120 s');
    await sleep(100);
  }
}

export async function main(args: string[]): Promise<number> {
  const replicas = arg(args, 'replicas', 3);
  const runs = arg(args, 'runs', 5);
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
      containerCloud: {
        storage: {
          volumes: {
            clusters: clusters.map(cluster => ({
              cluster,
              types: [
                {
                  name: 'nfs',
                  nfs: { server: 'nfs.bench', basePath: '/exports' },
                },
              ],
            })),
          },
        },
      },
    });
    const clustersService = new DefaultContainerCloudClusters(
      readClusterConfig(config),
      logger,
    );
    const volumes = new VolumeService({
      clusters: clustersService,
      types: readStorageTypes(config, clusters),
      catalog: {} as any,
      auth: {} as any,
      logger,
    });
    const service = {
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
    const results: { mount: number; unmount: number; patched: number }[] = [];
    try {
      for (const cluster of clusters) {
        const { apps, core } = apis(info, cluster);
        await core
          .createNamespace({ body: { metadata: { name: NAMESPACE } } })
          .catch(() => undefined);
        const labels = { app: SERVICE, 'backstage.io/kubernetes-id': SERVICE };
        await apps.createNamespacedDeployment({
          namespace: NAMESPACE,
          body: {
            metadata: { name: SERVICE, namespace: NAMESPACE, labels },
            spec: {
              replicas,
              selector: { matchLabels: { app: SERVICE } },
              template: {
                metadata: { labels },
                spec: {
                  containers: [
                    { name: 'app', image: 'registry.example.com/bench:1.0.0' },
                  ],
                },
              },
            },
          },
        });
        await rolledOut(apps, replicas, Date.now() + 120_000);
      }
      await clustersService.start();
      await volumes.create(
        service,
        { name: VOLUME, type: 'nfs', size: '1Gi', accessMode: 'ReadWriteMany' },
        'user:default/bench',
      );
      for (let run = 1; run <= runs; run++) {
        const started = performance.now();
        const { status } = await volumes.mount(
          service,
          VOLUME,
          { path: `/data/run-${run}` },
          'user:default/bench',
        );
        if (status !== 200) throw new Error(`mount answered ${status}`);
        const patched = performance.now() - started;
        await Promise.all(
          clusters.map(c =>
            rolledOut(apis(info, c).apps, replicas, Date.now() + 120_000),
          ),
        );
        const mount = performance.now() - started;
        const unmountStarted = performance.now();
        await volumes.unmount(service, VOLUME, {});
        await Promise.all(
          clusters.map(c =>
            rolledOut(apis(info, c).apps, replicas, Date.now() + 120_000),
          ),
        );
        const unmount = performance.now() - unmountStarted;
        results.push({ mount, unmount, patched });
        say(
          `run ${run}: mount patched in ${patched.toFixed(
            0,
          )} ms, rolled out in both clusters after ${mount.toFixed(
            0,
          )} ms; unmount rolled out after ${unmount.toFixed(0)} ms`,
        );
      }
      await volumes.delete(service, VOLUME);
    } finally {
      await clustersService.stop();
      for (const cluster of clusters) {
        const { core } = apis(info, cluster);
        await core.deleteNamespace({ name: NAMESPACE }).catch(() => undefined);
        await core
          .deletePersistentVolume({ name: staticVolumeName(NAMESPACE, VOLUME) })
          .catch(() => undefined);
      }
    }
    const line = (key: 'mount' | 'unmount' | 'patched') =>
      `median ${median(results.map(r => r[key])).toFixed(0)} ms (min ${Math.min(
        ...results.map(r => r[key]),
      ).toFixed(0)}, max ${Math.max(...results.map(r => r[key])).toFixed(0)})`;
    process.stdout.write(
      [
        `storage mount benchmark: ${replicas} replicas per cluster, ${clusters.length} clusters, ${runs} runs`,
        `  mount request (claims checked, both Deployments patched): ${line(
          'patched',
        )}`,
        `  mount → rolled out in both clusters: ${line('mount')}`,
        `  unmount → rolled out in both clusters: ${line('unmount')}`,
        '',
      ].join('\n'),
    );
    return 0;
  });
}
