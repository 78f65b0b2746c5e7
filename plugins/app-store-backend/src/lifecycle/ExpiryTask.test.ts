import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import type {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import type { Knex } from 'knex';
import type { HelmRunner } from '../helm/HelmRunner';
import { InstanceStore, type NewInstance } from '../instances/InstanceStore';
import { ExpiryStore } from './ExpiryStore';
import { ExpiryTask } from './ExpiryTask';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The one Helm call expiry makes, recorded: the uninstall itself runs the real helm in
 * ExpiryTask.integration.test.ts; here the subject is who wins the database's claims.
 */
class UninstallRecorder {
  readonly uninstalled: string[] = [];
  failNext = false;
  readonly runner = {
    uninstall: async (
      target: { cluster: string; namespace: string },
      release: string,
    ) => {
      if (this.failNext) {
        this.failNext = false;
        throw new Error('helm: Kubernetes cluster unreachable');
      }
      this.uninstalled.push(`${target.cluster}/${target.namespace}/${release}`);
    },
  } as unknown as HelmRunner;
}

class NotificationRecorder implements NotificationService {
  readonly sent: NotificationSendOptions[] = [];
  async send(options: NotificationSendOptions) {
    this.sent.push(options);
  }
}

const catalog = catalogServiceMock({
  entities: [
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'payments-api', namespace: 'default' },
      spec: { owner: 'group:default/payments', type: 'service' },
      relations: [{ type: 'ownedBy', targetRef: 'group:default/payments' }],
    },
  ],
});

function instance(
  name: string,
  overrides: Partial<NewInstance> = {},
): NewInstance {
  return {
    cluster: 'local-a',
    namespace: 'payments',
    name,
    repository: 'local',
    chart: 'redis',
    version: '7.0.0',
    owner: 'component:default/payments-api',
    environment: 'test',
    preset: 'small',
    createdBy: 'user:default/alice',
    phase: 'ready',
    ...overrides,
  };
}

it('has PostgreSQL to run against', () => {
  // without it the PostgreSQL half would silently not run
  expect(databases.supports('POSTGRES_15')).toBe(true);
});

describe.each(databases.eachSupportedId())('expiry on %s', databaseId => {
  let knex: Knex;
  let clock: Date;
  const now = () => clock;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    await knex.migrate.latest({
      directory: resolvePackagePath(
        '@internal/plugin-app-store-backend',
        'migrations',
      ),
    });
  });

  beforeEach(async () => {
    await knex('app_store_instances').delete();
    clock = new Date('2026-12-01T10:00:00Z');
  });

  function setup() {
    const helm = new UninstallRecorder();
    const notifications = new NotificationRecorder();
    const auditor = mockServices.auditor.mock();
    const store = new InstanceStore(knex, now);
    // two replicas: each its own task, store and clients over the one database
    const task = () =>
      new ExpiryTask({
        expiry: new ExpiryStore(knex),
        store: new InstanceStore(knex, now),
        helm: helm.runner,
        notifications,
        catalog,
        auth: mockServices.auth(),
        auditor,
        logger: mockServices.logger.mock(),
        noticeMs: DAY,
        now,
      });
    return { helm, notifications, auditor, store, replicas: [task(), task()] };
  }

  it('warns the owner once across two replicas, uninstalls after expiry, keeps the record, leaves production alone', async () => {
    const { helm, notifications, auditor, store, replicas } = setup();
    await store.insert(
      instance('cache', { expiresAt: new Date(clock.getTime() + 3 * DAY) }),
    );
    await store.insert(
      instance('orders-db', {
        chart: 'mysql',
        environment: 'production',
        owner: 'group:default/payments',
      }),
    );

    // three days before: nothing to say yet
    let results = await Promise.all(replicas.map(r => r.run()));
    expect(results.flatMap(r => r.notified)).toEqual([]);

    // 23 hours before: both replicas run at once, one warning is sent
    clock = new Date(clock.getTime() + 2 * DAY + HOUR);
    results = await Promise.all(replicas.map(r => r.run()));
    expect(results.flatMap(r => r.notified)).toEqual([
      'local-a/payments/cache',
    ]);
    expect(notifications.sent).toHaveLength(1);
    expect(notifications.sent[0]).toMatchObject({
      recipients: { type: 'entity', entityRef: 'group:default/payments' },
      payload: {
        title: 'cache (redis) expires in 23 hours',
        link: '/app-store/instances/local-a/payments/cache',
        topic: 'app-store-expiry',
      },
    });
    expect((await store.get(instance('cache')))?.notifiedAt).toEqual(clock);

    // again before expiry: no second warning, nothing uninstalled
    results = await Promise.all(replicas.map(r => r.run()));
    expect(notifications.sent).toHaveLength(1);
    expect(helm.uninstalled).toEqual([]);

    // after expiry: one replica uninstalls, the record stays as 'expired'
    clock = new Date(clock.getTime() + DAY);
    results = await Promise.all(replicas.map(r => r.run()));
    expect(
      results.flatMap(r => [...r.expired, ...r.failed.map(f => f.error)]),
    ).toEqual(['local-a/payments/cache']);
    expect(helm.uninstalled).toEqual(['local-a/payments/cache']);
    expect(await store.get(instance('cache'))).toBeUndefined();
    const { items } = await store.list({ includeDeleted: true });
    const record = items.find(i => i.name === 'cache');
    expect(record).toMatchObject({
      phase: 'expired',
      deletedReason: 'expired',
      deletedBy: 'app-store-expiry',
      deletedAt: clock,
    });
    expect(notifications.sent).toHaveLength(2);
    expect(notifications.sent[1].payload.title).toBe(
      'cache (redis) expired and was uninstalled',
    );
    expect(auditor.createEvent).toHaveBeenCalledTimes(1);
    expect(auditor.createEvent).toHaveBeenCalledWith(
      expect.objectContaining({
        eventId: 'app-store-instance-expire',
        meta: expect.objectContaining({ instance: 'local-a/payments/cache' }),
      }),
    );

    // a year later the production instance is still live and was never warned
    clock = new Date(clock.getTime() + 365 * DAY);
    await Promise.all(replicas.map(r => r.run()));
    const production = await store.get(instance('orders-db'));
    expect(production).toMatchObject({ phase: 'ready' });
    expect(production?.notifiedAt).toBeUndefined();
    expect(helm.uninstalled).toEqual(['local-a/payments/cache']);
    expect(notifications.sent).toHaveLength(2);
  });

  it('never uninstalls an instance whose owner was not warned first, and retries a failed uninstall', async () => {
    const { helm, notifications, store, replicas } = setup();
    // created already past its time (e.g. the task was down): warned first, removed on the next run
    await store.insert(
      instance('late', { expiresAt: new Date(clock.getTime() - HOUR) }),
    );
    const [first] = replicas;
    expect(await first.run()).toMatchObject({
      notified: ['local-a/payments/late'],
      expired: [],
    });
    expect(notifications.sent[0].payload.title).toBe(
      'late (redis) expires now',
    );
    expect(helm.uninstalled).toEqual([]);

    helm.failNext = true;
    expect(await first.run()).toMatchObject({
      expired: [],
      failed: [
        {
          instance: 'local-a/payments/late',
          error: 'Error: helm: Kubernetes cluster unreachable',
        },
      ],
    });
    // the claim was given back: still live, in the phase it had
    expect(await store.get(instance('late'))).toMatchObject({ phase: 'ready' });

    expect(await first.run()).toMatchObject({
      expired: ['local-a/payments/late'],
    });
    expect(helm.uninstalled).toEqual(['local-a/payments/late']);
  });

  it('extends a test instance and warns again before the new time; refuses production', async () => {
    const { notifications, store, replicas } = setup();
    const expiry = new ExpiryStore(knex);
    await store.insert(
      instance('cache', { expiresAt: new Date(clock.getTime() + HOUR) }),
    );
    await store.insert(instance('prod', { environment: 'production' }));
    await replicas[0].run();
    expect(notifications.sent).toHaveLength(1);

    expect(
      await expiry.extend(
        instance('cache'),
        new Date(clock.getTime() + 7 * DAY),
        clock,
      ),
    ).toBeUndefined();
    const extended = await store.get(instance('cache'));
    expect(extended?.expiresAt).toEqual(new Date(clock.getTime() + 7 * DAY));
    expect(extended?.notifiedAt).toBeUndefined();

    clock = new Date(clock.getTime() + 6 * DAY + HOUR);
    await replicas[1].run();
    expect(notifications.sent).toHaveLength(2);

    expect(
      await expiry.extend(
        instance('prod'),
        new Date(clock.getTime() + DAY),
        clock,
      ),
    ).toBe('production');
    expect(
      await expiry.extend(
        instance('none'),
        new Date(clock.getTime() + DAY),
        clock,
      ),
    ).toBe('gone');
    expect((await store.get(instance('prod')))?.expiresAt).toBeUndefined();
  });
});
