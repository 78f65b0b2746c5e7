import { mockCredentials } from '@backstage/backend-test-utils';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type {
  HistoryEntry,
  HistoryPage,
  ServiceView,
} from '@internal/plugin-container-cloud-common';
import { useLocalCloud } from '@internal/local-cloud/testing';
import request from 'supertest';
import {
  clusterLocators,
  serviceDeployment,
  versionAtRest,
} from './__testUtils__/localCloudFixtures';
import { startServicesBackend } from './__testUtils__/startServicesBackend';

jest.setTimeout(180_000);

// Against the local cloud's two real clusters (kube-apiserver + kwok). A third, unreachable
// cluster stands for one that is down.
const lc = useLocalCloud({ namespacePrefix: 'svc' });
const ALICE = 'user:default/alice'; // team-payments, owns payments-api
const BOB = 'user:default/bob'; // team-orders
const IMAGE_1 = 'registry.example.com/payments/api:1.0.0';
const IMAGE_2 = 'registry.example.com/payments/api:2.0.0';

function deploymentManifest(namespace: string) {
  return serviceDeployment({
    namespace,
    name: 'payments-api',
    kubernetesId: 'payments-api',
    containers: [{ name: 'app', image: IMAGE_1 }],
  });
}

/** Polls until `check` passes on a fresh read of the service; fails with the last state. */
async function eventually(
  read: () => Promise<ServiceView>,
  check: (view: ServiceView) => boolean,
  what: string,
  attempts = 120,
): Promise<ServiceView> {
  let last: ServiceView | undefined;
  for (let i = 0; i < attempts; i++) {
    last = await read();
    if (check(last)) return last;
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  throw new Error(
    `${what} never happened; last view: ${JSON.stringify(last, null, 1)}`,
  );
}

describe('services backend on the local cloud', () => {
  let backend: Awaited<ReturnType<typeof startServicesBackend>>;
  let server: typeof backend.server;

  beforeAll(async () => {
    for (const cluster of lc.info.clusters) {
      await lc
        .kubeConfig(cluster.name)
        .makeApiClient(AppsV1Api)
        .createNamespacedDeployment({
          namespace: lc.namespace,
          body: deploymentManifest(lc.namespace),
        });
    }
    backend = await startServicesBackend({
      containerCloud: { clusters: { healthProbeSeconds: 1 } },
      clusters: [
        ...clusterLocators(lc.info.clusters),
        // nothing listens on port 1: a cluster that is down
        {
          name: 'down',
          url: 'https://127.0.0.1:1',
          skipTLSVerify: true,
          serviceAccountToken: 'x',
        },
      ],
    });
    server = backend.server;
  });

  afterAll(() => backend?.stop());

  const read = async () => {
    const res = await request(server)
      .get('/api/services/services/default/payments-api')
      .set('Authorization', mockCredentials.user.header(BOB));
    expect(res.status).toBe(200);
    return res.body as ServiceView;
  };
  const inCluster = (view: ServiceView, cluster: string) =>
    view.clusters.find(c => c.cluster === cluster)!;
  const mine = (view: ServiceView, cluster: string) => {
    const c = inCluster(view, cluster);
    return {
      deployment: c.deployments.find(d => d.namespace === lc.namespace),
      pods: c.pods.filter(p => p.namespace === lc.namespace && !p.terminating),
    };
  };
  const loadedVersion = (
    cluster: 'local-a' | 'local-b',
    deployment = 'payments-api',
  ) => versionAtRest(lc.kubeConfig(cluster), lc.namespace, deployment);
  /**
   * POSTs an operation as the page does: a Deployment write carries the version loaded just
   * before, unless the test names one (or leaves it out with `resourceVersion: undefined`).
   */
  const post = async (
    path: string,
    user: string,
    body: {
      cluster: 'local-a' | 'local-b';
      deployment?: string;
      [key: string]: unknown;
    },
  ) => {
    const full: Record<string, unknown> = {
      namespace: lc.namespace,
      deployment: 'payments-api',
      ...body,
    };
    const send = () =>
      request(server)
        .post(`/api/services/services/default/payments-api/${path}`)
        .set('Authorization', mockCredentials.user.header(user))
        .send(full);
    if (full.deployment === undefined || 'resourceVersion' in body) {
      return send();
    }
    // the version a page at rest shows; should the controller still write the Deployment's
    // status after it, the 409 is what a person would see, and reading again is what they do
    // (the tests of the 409 itself send their own stale version)
    for (let attempt = 1; ; attempt++) {
      full.resourceVersion = await loadedVersion(
        body.cluster,
        full.deployment as string,
      );
      const res = await send();
      if (res.status !== 409 || attempt === 5) return res;
    }
  };

  it('shows the service in both clusters from the watch cache, and the down cluster as down', async () => {
    const view = await eventually(
      read,
      v =>
        lc.info.clusters.every(
          c => mine(v, c.name).pods.filter(p => p.ready).length === 1,
        ) &&
        !inCluster(v, 'down').health.reachable &&
        inCluster(v, 'down').health.error !== 'not probed yet',
      'one running pod in each cluster',
    );
    for (const cluster of lc.info.clusters) {
      const c = inCluster(view, cluster.name);
      expect(c.health).toMatchObject({ reachable: true });
      expect(c.health.nodesReady).toBeGreaterThan(0);
      const { deployment, pods } = mine(view, cluster.name);
      expect(deployment).toMatchObject({
        replicas: { desired: 1, ready: 1 },
        images: [{ container: 'app', image: IMAGE_1 }],
        revision: 1,
      });
      expect(pods[0]).toMatchObject({
        phase: 'Running',
        deployment: 'payments-api',
      });
      expect(pods[0].node).toBeTruthy();
      expect(pods[0].ip).toBeTruthy();
    }
    expect(inCluster(view, 'down')).toMatchObject({
      health: { reachable: false },
      deployments: [],
    });
  });

  it('scales in one cluster and the pods follow, leaving the other alone', async () => {
    const res = await post('scale', ALICE, { cluster: 'local-a', replicas: 3 });
    expect(res.status).toBe(200);
    expect(res.body.deployment.replicas.desired).toBe(3);
    const view = await eventually(
      read,
      v => mine(v, 'local-a').pods.filter(p => p.ready).length === 3,
      'three running pods in local-a',
    );
    expect(mine(view, 'local-b').deployment?.replicas.desired).toBe(1);
  });

  it('answers a stale write with 409 and the current state, changing nothing', async () => {
    const res = await post('scale', ALICE, {
      cluster: 'local-a',
      replicas: 5,
      resourceVersion: '1',
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('changed since you loaded it');
    expect(res.body.current.replicas.desired).toBe(3);
    const live = await lc
      .kubeConfig('local-a')
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({
        name: 'payments-api',
        namespace: lc.namespace,
      });
    expect(live.spec?.replicas).toBe(3);
  });

  it('takes a write at the generation the page loaded when only the status or metadata moved since, and answers a spec changed since with 409', async () => {
    const apps = lc.kubeConfig('local-a').makeApiClient(AppsV1Api);
    const readLive = () =>
      apps.readNamespacedDeployment({
        name: 'payments-api',
        namespace: lc.namespace,
      });
    const loaded = await readLive();
    // a label moves the resourceVersion and not the generation, as the controller's status
    // reports (pods becoming ready) do (a Deployment's annotations count as spec: they would)
    const touched = await readLive();
    touched.metadata!.labels = {
      ...touched.metadata!.labels,
      'example.com/looked-at': 'yes',
    };
    await apps.replaceNamespacedDeployment({
      name: 'payments-api',
      namespace: lc.namespace,
      body: touched,
    });
    const moved = await readLive();
    expect(moved.metadata?.resourceVersion).not.toBe(
      loaded.metadata?.resourceVersion,
    );
    expect(moved.metadata?.generation).toBe(loaded.metadata?.generation);
    const asLoaded = {
      cluster: 'local-a' as const,
      resourceVersion: loaded.metadata!.resourceVersion!,
      generation: loaded.metadata!.generation!,
    };

    // without the generation the page loaded, any change since is a conflict, as before
    const strict = await post('scale', ALICE, {
      cluster: 'local-a',
      resourceVersion: asLoaded.resourceVersion,
      replicas: 2,
    });
    expect(strict.status).toBe(409);
    // with it, the spec is as the page showed it: the scale is written
    const taken = await post('scale', ALICE, { ...asLoaded, replicas: 2 });
    expect(taken.status).toBe(200);
    expect(taken.body.deployment.replicas.desired).toBe(2);
    expect(taken.body.deployment.generation).toBe(asLoaded.generation + 1);
    // the spec has moved since that page loaded it: a conflict, changing nothing
    const late = await post('scale', ALICE, { ...asLoaded, replicas: 4 });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain('changed since you loaded it');
    expect(late.body.current.replicas.desired).toBe(2);
    expect((await readLive()).spec?.replicas).toBe(2);
    // a generation that is not a whole number is refused in words
    const bad = await post('scale', ALICE, { ...asLoaded, generation: 1.5 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain(
      'generation is the whole number the page loaded',
    );

    // back to the 3 replicas the next tests expect
    expect(
      (await post('scale', ALICE, { cluster: 'local-a', replicas: 3 })).status,
    ).toBe(200);
  });

  it('answers a stale restart, upgrade and rollback with 409 and the current Deployment, changing nothing', async () => {
    const apps = lc.kubeConfig('local-a').makeApiClient(AppsV1Api);
    const before = await apps.readNamespacedDeployment({
      name: 'payments-api',
      namespace: lc.namespace,
    });
    const stale = { cluster: 'local-a' as const, resourceVersion: '1' };
    for (const [path, body] of [
      ['restart', stale],
      ['upgrade', { ...stale, container: 'app', image: IMAGE_2 }],
      ['rollback', { ...stale, revision: 1 }],
    ] as const) {
      const res = await post(path, ALICE, body);
      expect({ path, status: res.status }).toEqual({ path, status: 409 });
      expect(res.body.error.message).toContain('changed since you loaded it');
      expect(res.body.current).toMatchObject({
        namespace: lc.namespace,
        name: 'payments-api',
        replicas: { desired: 3 },
        images: [{ container: 'app', image: IMAGE_1 }],
      });
      expect(Number(res.body.current.resourceVersion)).toBeGreaterThan(1);
    }
    const after = await apps.readNamespacedDeployment({
      name: 'payments-api',
      namespace: lc.namespace,
    });
    expect(after.metadata?.generation).toBe(before.metadata?.generation);
  });

  it('refuses a write without the version the page loaded with a 400 naming the field, changing nothing', async () => {
    const apps = lc.kubeConfig('local-a').makeApiClient(AppsV1Api);
    const before = await apps.readNamespacedDeployment({
      name: 'payments-api',
      namespace: lc.namespace,
    });
    const unversioned = {
      cluster: 'local-a' as const,
      resourceVersion: undefined,
    };
    for (const [path, body] of [
      ['scale', { ...unversioned, replicas: 5 }],
      ['restart', unversioned],
      ['upgrade', { ...unversioned, container: 'app', image: IMAGE_2 }],
      ['rollback', { ...unversioned, revision: 1 }],
      ['config', { ...unversioned, container: 'app', env: [] }],
    ] as const) {
      const res = await post(path, ALICE, body);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.body.error.message).toContain('resourceVersion is required');
    }
    const sync = await post('sync', ALICE, {
      cluster: 'local-b',
      from: {
        cluster: 'local-a',
        namespace: lc.namespace,
        deployment: 'payments-api',
      },
    });
    expect(sync.status).toBe(400);
    expect(sync.body.error.message).toContain(
      'from.resourceVersion is required',
    );
    const after = await apps.readNamespacedDeployment({
      name: 'payments-api',
      namespace: lc.namespace,
    });
    expect(after.metadata?.generation).toBe(before.metadata?.generation);
  });

  it('refuses another team, changing nothing', async () => {
    const res = await post('scale', BOB, { cluster: 'local-b', replicas: 4 });
    expect(res.status).toBe(403);
    const live = await lc
      .kubeConfig('local-b')
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({
        name: 'payments-api',
        namespace: lc.namespace,
      });
    expect(live.spec?.replicas).toBe(1);
  });

  it('upgrades the image and rolls back to the earlier revision', async () => {
    const up = await post('upgrade', ALICE, {
      cluster: 'local-b',
      container: 'app',
      image: IMAGE_2,
    });
    expect(up.status).toBe(200);
    await eventually(
      read,
      v =>
        mine(v, 'local-b').deployment?.revision === 2 &&
        inCluster(v, 'local-b').revisions.filter(
          r => r.namespace === lc.namespace,
        ).length === 2,
      'revision 2 in local-b',
    );
    const back = await post('rollback', ALICE, {
      cluster: 'local-b',
      revision: 1,
    });
    expect(back.status).toBe(200);
    expect(back.body.deployment.images).toEqual([
      { container: 'app', image: IMAGE_1 },
    ]);
    const view = await eventually(
      read,
      v => mine(v, 'local-b').deployment?.revision === 3,
      'the rollback as revision 3',
    );
    expect(mine(view, 'local-b').deployment?.images[0].image).toBe(IMAGE_1);
  });

  it('restarts: every pod is replaced', async () => {
    const before = mine(await read(), 'local-a').pods.map(p => p.name);
    const res = await post('restart', ALICE, { cluster: 'local-a' });
    expect(res.status).toBe(200);
    await eventually(
      read,
      v => {
        const { pods } = mine(v, 'local-a');
        return (
          pods.length === 3 &&
          pods.every(p => p.ready && !before.includes(p.name))
        );
      },
      'three new pods in local-a',
    );
  });

  it('keeps a deleted pod in the history', async () => {
    const core = lc.kubeConfig('local-b').makeApiClient(CoreV1Api);
    const [victim] = mine(await read(), 'local-b').pods;
    await core.deleteNamespacedPod({
      name: victim.name,
      namespace: lc.namespace,
      gracePeriodSeconds: 0,
    });
    const history = async () => {
      const res = await request(server)
        .get('/api/services/services/default/payments-api/history')
        .query({ cluster: 'local-b', state: 'ended', limit: 500 })
        .set('Authorization', mockCredentials.user.header(BOB));
      expect(res.status).toBe(200);
      return res.body as HistoryPage;
    };
    let entry: HistoryEntry | undefined;
    for (let i = 0; i < 120 && !entry; i++) {
      entry = (await history()).items.find(e => e.pod === victim.name);
      if (!entry) await new Promise(resolve => setTimeout(resolve, 500));
    }
    expect(entry).toMatchObject({
      cluster: 'local-b',
      namespace: lc.namespace,
      deployment: 'payments-api',
      ip: victim.ip,
      node: victim.node,
    });
    expect(entry!.endedAt).toBeDefined();
    // and its replacement is running
    await eventually(
      read,
      v => mine(v, 'local-b').pods.some(p => p.ready && p.name !== victim.name),
      'a replacement pod in local-b',
    );
  });

  it('answers 400 to a bad history query', async () => {
    const res = await request(server)
      .get('/api/services/services/default/payments-api/history')
      .query({ limit: 5000 })
      .set('Authorization', mockCredentials.user.header(BOB));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('limit is 1 to 500');
  });

  it('takes a container out of load balancing: it leaves the endpoints, keeps running, and is replaced', async () => {
    const core = lc.kubeConfig('local-a').makeApiClient(CoreV1Api);
    await core.createNamespacedService({
      namespace: lc.namespace,
      body: {
        metadata: {
          name: 'payments-api',
          labels: { 'backstage.io/kubernetes-id': 'payments-api' },
        },
        spec: {
          selector: { app: 'payments-api' },
          ports: [{ port: 80, targetPort: 8080 }],
        },
      },
    });
    const endpointIps = async () => {
      const ep = await core
        .readNamespacedEndpoints({
          name: 'payments-api',
          namespace: lc.namespace,
        })
        .catch(() => undefined);
      return (ep?.subsets ?? []).flatMap(s =>
        (s.addresses ?? []).map(a => a.ip),
      );
    };
    const view = await eventually(
      read,
      v => mine(v, 'local-a').pods.filter(p => p.ready).length === 3,
      'three ready pods',
    );
    const victim = mine(view, 'local-a').pods[0];
    for (
      let i = 0;
      i < 120 && !(await endpointIps()).includes(victim.ip!);
      i++
    ) {
      await new Promise(resolve => setTimeout(resolve, 500));
    }
    expect(await endpointIps()).toContain(victim.ip);

    const res = await post('containers/remove-from-lb', ALICE, {
      cluster: 'local-a',
      pod: victim.name,
      deployment: undefined,
    });
    expect(res.status).toBe(200);
    expect(res.body.removedLabels).toEqual(['app']);

    const after = await eventually(
      read,
      v => {
        const { pods } = mine(v, 'local-a');
        return (
          pods.some(
            p => p.name === victim.name && p.removedFromLoadBalancing,
          ) &&
          pods.filter(p => !p.removedFromLoadBalancing && p.ready).length === 3
        );
      },
      'the pod marked and a replacement ready',
    );
    expect(
      mine(after, 'local-a').pods.find(p => p.name === victim.name)?.phase,
    ).toBe('Running');
    let ips = await endpointIps();
    for (let i = 0; i < 120 && ips.includes(victim.ip!); i++) {
      await new Promise(resolve => setTimeout(resolve, 500));
      ips = await endpointIps();
    }
    expect(ips).not.toContain(victim.ip);

    // a second time is a conflict, not a silent success
    const again = await post('containers/remove-from-lb', ALICE, {
      cluster: 'local-a',
      pod: victim.name,
      deployment: undefined,
    });
    expect(again.status).toBe(409);

    // and destroying it (now an orphan) removes it for good
    const destroyed = await post('containers/destroy', ALICE, {
      cluster: 'local-a',
      pod: victim.name,
      deployment: undefined,
    });
    expect(destroyed.status).toBe(200);
    await eventually(
      read,
      v => !mine(v, 'local-a').pods.some(p => p.name === victim.name),
      'the removed pod gone',
    );
  });

  it('edits env vars and a probe, then syncs local-a to local-b', async () => {
    const apps = (cluster: 'local-a' | 'local-b') =>
      lc.kubeConfig(cluster).makeApiClient(AppsV1Api);
    const edit = await post('config', ALICE, {
      cluster: 'local-a',
      container: 'app',
      env: [{ name: 'LOG_LEVEL', value: 'debug' }],
      readinessProbe: { path: '/ready', port: 8080, periodSeconds: 5 },
      resources: { limits: { memory: '256Mi' } },
      terminationGracePeriodSeconds: 45,
    });
    expect(edit.status).toBe(200);
    const a = await apps('local-a').readNamespacedDeployment({
      name: 'payments-api',
      namespace: lc.namespace,
    });
    const app = a.spec!.template.spec!.containers[0];
    expect(app.env).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);
    expect(app.readinessProbe?.httpGet).toMatchObject({
      path: '/ready',
      port: 8080,
    });
    expect(app.resources?.limits).toEqual({ memory: '256Mi' });
    expect(a.spec!.template.spec!.terminationGracePeriodSeconds).toBe(45);

    // a bad value changes nothing in any cluster
    const bad = await post('config', ALICE, {
      cluster: 'local-a',
      container: 'app',
      env: [
        { name: 'OK', value: '1' },
        { name: 'no spaces allowed', value: '2' },
      ],
    });
    expect(bad.status).toBe(400);
    const unchanged = await apps('local-a').readNamespacedDeployment({
      name: 'payments-api',
      namespace: lc.namespace,
    });
    // the spec is as it was (status updates from the rollout may still move resourceVersion)
    expect(unchanged.metadata?.generation).toBe(a.metadata?.generation);
    expect(unchanged.spec!.template.spec!.containers[0].env).toEqual(app.env);

    // a source changed since the page loaded it is a 409 naming the source; the target stays
    const bBefore = await apps('local-b').readNamespacedDeployment({
      name: 'payments-api',
      namespace: lc.namespace,
    });
    const staleSource = await post('sync', ALICE, {
      cluster: 'local-b',
      from: {
        cluster: 'local-a',
        namespace: lc.namespace,
        deployment: 'payments-api',
        resourceVersion: '1',
      },
    });
    expect(staleSource.status).toBe(409);
    expect(staleSource.body.error.message).toContain(
      `the source deployment ${lc.namespace}/payments-api in cluster local-a changed since you loaded it`,
    );
    expect(staleSource.body.current.resourceVersion).toBe(
      await loadedVersion('local-a'),
    );
    expect(
      (
        await apps('local-b').readNamespacedDeployment({
          name: 'payments-api',
          namespace: lc.namespace,
        })
      ).metadata?.generation,
    ).toBe(bBefore.metadata?.generation);

    const sync = await post('sync', ALICE, {
      cluster: 'local-b',
      from: {
        cluster: 'local-a',
        namespace: lc.namespace,
        deployment: 'payments-api',
        resourceVersion: await loadedVersion('local-a'),
      },
    });
    expect(sync.status).toBe(200);
    const b = await apps('local-b').readNamespacedDeployment({
      name: 'payments-api',
      namespace: lc.namespace,
    });
    const bApp = b.spec!.template.spec!.containers[0];
    expect(bApp.image).toBe(app.image);
    expect(bApp.env).toEqual(app.env);
    expect(bApp.readinessProbe?.httpGet?.path).toBe('/ready');
    expect(b.spec!.template.spec!.terminationGracePeriodSeconds).toBe(45);
    // replicas are the target cluster's own business
    expect(b.spec!.replicas).toBe(1);
  });

  it('shows env values to the owners only: other readers get the names', async () => {
    const envOf = async (user: string) => {
      const res = await request(server)
        .get('/api/services/services/default/payments-api')
        .set('Authorization', mockCredentials.user.header(user));
      expect(res.status).toBe(200);
      const view = res.body as ServiceView;
      return mine(view, 'local-a').deployment?.config.containers[0].env;
    };
    // the edit of the test before reaches the watch cache
    await eventually(
      async () => {
        const res = await request(server)
          .get('/api/services/services/default/payments-api')
          .set('Authorization', mockCredentials.user.header(ALICE));
        return res.body as ServiceView;
      },
      view =>
        mine(view, 'local-a').deployment?.config.containers[0].env[0]?.value ===
        'debug',
      'the env edit in the view',
    );
    expect(await envOf(ALICE)).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);
    expect(await envOf(BOB)).toEqual([
      { name: 'LOG_LEVEL', value: '<hidden>' },
    ]);
  });

  it('refuses to touch a Deployment of another service', async () => {
    await lc
      .kubeConfig('local-a')
      .makeApiClient(AppsV1Api)
      .createNamespacedDeployment({
        namespace: lc.namespace,
        body: {
          ...deploymentManifest(lc.namespace),
          metadata: {
            name: 'orders-api',
            namespace: lc.namespace,
            labels: { app: 'orders-api' },
          },
        },
      });
    const res = await post('scale', ALICE, {
      cluster: 'local-a',
      deployment: 'orders-api',
      replicas: 0,
    });
    expect(res.status).toBe(404);
    const untouched = await lc
      .kubeConfig('local-a')
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({
        name: 'orders-api',
        namespace: lc.namespace,
      });
    expect(untouched.spec?.replicas).toBe(1);
  });

  describe('in every cluster at once', () => {
    const everyCluster = (operation: string, user: string, body: object) =>
      request(server)
        .post(
          `/api/services/services/default/payments-api/every-cluster/${operation}`,
        )
        .set('Authorization', mockCredentials.user.header(user))
        .send(body);
    // each cluster's Deployment at the version the page loaded there (a cluster that is down:
    // whatever it showed last)
    const targets = (...clusters: Array<'local-a' | 'local-b' | 'down'>) =>
      Promise.all(
        clusters.map(async cluster => ({
          cluster,
          namespace: lc.namespace,
          deployment: 'payments-api',
          resourceVersion:
            cluster === 'down' ? '1' : await loadedVersion(cluster),
        })),
      );
    const liveReplicas = async (cluster: 'local-a' | 'local-b') =>
      (
        await lc
          .kubeConfig(cluster)
          .makeApiClient(AppsV1Api)
          .readNamespacedDeployment({
            name: 'payments-api',
            namespace: lc.namespace,
          })
      ).spec?.replicas;

    it('scales everywhere it can, and says which cluster failed', async () => {
      const res = await everyCluster('scale', ALICE, {
        replicas: 2,
        targets: await targets('local-a', 'local-b', 'down'),
      });
      expect(res.status).toBe(207);
      expect(
        res.body.results.map((r: { cluster: string; ok: boolean }) => [
          r.cluster,
          r.ok,
        ]),
      ).toEqual([
        ['local-a', true],
        ['local-b', true],
        ['down', false],
      ]);
      expect(res.body.results[2].error.message).toContain('down');
      expect(await liveReplicas('local-a')).toBe(2);
      expect(await liveReplicas('local-b')).toBe(2);
    });

    it('checks every cluster first: one bad target is a 400 and no cluster changes', async () => {
      const res = await everyCluster('scale', ALICE, {
        replicas: 4,
        targets: [
          ...(await targets('local-a')),
          { ...(await targets('local-b'))[0], resourceVersion: 'yesterday' },
        ],
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('cluster local-b:');
      expect(await liveReplicas('local-a')).toBe(2);
      expect(await liveReplicas('local-b')).toBe(2);
    });

    it('returns the current state of a cluster whose precondition is stale, and applies the rest', async () => {
      const res = await everyCluster('scale', ALICE, {
        replicas: 1,
        targets: [
          { ...(await targets('local-a'))[0], resourceVersion: '1' },
          ...(await targets('local-b')),
        ],
      });
      expect(res.status).toBe(207);
      expect(res.body.results[0]).toMatchObject({
        cluster: 'local-a',
        ok: false,
        current: { replicas: { desired: 2 } },
      });
      expect(res.body.results[1]).toMatchObject({
        cluster: 'local-b',
        ok: true,
      });
      expect(await liveReplicas('local-a')).toBe(2);
      expect(await liveReplicas('local-b')).toBe(1);
    });

    it('refuses other teams and operations that differ per cluster', async () => {
      const other = await everyCluster('restart', BOB, {
        targets: await targets('local-a'),
      });
      expect(other.status).toBe(403);
      const rollback = await everyCluster('rollback', ALICE, {
        revision: 1,
        targets: await targets('local-a'),
      });
      expect(rollback.status).toBe(404);
      expect(rollback.body.error.message).toContain(
        'these do: scale, upgrade, restart, config',
      );
    });
  });
});
