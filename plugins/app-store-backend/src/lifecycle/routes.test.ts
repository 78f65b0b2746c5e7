import {
  mockCredentials,
  mockServices,
  TestDatabaseId,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import request from 'supertest';
import {
  ALICE,
  appStoreTestDatabases,
  BOB,
  CAROL,
  recordingAuditor,
  RecordedAuditEvent,
  startAppStoreBackend,
} from '../__testUtils__/startAppStoreBackend';
import { InstanceStore, type NewInstance } from '../instances/InstanceStore';

jest.setTimeout(180_000);

const databases = appStoreTestDatabases();
const DAY = 86_400_000;

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
    createdBy: ALICE,
    phase: 'ready',
    expiresAt: new Date(Date.now() + 2 * DAY),
    ...overrides,
  };
}

/** Who calls, as the matrix names them. */
const CALLERS = {
  owner: mockCredentials.user.header(ALICE),
  'other team': mockCredentials.user.header(BOB),
  ops: mockCredentials.user.header(CAROL),
  'service token': mockCredentials.service.header(),
  'no identity': undefined,
} as const;
type Caller = keyof typeof CALLERS;

it('has PostgreSQL to run against', () => {
  // without it the PostgreSQL half would silently not run
  expect(databases.supports('POSTGRES_15')).toBe(true);
});

describe.each(databases.eachSupportedId())(
  'lifecycle routes on %s',
  databaseId => {
    let knex: Knex;
    let backend: Awaited<ReturnType<typeof startAppStoreBackend>>;
    let store: InstanceStore;
    const events: RecordedAuditEvent[] = [];

    beforeAll(async () => {
      knex = await databases.init(databaseId as TestDatabaseId);
      backend = await startAppStoreBackend({
        services: [
          createServiceFactory({
            service: coreServices.database,
            // the app store's database is this test's; every other plugin gets its own
            deps: { plugin: coreServices.pluginMetadata },
            factory: async ({ plugin }) =>
              mockServices.database({
                knex:
                  plugin.getId() === 'app-store'
                    ? knex
                    : await databases.init(databaseId as TestDatabaseId),
              }),
          }),
          recordingAuditor(events),
        ],
      });
      store = new InstanceStore(knex);
    });

    afterAll(async () => {
      await backend?.stop();
    });

    beforeEach(async () => {
      await knex('app_store_instances').delete();
      events.length = 0;
      await store.insert(instance('cache'));
      await store.insert(
        instance('shared', {
          owner: 'group:default/team-payments',
          chart: 'mysql',
        }),
      );
      await store.insert(
        instance('orders-cache', {
          namespace: 'orders',
          owner: 'component:default/orders-api',
          createdBy: BOB,
        }),
      );
      await store.insert(
        instance('ledger', {
          cluster: 'local-b',
          environment: 'production',
          expiresAt: undefined,
          chart: 'mysql',
        }),
      );
    });

    function call(
      caller: Caller,
      method: 'get' | 'post',
      path: string,
      body?: object,
    ) {
      const req = request(backend.server)[method](`/api/app-store${path}`);
      const header = CALLERS[caller];
      if (header) req.set('Authorization', header);
      return body ? req.send(body) : req;
    }

    /** Every mutating route of the lifecycle table, with who may call it. */
    const mutations: Array<{
      route: string;
      path: string;
      body: object;
      allowed: Caller[];
    }> = [
      {
        route: 'extend a Component’s instance',
        path: '/instances/local-a/payments/cache/extend',
        body: { days: 3 },
        allowed: ['owner', 'ops'],
      },
      {
        route: 'extend a Group’s instance',
        path: '/instances/local-a/payments/shared/extend',
        body: { days: 3 },
        allowed: ['owner', 'ops'],
      },
      {
        route: 'attach a Component’s instance',
        path: '/instances/local-a/payments/cache/attach',
        body: { service: 'component:default/payments-api', prefix: 'REDIS_' },
        allowed: ['owner', 'ops'],
      },
      {
        route: 'bulk extend',
        path: '/admin/instances/extend',
        body: {
          instances: [
            { cluster: 'local-a', namespace: 'payments', name: 'cache' },
          ],
          days: 2,
        },
        allowed: ['ops'],
      },
      {
        route: 'bulk delete',
        path: '/admin/instances/delete',
        body: {
          instances: [
            { cluster: 'local-a', namespace: 'orders', name: 'orders-cache' },
          ],
        },
        allowed: ['ops'],
      },
    ];

    describe.each(mutations)('$route', ({ path, body, allowed }) => {
      it.each(Object.keys(CALLERS) as Caller[])('for %s', async caller => {
        const res = await call(caller, 'post', path, body);
        let expected = 'refused';
        if (caller === 'no identity') expected = 'unauthenticated';
        else if (allowed.includes(caller)) expected = 'allowed';
        // allowed: past the permission check (attach then needs the services backend: its answer)
        const outcome = { 401: 'unauthenticated', 403: 'refused' }[
          res.status as 401 | 403
        ];
        expect({
          outcome: outcome ?? 'allowed',
          refusedInWords:
            outcome === 'refused'
              ? /you may not|only|user/i.test(res.body.error.message)
              : undefined,
        }).toEqual({
          outcome: expected,
          refusedInWords: expected === 'refused' ? true : undefined,
        });
      });
    });

    it('extends a test instance for its owner, audited, and refuses production with a 400', async () => {
      const before = await store.get(instance('cache'));
      const res = await call(
        'owner',
        'post',
        '/instances/local-a/payments/cache/extend',
        {
          days: 10,
        },
      );
      expect(res.status).toBe(200);
      const after = await store.get(instance('cache'));
      expect(after!.expiresAt!.getTime()).toBeGreaterThan(
        before!.expiresAt!.getTime() + 7 * DAY,
      );
      expect(res.body.expiresAt).toBe(after!.expiresAt!.toISOString());
      expect(events).toContainEqual(
        expect.objectContaining({
          eventId: 'app-store-instance-extend',
          outcome: 'success',
        }),
      );

      const prod = await call(
        'ops',
        'post',
        '/instances/local-b/payments/ledger/extend',
        {
          days: 10,
        },
      );
      expect(prod.status).toBe(400);
      expect(prod.body.error.message).toContain(
        'production instances never expire',
      );
      expect(
        (await store.get(instance('ledger', { cluster: 'local-b' })))
          ?.expiresAt,
      ).toBeUndefined();

      const bad = await call(
        'owner',
        'post',
        '/instances/local-a/payments/cache/extend',
        {
          days: 500,
        },
      );
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('at most 90 days');
      expect((await store.get(instance('cache')))?.expiresAt).toEqual(
        after!.expiresAt,
      );
    });

    it('lists every instance for ops only, filtered and paged, with age and expiry', async () => {
      const all = await call('ops', 'get', '/admin/instances');
      expect(all.status).toBe(200);
      expect(all.body.totalCount).toBe(4);
      const names = all.body.items.map((i: { name: string }) => i.name).sort();
      expect(names).toEqual(['cache', 'ledger', 'orders-cache', 'shared']);
      const ledger = all.body.items.find(
        (i: { name: string }) => i.name === 'ledger',
      );
      expect(ledger.expiresAt).toBeUndefined();
      expect(ledger.ageSeconds).toBeGreaterThanOrEqual(0);

      const inB = await call('ops', 'get', '/admin/instances?cluster=local-b');
      expect(inB.body.items.map((i: { name: string }) => i.name)).toEqual([
        'ledger',
      ]);
      const mysql = await call('ops', 'get', '/admin/instances?chart=mysql');
      expect(mysql.body.totalCount).toBe(2);
      const owned = await call(
        'ops',
        'get',
        '/admin/instances?owner=group:default/team-payments',
      );
      expect(owned.body.items.map((i: { name: string }) => i.name)).toEqual([
        'shared',
      ]);

      await store.update(instance('cache'), {
        expiresAt: new Date(Date.now() + 3_600_000),
      });
      const soon = await call(
        'ops',
        'get',
        '/admin/instances?expiringWithinHours=24',
      );
      expect(soon.body.items.map((i: { name: string }) => i.name)).toEqual([
        'cache',
      ]);

      const page = await call(
        'ops',
        'get',
        '/admin/instances?limit=3&offset=3',
      );
      expect(page.body.items).toHaveLength(1);
      expect(page.body.totalCount).toBe(4);

      const bad = await call(
        'ops',
        'get',
        '/admin/instances?expiringWithinHours=0',
      );
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('at least 1 hour');

      expect((await call('owner', 'get', '/admin/instances')).status).toBe(403);
      expect((await call('other team', 'get', '/admin/instances')).status).toBe(
        403,
      );
      expect(
        (await call('service token', 'get', '/admin/instances')).status,
      ).toBe(403);
      expect(
        (await call('no identity', 'get', '/admin/instances')).status,
      ).toBe(401);
    });

    it('bulk-extends with a result per instance and one audit event each', async () => {
      const res = await call('ops', 'post', '/admin/instances/extend', {
        instances: [
          { cluster: 'local-a', namespace: 'payments', name: 'cache' },
          { cluster: 'local-b', namespace: 'payments', name: 'ledger' },
          { cluster: 'local-a', namespace: 'payments', name: 'nothing' },
        ],
        days: 5,
      });
      expect(res.status).toBe(200);
      expect(res.body.results.map((r: { ok: boolean }) => r.ok)).toEqual([
        true,
        false,
        false,
      ]);
      expect(res.body.results[1].message).toContain('production');
      expect(res.body.results[2].message).toContain('no longer exists');
      const perInstance = events.filter(
        e => e.eventId === 'app-store-instance-extend',
      );
      expect(perInstance.map(e => [e.meta?.instance, e.outcome])).toEqual([
        ['local-a/payments/cache', 'success'],
        ['local-b/payments/ledger', 'fail'],
        ['local-a/payments/nothing', 'fail'],
      ]);

      const noDays = await call('ops', 'post', '/admin/instances/extend', {
        instances: [
          { cluster: 'local-a', namespace: 'payments', name: 'cache' },
        ],
      });
      expect(noDays.status).toBe(400);
      expect(noDays.body.error.message).toContain('days is required');
    });

    it('bulk-deletes through Helm, keeping each record', async () => {
      const res = await call('ops', 'post', '/admin/instances/delete', {
        instances: [
          { cluster: 'local-a', namespace: 'orders', name: 'orders-cache' },
          { cluster: 'local-a', namespace: 'orders', name: 'gone-already' },
        ],
      });
      expect(res.status).toBe(200);
      expect(res.body.results.map((r: { ok: boolean }) => r.ok)).toEqual([
        true,
        false,
      ]);
      expect(
        await store.get(instance('orders-cache', { namespace: 'orders' })),
      ).toBeUndefined();
      const { items } = await store.list({
        includeDeleted: true,
        owner: 'component:default/orders-api',
      });
      expect(items[0]).toMatchObject({
        deletedReason: 'uninstalled',
        deletedBy: CAROL,
        phase: 'deleted',
      });
      expect(
        events
          .filter(e => e.eventId === 'app-store-instance-uninstall')
          .map(e => e.outcome),
      ).toEqual(['success', 'fail']);
    });
  },
);
