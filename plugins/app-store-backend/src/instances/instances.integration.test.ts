import { execFileSync } from 'node:child_process';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  instanceDetailSchema,
  instanceListSchema,
  installTargetsSchema,
  type InstanceDetail,
} from '@internal/plugin-container-cloud-common';
import {
  ALICE,
  BOB,
  localHelm,
  localRegistryHost,
  startAppStoreBackend,
} from '../__testUtils__/startAppStoreBackend';
import { pushTestChart, TEST_CHART } from '../__testUtils__/testCharts';
import {
  provisionClaims,
  removeVolumes,
} from '../__testUtils__/provisionClaims';

jest.setTimeout(600_000);

const CLUSTER = 'local-a';
// payments-api's binding covers */payments (as the example catalog places it)
const NAMESPACE = 'payments';
const OWNER = 'component:default/payments-api';
const suffix = `${process.pid % 10000}-${Date.now() % 100000}`;
const name = (base: string) => `${base}-${suffix}`.slice(0, 40);

/** The releases helm itself sees in the namespace (not through the app store). */
function helmReleases(): string[] {
  const out = execFileSync(
    localHelm(),
    [
      'list',
      '--namespace',
      NAMESPACE,
      '--all',
      '--output',
      'json',
      '--kube-context',
      CLUSTER,
    ],
    { env: process.env, encoding: 'utf8' },
  );
  return (JSON.parse(out) as Array<{ name: string }>).map(r => r.name);
}

function uninstallQuietly(release: string) {
  try {
    execFileSync(
      localHelm(),
      [
        'uninstall',
        release,
        '--namespace',
        NAMESPACE,
        '--kube-context',
        CLUSTER,
      ],
      { env: process.env, stdio: 'pipe' },
    );
  } catch {
    // already gone
  }
}

const describeLocal =
  localRegistryHost() && process.env.KUBECONFIG ? describe : describe.skip;

describeLocal('instances on the local cloud', () => {
  let backend: Awaited<ReturnType<typeof startAppStoreBackend>>;
  const created: string[] = [];
  const h1Charts: string[] = [];
  const volumeCleanups: Array<() => void> = [];

  beforeAll(async () => {
    const repo = pushTestChart();
    const host = localRegistryHost()!;
    // the project's charts, once the set-up pushed them (charts/ on the registry)
    const catalog = (await (
      await fetch(`http://${host}/v2/_catalog?n=1000`)
    ).json()) as { repositories: string[] };
    for (const chart of ['mysql', 'redis', 'zookeeper', 'kafka']) {
      if (catalog.repositories.includes(`charts/${chart}`))
        h1Charts.push(chart);
    }
    backend = await startAppStoreBackend({
      appStore: {
        helm: localHelm(),
        repositories: [
          repo,
          { name: 'charts', url: `oci://${host}/charts`, plainHttp: true },
        ],
      },
    });
  });

  afterAll(async () => {
    for (const release of created) uninstallQuietly(release);
    for (const cleanup of volumeCleanups) cleanup();
    await backend?.stop();
  });

  const as = (user: string) => mockCredentials.user.header(user);

  function install(body: Record<string, unknown>, user = ALICE) {
    return request(backend.server)
      .post('/api/app-store/instances')
      .set('Authorization', as(user))
      .send({
        repository: 'test',
        chart: TEST_CHART,
        version: '0.1.0',
        cluster: CLUSTER,
        namespace: NAMESPACE,
        owner: OWNER,
        ...body,
      });
  }

  async function detail(release: string): Promise<InstanceDetail> {
    const res = await request(backend.server)
      .get(`/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}`)
      .set('Authorization', as(ALICE));
    expect(res.status).toBe(200);
    return instanceDetailSchema.strict().parse(res.body);
  }

  /** Reads the detail until `until` holds (at most `attempts` reads, one a second). */
  async function waitFor(
    release: string,
    until: (d: InstanceDetail) => boolean,
    attempts = 90,
    each?: () => void,
  ): Promise<InstanceDetail> {
    let last = await detail(release);
    for (let i = 0; i < attempts && !until(last); i++) {
      each?.();
      await new Promise(r => setTimeout(r, 1000));
      last = await detail(release);
    }
    return last;
  }

  it('lists where alice may install: payments-api and team-payments in each cluster’s payments namespace', async () => {
    const res = await request(backend.server)
      .get('/api/app-store/targets')
      .set('Authorization', as(ALICE));
    expect(res.status).toBe(200);
    const { items } = installTargetsSchema.parse(res.body);
    expect(items).toEqual(
      expect.arrayContaining([
        { owner: OWNER, cluster: 'local-a', namespace: 'payments' },
        { owner: OWNER, cluster: 'local-b', namespace: 'payments' },
        {
          owner: 'group:default/team-payments',
          cluster: 'local-a',
          namespace: 'payments',
        },
      ]),
    );
    expect(items.some(t => t.owner === 'component:default/orders-api')).toBe(
      false,
    );
  });

  it('installs, reaches Ready (simulated on kwok), shows its connection, reveals, upgrades, rolls back and uninstalls', async () => {
    const release = name('tiny');
    created.push(release);
    const res = await install({
      name: release,
      password: 'correct-horse-battery',
      storage: '2Gi',
    });
    expect(res.status).toBe(202);
    const installed = instanceDetailSchema.strict().parse(res.body);
    expect(installed.phase).toMatch(/installing|ready/);
    expect(installed.owner).toBe(OWNER);
    expect(installed.createdBy).toBe(ALICE);
    // the default expiry: 7 days
    const days =
      (Date.parse(installed.expiresAt!) - Date.parse(installed.createdAt)) /
      86_400_000;
    expect(Math.round(days)).toBe(7);

    const ready = await waitFor(release, d => d.phase === 'ready');
    expect(ready.phase).toBe('ready');
    expect(ready.ready).toEqual({ ready: 1, total: 1 });
    expect(ready.simulated).toBe(true);
    expect(ready.pods[0]).toMatchObject({ ready: true, simulated: true });
    expect(ready.progress.map(p => p.state)).toEqual(['done', 'done', 'done']);
    expect(ready.connection).toEqual({
      host: `${release}.${NAMESPACE}.svc`,
      port: 5555,
      user: 'app',
      passwordSecret: { name: `${release}-auth`, key: 'password' },
    });
    expect(helmReleases()).toContain(release);

    // bob (team-orders) may not reveal payments-api's password
    const refused = await request(backend.server)
      .post(
        `/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}/reveal`,
      )
      .set('Authorization', as(BOB));
    expect(refused.status).toBe(403);
    const revealed = await request(backend.server)
      .post(
        `/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}/reveal`,
      )
      .set('Authorization', as(ALICE));
    expect(revealed.status).toBe(200);
    expect(revealed.body).toEqual({ password: 'correct-horse-battery' });

    const upgraded = await request(backend.server)
      .post(
        `/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}/upgrade`,
      )
      .set('Authorization', as(ALICE))
      .send({ version: '0.2.0' });
    expect(upgraded.status).toBe(200);
    expect(upgraded.body.version).toBe('0.2.0');
    const afterUpgrade = await waitFor(release, d => d.phase === 'ready');
    expect(afterUpgrade.history.map(h => h.revision)).toEqual([2, 1]);
    expect(afterUpgrade.history[0].chart).toBe(`${TEST_CHART}-0.2.0`);
    // the password survived the upgrade (the release's values are kept)
    const again = await request(backend.server)
      .post(
        `/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}/reveal`,
      )
      .set('Authorization', as(ALICE));
    expect(again.body).toEqual({ password: 'correct-horse-battery' });

    const badRollback = await request(backend.server)
      .post(
        `/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}/rollback`,
      )
      .set('Authorization', as(ALICE))
      .send({ revision: 7 });
    expect(badRollback.status).toBe(400);
    expect(badRollback.body.error.message).toMatch(
      /revision: the release has no revision 7/,
    );

    const rolledBack = await request(backend.server)
      .post(
        `/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}/rollback`,
      )
      .set('Authorization', as(ALICE))
      .send({ revision: 1 });
    expect(rolledBack.status).toBe(200);
    expect(rolledBack.body.version).toBe('0.1.0');
    const afterRollback = await waitFor(release, d => d.phase === 'ready');
    expect(afterRollback.history.map(h => h.revision)).toEqual([3, 2, 1]);
    expect(afterRollback.history[0].chart).toBe(`${TEST_CHART}-0.1.0`);

    const list = await request(backend.server)
      .get(`/api/app-store/instances?owner=${OWNER}&chart=${TEST_CHART}`)
      .set('Authorization', as(BOB));
    expect(list.status).toBe(200);
    const listed = instanceListSchema
      .parse(list.body)
      .items.find(i => i.name === release);
    // the page counts the pods itself (one pod list per namespace of the page)
    expect(listed).toMatchObject({
      phase: 'ready',
      version: '0.1.0',
      ready: { ready: 1, total: 1 },
      simulated: true,
    });

    const removed = await request(backend.server)
      .delete(`/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}`)
      .set('Authorization', as(ALICE));
    expect(removed.status).toBe(204);
    expect(helmReleases()).not.toContain(release);
    const gone = await request(backend.server)
      .get(`/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}`)
      .set('Authorization', as(ALICE));
    expect(gone.status).toBe(404);
  });

  it('of two concurrent installs of one name, one wins and the other gets a 409 with the instance', async () => {
    const release = name('race');
    created.push(release);
    const [a, b] = await Promise.all([
      install({ name: release }),
      install({ name: release }),
    ]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const conflict = a.status === 409 ? a : b;
    expect(conflict.body.current).toMatchObject({
      name: release,
      cluster: CLUSTER,
      namespace: NAMESPACE,
    });
    // the page alone (no detail read) sees the winner become ready
    let phase: string | undefined;
    for (let i = 0; i < 60 && phase !== 'ready'; i++) {
      if (i > 0) await new Promise(r => setTimeout(r, 1000));
      const page = await request(backend.server)
        .get(`/api/app-store/instances?cluster=${CLUSTER}&chart=${TEST_CHART}`)
        .set('Authorization', as(ALICE));
      phase = instanceListSchema
        .parse(page.body)
        .items.find(item => item.name === release)?.phase;
    }
    expect(phase).toBe('ready');
    const removed = await request(backend.server)
      .delete(`/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}`)
      .set('Authorization', as(ALICE));
    expect(removed.status).toBe(204);
  });

  it('refuses values the chart’s schema refuses with a 400 naming the field, and installs nothing', async () => {
    const release = name('bad');
    const res = await install({ name: release, values: { replicas: 9 } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/values\.replicas: must be <= 3/);
    const shortPassword = await install({
      name: release,
      values: { auth: { password: 'short' } },
    });
    expect(shortPassword.status).toBe(400);
    expect(shortPassword.body.error.message).toMatch(/values\.auth\.password/);
    expect(shortPassword.body.error.message).not.toContain('short"');
    expect(helmReleases()).not.toContain(release);
    const gone = await request(backend.server)
      .get(`/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}`)
      .set('Authorization', as(ALICE));
    expect(gone.status).toBe(404);
  });

  it('refuses a namespace the owner’s binding does not cover, and a chart version that does not exist', async () => {
    const outside = await install({
      name: name('outside'),
      namespace: 'orders',
    });
    expect(outside.status).toBe(403);
    expect(outside.body.error.message).toMatch(
      /may not touch namespace 'orders'/,
    );
    const missing = await install({ name: name('missing'), version: '9.9.9' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(
      /chart: no chart 'tiny-db' version 9.9.9/,
    );
  });

  it('says which resource failed and why when a pod cannot be scheduled, and can be removed', async () => {
    const release = name('stuck');
    created.push(release);
    const res = await install({
      name: release,
      values: { nodeSelector: { 'container-cloud.io/no-such-node': 'true' } },
    });
    expect(res.status).toBe(202);
    // unschedulable counts as failed after UNSCHEDULABLE_GRACE_MS (30 s)
    const failed = await waitFor(release, d => d.phase === 'failed', 90);
    expect(failed.phase).toBe('failed');
    expect(failed.failure?.resource).toBe(`Pod/${release}-0`);
    expect(failed.failure?.reason).toMatch(/node/);
    expect(failed.failure?.events.join('\n')).toMatch(/FailedScheduling/);
    expect(failed.progress.map(p => p.state)).toEqual([
      'done',
      'failed',
      'failed',
    ]);
    const removed = await request(backend.server)
      .delete(`/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}`)
      .set('Authorization', as(ALICE));
    expect(removed.status).toBe(204);
    expect(helmReleases()).not.toContain(release);
  });

  it('dry-runs with the apiserver and records nothing', async () => {
    const release = name('dry');
    const res = await install({ name: release, dryRun: true });
    expect(res.status).toBe(200);
    expect(res.body.progress[0].message).toMatch(
      /dry run: the apiserver accepted \d+ object/,
    );
    expect(helmReleases()).not.toContain(release);
    const gone = await request(backend.server)
      .get(`/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}`)
      .set('Authorization', as(ALICE));
    expect(gone.status).toBe(404);
  });

  it('installs each of the project’s charts (once the set-up pushed them) to Ready, and uninstalls it', async () => {
    for (const chart of h1Charts) {
      const versions = await request(backend.server)
        .get('/api/app-store/charts')
        .set('Authorization', as(ALICE));
      const view = versions.body.items.find(
        (c: { repository: string; name: string }) =>
          c.repository === 'charts' && c.name === chart,
      );
      expect(view).toBeDefined();
      const release = name(chart.slice(0, 4));
      created.push(release);
      const res = await install({
        repository: 'charts',
        chart,
        version: view.versions[view.versions.length - 1].version,
        name: release,
      });
      expect(`${chart} ${res.status}`).toBe(`${chart} 202`);
      // the local cloud has no provisioner: the test binds each claim as one would
      const volumes: string[] = [];
      volumeCleanups.push(() =>
        removeVolumes(CLUSTER, NAMESPACE, release, volumes),
      );
      const ready = await waitFor(
        release,
        d => d.phase === 'ready',
        120,
        () => volumes.push(...provisionClaims(CLUSTER, NAMESPACE, release)),
      );
      expect(`${chart} ${ready.phase}`).toBe(`${chart} ready`);
      expect(ready.simulated).toBe(true);
      expect(ready.connection?.host).toMatch(
        new RegExp(`\\.${NAMESPACE}\\.svc$`),
      );
      const revealed = await request(backend.server)
        .post(
          `/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}/reveal`,
        )
        .set('Authorization', as(ALICE));
      expect(`${chart} ${revealed.status}`).toBe(`${chart} 200`);
      expect(revealed.body.password.length).toBeGreaterThan(0);
      const removed = await request(backend.server)
        .delete(`/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}`)
        .set('Authorization', as(ALICE));
      expect(removed.status).toBe(204);
    }
  });
});
