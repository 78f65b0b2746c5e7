import { execFileSync } from 'node:child_process';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  createServiceFactory,
  type ServiceFactory,
} from '@backstage/backend-plugin-api';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import {
  notificationService,
  type NotificationSendOptions,
  type NotificationService,
} from '@backstage/plugin-notifications-node';
import permissionPlugin from '@backstage/plugin-permission-backend';
import policyModule from '@internal/plugin-permission-backend-module-container-cloud-policy';
// the services backend is what attach calls, over HTTP: the test backend runs it beside the app store
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import servicesPlugin from '@internal/plugin-services-backend';
import {
  authKeepingActors,
  catalogFixtures,
  FIXTURES_ORIGIN,
  recordingAuditor,
  RecordedAuditEvent,
  userInfoFromMemberships,
  waitForEntity,
} from '@internal/plugin-container-cloud-node/testing';
import { getLocalCloud } from '@internal/local-cloud/testing';
import request from 'supertest';
import {
  ALICE,
  appStoreEntities,
  BOB,
  localCloudClusters,
  localHelm,
  localRegistryHost,
} from '../__testUtils__/startAppStoreBackend';
import { pushTestChart, TEST_CHART } from '../__testUtils__/testCharts';
import { appStoreClockServiceRef } from '../clock';
import appStorePlugin from '..';

// generous: the set-up may first wait for another worker's test to let the example services go
// (codeflow's build holds them under its own 30-minute limit)
jest.setTimeout(35 * 60_000);

const CLUSTER = 'local-a';
// payments-api runs in local-a/payments (seeded by the local cloud); its binding covers */payments
const NAMESPACE = 'payments';
const OWNER = 'component:default/payments-api';
const suffix = `${process.pid % 10000}-${Date.now() % 100000}`;
const name = (base: string) => `${base}-${suffix}`.slice(0, 40);
const DAY = 86_400_000;

function kubectl(args: string[]): string {
  return execFileSync('kubectl', ['--context', CLUSTER, ...args], {
    env: process.env,
    encoding: 'utf8',
  });
}

function helmStatus(release: string): boolean {
  try {
    execFileSync(
      localHelm(),
      ['status', release, '--namespace', NAMESPACE, '--kube-context', CLUSTER],
      { env: process.env, stdio: 'pipe' },
    );
    return true;
  } catch {
    return false;
  }
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

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}

function paymentsApiEnv(): EnvVar[] {
  const deployment = JSON.parse(
    kubectl([
      'get',
      'deployment',
      'payments-api',
      '-n',
      NAMESPACE,
      '-o',
      'json',
    ]),
  );
  return deployment.spec.template.spec.containers[0].env ?? [];
}

/** Waits (one check a second, at most `attempts`) until `until` holds; returns whether it did. */
async function eventually(
  until: () => Promise<boolean> | boolean,
  attempts = 120,
) {
  for (let i = 0; i < attempts; i++) {
    if (await until()) return true;
    await new Promise(r => setTimeout(r, 1000));
  }
  return until();
}

class NotificationRecorder implements NotificationService {
  readonly sent: NotificationSendOptions[] = [];
  async send(options: NotificationSendOptions) {
    this.sent.push(options);
  }
}

const describeLocal =
  localRegistryHost() && process.env.KUBECONFIG ? describe : describe.skip;

describeLocal('app store lifecycle on the local cloud', () => {
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  const notifications = new NotificationRecorder();
  const events: RecordedAuditEvent[] = [];
  const created: string[] = [];
  // the test runs the expiry task when it moved the clock (the scheduler's own timer does not run)
  // (the mock's type is SchedulerService; the instance is a MockSchedulerService with its factory)
  const scheduler = mockServices.scheduler() as ReturnType<
    typeof mockServices.scheduler
  > & {
    factory(options: { skipTaskRunOnStartup?: boolean }): ServiceFactory;
  };
  let clockOffset = 0;
  const now = () => new Date(Date.now() + clockOffset);

  /**
   * the example services reserved for this file: attach writes the seeded payments-api's env,
   * which a `seed` or codeflow's build test (rolling its image) in another jest worker would race
   */
  let releaseExampleServices: (() => void) | undefined;

  beforeAll(async () => {
    releaseExampleServices = await (
      await getLocalCloud()
    ).cloud.reserveExampleServices();
    const repo = pushTestChart(['0.1.0']);
    backend = await startTestBackend({
      features: [
        permissionPlugin,
        catalogPlugin,
        policyModule,
        servicesPlugin,
        // the real plugin, with a clock the test moves and notifications it records
        appStorePlugin,
        createServiceFactory({
          service: appStoreClockServiceRef,
          deps: {},
          factory: () => ({ now }),
        }),
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => notifications,
        }),
        catalogFixtures(appStoreEntities()),
        userInfoFromMemberships(),
        authKeepingActors,
        httpAuthServiceFactory,
        recordingAuditor(events),
        scheduler.factory({ skipTaskRunOnStartup: true }),
        mockServices.rootConfig.factory({
          data: {
            permission: { enabled: true },
            catalog: { processingInterval: { seconds: 1 } },
            containerCloud: {
              permissions: { opsAdminGroups: ['group:default/ops-admins'] },
              binding: { trustedOrigins: [FIXTURES_ORIGIN] },
              appStore: {
                helm: localHelm(),
                repositories: [repo],
                expiry: {
                  frequency: { seconds: 10 },
                  notifyBefore: { hours: 24 },
                },
              },
            },
            kubernetes: {
              clusterLocatorMethods: [
                { type: 'config', clusters: localCloudClusters() },
              ],
            },
          },
        }),
      ],
    });
    for (const entity of appStoreEntities()) {
      await waitForEntity(
        `http://localhost:${backend.server.port()}`,
        `${entity.kind.toLocaleLowerCase('en-US')}/default/${
          entity.metadata.name
        }`,
      );
    }
  });

  afterAll(async () => {
    try {
      for (const release of created) uninstallQuietly(release);
      await backend?.stop();
    } finally {
      releaseExampleServices?.();
    }
  });

  const as = (user: string) => mockCredentials.user.header(user);

  async function installReady(release: string, expiresInDays = 7) {
    created.push(release);
    const res = await request(backend.server)
      .post('/api/app-store/instances')
      .set('Authorization', as(ALICE))
      .send({
        repository: 'test',
        chart: TEST_CHART,
        version: '0.1.0',
        cluster: CLUSTER,
        namespace: NAMESPACE,
        owner: OWNER,
        name: release,
        expiresInDays,
      });
    expect(res.status).toBe(202);
    let phase = '';
    await eventually(async () => {
      const detail = await request(backend.server)
        .get(`/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}`)
        .set('Authorization', as(ALICE));
      phase = detail.body.phase;
      return phase === 'ready';
    });
    expect(phase).toBe('ready');
  }

  it('attaches an instance to payments-api in its namespace: host, port and user as values, the password as a reference to its Secret', async () => {
    const release = name('h3-attach');
    await installReady(release);
    const before = paymentsApiEnv();
    const prefix = 'TINY_DB_';
    try {
      const res = await request(backend.server)
        .post(
          `/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}/attach`,
        )
        .set('Authorization', as(ALICE))
        .send({ service: OWNER, prefix });
      expect(res.body).toMatchObject({
        service: OWNER,
        cluster: CLUSTER,
        namespace: NAMESPACE,
        deployment: 'payments-api',
        variables: [
          `${prefix}HOST`,
          `${prefix}PORT`,
          `${prefix}USER`,
          `${prefix}PASSWORD`,
        ],
        passwordSecret: { name: `${release}-auth`, key: 'password' },
      });
      expect(res.status).toBe(200);
      const env = paymentsApiEnv();
      const byName = new Map(env.map(e => [e.name, e]));
      expect(byName.get(`${prefix}HOST`)?.value).toBe(
        `${release}.${NAMESPACE}.svc`,
      );
      expect(byName.get(`${prefix}PORT`)?.value).toBe('5555');
      expect(byName.get(`${prefix}USER`)?.value).toBe('app');
      // the password: read by the pods from the instance's Secret, never copied into the Deployment
      expect(byName.get(`${prefix}PASSWORD`)).toEqual({
        name: `${prefix}PASSWORD`,
        valueFrom: {
          secretKeyRef: { name: `${release}-auth`, key: 'password' },
        },
      });
      const password = kubectl([
        'get',
        'secret',
        `${release}-auth`,
        '-n',
        NAMESPACE,
        '-o',
        'jsonpath={.data.password}',
      ]);
      expect(JSON.stringify(env)).not.toContain(password);
      expect(JSON.stringify(env)).not.toContain(
        Buffer.from(password, 'base64').toString('utf8'),
      );
      // the install marked the release's Secret with its owner (what the services backend checks)
      const annotations = JSON.parse(
        kubectl([
          'get',
          'secret',
          `${release}-auth`,
          '-n',
          NAMESPACE,
          '-o',
          'jsonpath={.metadata.annotations}',
        ]),
      );
      expect(annotations).toMatchObject({
        'container-cloud.io/app-store-owner': OWNER,
        'container-cloud.io/app-store-instance': `${CLUSTER}/${NAMESPACE}/${release}`,
      });
      // what the Deployment had stays
      for (const e of before) expect(byName.get(e.name)).toEqual(e);
      // the services backend did the write, audited there; the app store audited the attach
      expect(events).toContainEqual(
        expect.objectContaining({
          eventId: 'service-config-edit',
          outcome: 'success',
        }),
      );
      expect(events).toContainEqual(
        expect.objectContaining({
          eventId: 'app-store-instance-attach',
          outcome: 'success',
        }),
      );

      // a service that does not run in the instance's namespace: a 400 in words, nothing written
      const elsewhere = await request(backend.server)
        .post(
          `/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}/attach`,
        )
        .set('Authorization', as(ALICE))
        .send({ service: 'component:default/orders-api', prefix: 'OTHER_' });
      expect(elsewhere.status).toBe(400);
      expect(elsewhere.body.error.message).toContain(
        "runs no Deployment in namespace 'payments' of cluster 'local-a'",
      );

      // another team may not reveal (nor attach) payments-api's instance
      const bob = await request(backend.server)
        .post(
          `/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}/attach`,
        )
        .set('Authorization', as(BOB))
        .send({ service: OWNER, prefix: 'BOB_' });
      expect(bob.status).toBe(403);
      expect(paymentsApiEnv().some(e => e.name.startsWith('BOB_'))).toBe(false);
    } finally {
      kubectl([
        'set',
        'env',
        'deployment/payments-api',
        '-n',
        NAMESPACE,
        `${prefix}HOST-`,
        `${prefix}PORT-`,
        `${prefix}USER-`,
        `${prefix}PASSWORD-`,
      ]);
    }
  });

  it('shows ops a real release in the admin view: its pods’ requests, readiness, kwok simulation', async () => {
    const release = name('h3-admin');
    await installReady(release);
    const res = await request(backend.server)
      .get('/api/app-store/admin/instances?cluster=local-a&limit=500')
      .set('Authorization', as('user:default/carol'));
    expect(res.status).toBe(200);
    const item = res.body.items.find(
      (i: { name: string }) => i.name === release,
    );
    expect(item).toMatchObject({
      owner: OWNER,
      phase: 'ready',
      ready: { ready: 1, total: 1 },
      simulated: true,
      // the chart's small preset: 50m and 64Mi for its one pod
      requests: { cpuMillis: 50, memoryBytes: 64 * 2 ** 20 },
    });
    expect(item.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(res.body.unreachable).toEqual([]);
  });

  it('warns the owner before expiry, then uninstalls the release with Helm (the record kept as expired: ExpiryTask.test.ts)', async () => {
    const release = name('h3-expiry');
    await installReady(release, 1);
    expect(helmStatus(release)).toBe(true);
    const key = `${CLUSTER}/${NAMESPACE}/${release}`;
    const sentFor = () =>
      notifications.sent.filter(
        n => n.payload.scope === `app-store-expiry:${key}`,
      );

    // an hour before expiry: the owner (payments-api's owner, team-payments) is warned, once
    clockOffset = DAY - 3_600_000;
    await scheduler.triggerTask('app-store-expiry');
    await scheduler.triggerTask('app-store-expiry');
    expect(sentFor()).toHaveLength(1);
    expect(sentFor()[0]).toMatchObject({
      recipients: { type: 'entity', entityRef: 'group:default/team-payments' },
    });
    expect(helmStatus(release)).toBe(true);

    // past expiry: the task uninstalls it with Helm; the record is kept, the name free again
    clockOffset = DAY + 3_600_000;
    await scheduler.triggerTask('app-store-expiry');
    expect(helmStatus(release)).toBe(false);
    const gone = await request(backend.server)
      .get(`/api/app-store/instances/${CLUSTER}/${NAMESPACE}/${release}`)
      .set('Authorization', as(ALICE));
    expect(gone.status).toBe(404);
    expect(sentFor().map(n => n.payload.title)).toEqual([
      expect.stringContaining('expires in'),
      expect.stringContaining('expired and was uninstalled'),
    ]);
    expect(events).toContainEqual(
      expect.objectContaining({
        eventId: 'app-store-instance-expire',
        outcome: 'success',
        meta: expect.objectContaining({ instance: key }),
      }),
    );
  });
});
