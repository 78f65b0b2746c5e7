import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  loadYaml,
  V1Pod,
  setHeaderOptions,
} from '@kubernetes/client-node';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LocalCloud, LocalCloudInfo } from './LocalCloud';
import { baseImages, readBaseImageRecord } from './build/baseImages';
import { LocalCloudError } from './errors';
import { isRunning } from './processes';
import { kubeConfigFor } from './testing';

// A private instance (own home folder and ports), so that its 'down' cannot disturb the shared
// local cloud other test files use. The build cache is shared: a cold first run builds.
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'local-cloud-lifecycle-'));
const portBase = 16600;
const lines: string[] = [];
const cloud = new LocalCloud({
  home,
  portBase,
  progress: line => lines.push(line),
});

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    // the jest timeout bounds this loop; no timed assertion here
    await sleep(250);
    void what;
  }
}

async function runningPods(core: CoreV1Api, namespace: string, app: string) {
  const pods = await core.listNamespacedPod({
    namespace,
    labelSelector: `app=${app}`,
  });
  return pods.items.filter(
    (p: V1Pod) =>
      p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp,
  );
}

// per cluster etcd, apiserver, controller-manager, scheduler, kwok; then nginx, Prometheus,
// Alertmanager and the registry
const COMPONENTS = 2 * 5 + 6;

describe('LocalCloud', () => {
  let info: LocalCloudInfo;

  afterAll(async () => {
    await cloud.down();
    fs.rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it(
    'comes up with both clusters and every component healthy',
    async () => {
      info = await cloud.up();
      expect(info.clusters.map(c => c.name)).toEqual(['local-a', 'local-b']);
      const status = await cloud.status();
      expect(status.filter(c => !c.healthy)).toEqual([]);
      expect(status).toHaveLength(COMPONENTS);
      const appConfig = fs.readFileSync(info.appConfig, 'utf8');
      expect(appConfig).toContain('clusterLocatorMethods');
      expect(appConfig).toContain('serviceAccountToken');
      // the nginx backend's default cluster delivers into this nginx and reloads it
      expect(appConfig).toContain('name: "local"');
      expect(appConfig).toContain(
        `confDir: ${JSON.stringify(info.nginx.confDir)}`,
      );
      expect(appConfig).toContain('- "reload"');
      // owners may point upstream members at loopback here, not at link-local metadata
      expect(appConfig).toMatch(
        /forbiddenMemberRanges:\n\s+- "0\.0\.0\.0\/8"\n\s+- "169\.254\.0\.0\/16"\n/,
      );
      expect(cloud.envExports()).toContain(`KUBECONFIG='${info.kubeconfig}'`);
      // the app store: the helm 'up' built, and the registry's charts over plain HTTP
      expect((loadYaml(appConfig) as any).containerCloud.appStore).toEqual({
        helm: info.helm.binary,
        repositories: [
          {
            name: 'local',
            url: `oci://127.0.0.1:${portBase + 96}/charts`,
            plainHttp: true,
          },
        ],
      });
      expect(fs.existsSync(info.helm.binary)).toBe(true);
      // codeflows: the build images 'up' made, pushed to this instance's registry, and its git server
      const registry = `127.0.0.1:${portBase + 96}`;
      const codeflow = (loadYaml(appConfig) as any).containerCloud.codeflow;
      expect(codeflow).toMatchObject({
        executor: 'local',
        registry: { repository: `${registry}/codeflow`, insecure: true },
        runs: { concurrency: 2, timeoutMinutes: 30 },
        local: {
          workDir: path.join(home, 'codeflow', 'work'),
          buildUser: 10001,
        },
        preprocessingRepository: `${registry}/codeflow/preprocessed`,
        buildImages: [
          { id: 'node-22', image: `${registry}/codeflow/node:22` },
          { id: 'python-3.11', image: `${registry}/codeflow/python:3.11` },
          {
            id: 'java-17',
            image: `${registry}/codeflow/java:17`,
            runtimeImage: `${registry}/codeflow/java:17-jre`,
          },
          { id: 'debian-12', image: `${registry}/codeflow/debian:bookworm` },
        ],
        git: {
          url: `http://127.0.0.1:${portBase + 98}`,
          credentials: 'local-git',
        },
        repositoryHosts: [`127.0.0.1:${portBase + 98}`],
      });
      for (const image of [
        'codeflow/node/manifests/22',
        'codeflow/python/manifests/3.11',
        'codeflow/java/manifests/17',
        'codeflow/java/manifests/17-jre',
        'codeflow/debian/manifests/bookworm',
      ]) {
        const res = await fetch(`http://${registry}/v2/${image}`, {
          headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
        });
        expect(res.status).toBe(200);
      }
      // into this fresh registry, Node's Debian layer is mounted from codeflow/debian, not sent again
      const [debian, node] = baseImages().map(
        i => readBaseImageRecord(cloud.settings, i)!,
      );
      const pushedNode = lines
        .map(l =>
          /pushed the codeflow build image codeflow\/node:22 .*\(([\d.]+) MiB/.exec(
            l,
          ),
        )
        .find(Boolean);
      expect(Number(pushedNode![1])).toBeLessThan(
        (node.layerBytes - debian.layerBytes) / 1024 / 1024 + 1,
      );
      expect(cloud.envExports()).toContain(
        `LOCAL_CLOUD_HELM='${info.helm.binary}'`,
      );
      // the portal's data: SQLite files in a folder of the state, named by an overlay of its own
      expect(info.portalData.directory).toBe(path.join(home, 'portal-data'));
      expect(fs.statSync(info.portalData.directory).isDirectory()).toBe(true);
      const portalConfig = fs.readFileSync(info.portalData.appConfig, 'utf8');
      expect(portalConfig).toContain('client: "better-sqlite3"');
      expect(portalConfig).toContain(
        `directory: ${JSON.stringify(info.portalData.directory)}`,
      );
      expect(cloud.envExports()).toContain(
        `LOCAL_CLOUD_PORTAL_DATA_CONFIG='${info.portalData.appConfig}'`,
      );
    },
    20 * 60_000,
  );

  it('is idempotent: a second up keeps every process', async () => {
    const before = (await cloud.status()).map(c => c.pid);
    await cloud.up();
    expect((await cloud.status()).map(c => c.pid)).toEqual(before);
  }, 120_000);

  it.each(['local-a', 'local-b'] as const)(
    'runs, scales and deletes a Deployment on kwok nodes in %s, with the portal token',
    async clusterName => {
      const cluster = info.clusters.find(c => c.name === clusterName)!;
      // act as the portal does: service-account token and CA data from the app-config overlay
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [
          { name: clusterName, server: cluster.url, caData: cluster.caData },
        ],
        users: [{ name: 'portal', token: cluster.serviceAccountToken }],
        contexts: [{ name: clusterName, cluster: clusterName, user: 'portal' }],
        currentContext: clusterName,
      });
      const core = kc.makeApiClient(CoreV1Api);
      const apps = kc.makeApiClient(AppsV1Api);
      const namespace = `lifecycle-${Date.now().toString(36)}`;
      await core.createNamespace({ body: { metadata: { name: namespace } } });
      const app = 'demo';
      await apps.createNamespacedDeployment({
        namespace,
        body: {
          metadata: { name: app },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app } },
            template: {
              metadata: { labels: { app } },
              spec: {
                containers: [{ name: app, image: 'example.com/demo:1' }],
              },
            },
          },
        },
      });
      const firstPods = await waitFor('2 running pods', async () => {
        const pods = await runningPods(core, namespace, app);
        return pods.length === 2 ? pods : undefined;
      });
      for (const pod of firstPods) {
        expect(pod.spec?.nodeName).toMatch(new RegExp(`^kwok-${clusterName}-`));
      }
      await apps.patchNamespacedDeploymentScale(
        { namespace, name: app, body: { spec: { replicas: 5 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await waitFor('5 running pods', async () =>
        (await runningPods(core, namespace, app)).length === 5
          ? true
          : undefined,
      );
      await apps.patchNamespacedDeploymentScale(
        { namespace, name: app, body: { spec: { replicas: 1 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await waitFor('1 pod left', async () => {
        const pods = await core.listNamespacedPod({
          namespace,
          labelSelector: `app=${app}`,
        });
        return pods.items.length === 1 ? true : undefined;
      });
      await apps.deleteNamespacedDeployment({
        namespace,
        name: app,
        body: { propagationPolicy: 'Foreground' },
      });
      await waitFor('no pods', async () => {
        const pods = await core.listNamespacedPod({
          namespace,
          labelSelector: `app=${app}`,
        });
        return pods.items.length === 0 ? true : undefined;
      });
      await core.deleteNamespace({ name: namespace });
    },
    5 * 60_000,
  );

  it('gives admins a kubeconfig with one context per cluster', async () => {
    for (const cluster of info.clusters) {
      const core = kubeConfigFor(info, cluster.name).makeApiClient(CoreV1Api);
      const nodes = await core.listNode();
      expect(nodes.items.map(n => n.metadata?.name)).toEqual([
        `kwok-${cluster.name}-0`,
        `kwok-${cluster.name}-1`,
        `kwok-${cluster.name}-2`,
      ]);
    }
  }, 60_000);

  it('stops everything it started on down, and nothing is left running', async () => {
    const state = JSON.parse(
      fs.readFileSync(path.join(home, 'state.json'), 'utf8'),
    );
    const recorded = Object.values(state.processes) as any[];
    expect(recorded).toHaveLength(COMPONENTS);
    const stopped = await cloud.down();
    expect(stopped).toHaveLength(COMPONENTS);
    expect(recorded.filter(p => isRunning(p))).toEqual([]);
    expect((await cloud.status()).filter(c => c.running)).toEqual([]);
    // nor any worker of theirs: fcgiwrap's preforked workers outlive their parent's SIGTERM
    const left = fs
      .readdirSync('/proc')
      .filter(pid => /^\d+$/.test(pid))
      .map(pid => {
        try {
          return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          return '';
        }
      })
      .filter(cmdline => cmdline.includes(`${home}/`));
    expect(left).toEqual([]);
  }, 120_000);

  it('refuses a busy port with a one-line error naming the component, leaving nothing running', async () => {
    const blocker = net.createServer();
    const busyPort = portBase + 23; // local-b's kube-apiserver
    await new Promise<void>(resolve =>
      blocker.listen(busyPort, '127.0.0.1', resolve),
    );
    try {
      const error = await cloud.up().catch(e => e);
      expect(error).toBeInstanceOf(LocalCloudError);
      expect(error.message).toContain(
        `port ${busyPort} for local-b/kube-apiserver is busy`,
      );
      expect(error.message).toContain('log: ');
      expect(error.message).not.toContain('\n');
      expect((await cloud.status()).filter(c => c.running)).toEqual([]);
    } finally {
      blocker.close();
    }
  }, 120_000);

  it('reports a component that dies during start, and stops the others', async () => {
    // a config file nginx cannot parse makes it exit at once
    const broken = new LocalCloud({ home, portBase });
    const layoutConf = path.join(home, 'nginx', 'conf.d', 'broken.conf');
    fs.mkdirSync(path.dirname(layoutConf), { recursive: true });
    fs.writeFileSync(layoutConf, 'this is not nginx config;\n');
    try {
      const error = await broken.up().catch(e => e);
      expect(error).toBeInstanceOf(LocalCloudError);
      expect(error.message).toMatch(
        /^nginx exited during start .*; log: .*nginx\.log$/,
      );
      expect((await broken.status()).filter(c => c.running)).toEqual([]);
    } finally {
      fs.rmSync(layoutConf);
    }
  }, 120_000);

  it("deletes the portal's data with the clusters' state on down --purge", async () => {
    const database = path.join(info.portalData.directory, 'nginx.sqlite');
    fs.writeFileSync(database, 'a plugin database');
    await cloud.down({ purge: true });
    expect(fs.existsSync(database)).toBe(false);
    expect(fs.existsSync(path.join(home, 'state.json'))).toBe(false);
    expect(lines.at(-1)).toContain("the portal's data");
  }, 120_000);
});
