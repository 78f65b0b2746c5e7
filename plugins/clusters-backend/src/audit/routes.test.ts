import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { AuditStore } from './AuditStore';
import { auditRouteTable } from './routes';
import { auditFeatures } from './__testUtils__/auditFeatures';
import { startClustersBackend } from '../clusters/__testUtils__/startClustersBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const ALICE = mockCredentials.user.header('user:default/alice'); // team-payments
const BOB = mockCredentials.user.header('user:default/bob'); // team-orders
const CAROL = mockCredentials.user.header('user:default/carol'); // ops admin
const SERVICE = mockCredentials.service.header();

const TRAIL = '/api/clusters/audit/entities/component/default/payments-api';

/**
 * Who may call each route of the table: the whole log and its facets are ops', an entity's trail
 * is its owners' and ops'; no identity is a 401, a service token a 403 (people answer "who did
 * this").
 */
const MATRIX: Record<string, Record<string, number>> = {
  'GET /audit/events': {
    owner: 403,
    other: 403,
    ops: 200,
    none: 401,
    service: 403,
  },
  'GET /audit/facets': {
    owner: 403,
    other: 403,
    ops: 200,
    none: 401,
    service: 403,
  },
  'GET /audit/entities/:kind/:namespace/:name': {
    owner: 200,
    other: 403,
    ops: 200,
    none: 401,
    service: 403,
  },
};
const URLS: Record<string, string> = {
  'GET /audit/events': '/api/clusters/audit/events',
  'GET /audit/facets': '/api/clusters/audit/facets',
  'GET /audit/entities/:kind/:namespace/:name': TRAIL,
};
const CALLERS: Record<string, string | undefined> = {
  owner: ALICE,
  other: BOB,
  ops: CAROL,
  none: undefined,
  service: SERVICE,
};

describe('the audit routes', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it('has a row of the permission matrix for every route of the table, and no more', () => {
    const table = auditRouteTable({} as AuditStore).map(
      route => `${route.method.toUpperCase()} ${route.path}`,
    );
    expect(Object.keys(MATRIX).sort()).toEqual([...table].sort());
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: Awaited<ReturnType<typeof startClustersBackend>>;

    async function act(as: string, body: object) {
      await request(backend.server)
        .post('/api/services/act')
        .set('Authorization', as)
        .send(body)
        .expect(200);
    }

    /** The whole log as ops see it, once it holds `count` events (the bus delivers as it goes). */
    async function logOf(count: number, query = '') {
      for (let attempt = 0; attempt < 100; attempt++) {
        const res = await request(backend.server)
          .get(`/api/clusters/audit/events${query}`)
          .set('Authorization', CAROL);
        expect(res.status).toBe(200);
        if (res.body.items.length >= count) return res.body;
        await new Promise(resolve => setTimeout(resolve, 50));
      }
      throw new Error(`the audit log never held ${count} events`);
    }

    beforeAll(async () => {
      const knex = await databases.init(databaseId as TestDatabaseId);
      await knex.migrate.latest({
        directory: resolvePackagePath(
          '@internal/plugin-clusters-backend',
          'migrations',
        ),
      });
      backend = await startClustersBackend({ knex, features: auditFeatures() });
      await act(ALICE, {
        entityRef: 'component:default/payments-api',
        cluster: 'local-a',
        namespace: 'payments',
        replicas: 3,
        token: 'do-not-store-me',
      });
      await act(BOB, {
        entityRef: 'component:default/payments-api',
        fail: true,
      });
      await act(BOB, {
        entityRef: 'component:default/orders-api',
        eventId: 'service-restart',
      });
      await logOf(3);
    });

    afterAll(async () => {
      await backend?.stop();
    });

    it.each(Object.entries(MATRIX))(
      '%s answers each caller as the matrix says',
      async (routeKey, expected) => {
        const answers: Record<string, [number, string | undefined]> = {};
        for (const caller of Object.keys(expected)) {
          const req = request(backend.server).get(URLS[routeKey]);
          if (CALLERS[caller]) req.set('Authorization', CALLERS[caller]!);
          const res = await req;
          answers[caller] = [res.status, res.body?.error?.message];
        }
        for (const [caller, status] of Object.entries(expected)) {
          expect({ caller, status: answers[caller][0] }).toEqual({
            caller,
            status,
          });
        }
        expect(answers.other[1]).toMatch(/may not/);
        expect(answers.service[1]).toMatch(/does not allow 'service'/);
      },
    );

    it('stores what the other plugin audited: actor, entity, cluster, outcome, no secrets', async () => {
      const page = await logOf(3);
      expect(
        page.items.map((e: any) => [e.actor, e.eventId, e.outcome]),
      ).toEqual([
        ['user:default/bob', 'service-restart', 'succeeded'],
        ['user:default/bob', 'service-scale', 'failed'],
        ['user:default/alice', 'service-scale', 'succeeded'],
      ]);
      expect(page.items[2]).toMatchObject({
        plugin: 'services',
        entityRef: 'component:default/payments-api',
        cluster: 'local-a',
        namespace: 'payments',
        method: 'POST',
        path: '/api/services/act',
      });
      expect(page.items[1].error).toBe('refused');
      expect(JSON.stringify(page)).not.toContain('do-not-store-me');
    });

    it('searches by actor, action, outcome, plugin, entity and time, a page at a time', async () => {
      expect((await logOf(1, '?actor=user:default/alice')).items).toHaveLength(
        1,
      );
      expect((await logOf(2, '?outcome=succeeded')).items).toHaveLength(2);
      expect(
        (await logOf(1, '?eventId=service-restart&plugin=services')).items,
      ).toHaveLength(1);
      expect(
        (await logOf(1, '?entityRef=component:default/orders-api')).items,
      ).toHaveLength(1);
      const first = await logOf(2, '?limit=2');
      expect(first.items).toHaveLength(2);
      const second = await logOf(1, `?limit=2&cursor=${first.nextCursor}`);
      expect(second.items.map((e: any) => e.id)).toEqual([
        String(Number(first.items[1].id) - 1),
      ]);
      expect(second.nextCursor).toBeUndefined();
      const res = await request(backend.server)
        .get(
          '/api/clusters/audit/events?from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z',
        )
        .set('Authorization', CAROL);
      expect(res.body.items).toEqual([]);
      const facets = await request(backend.server)
        .get('/api/clusters/audit/facets')
        .set('Authorization', CAROL);
      expect(facets.body).toEqual({
        plugins: ['services'],
        eventIds: ['service-restart', 'service-scale'],
      });
    });

    it("shows an entity's owners its trail, and only its own", async () => {
      const res = await request(backend.server)
        .get(TRAIL)
        .set('Authorization', ALICE);
      expect(res.status).toBe(200);
      expect(res.body.items.map((e: any) => e.entityRef)).toEqual([
        'component:default/payments-api',
        'component:default/payments-api',
      ]);
      const missing = await request(backend.server)
        .get('/api/clusters/audit/entities/component/default/nothing-here')
        .set('Authorization', CAROL);
      expect(missing.status).toBe(404);
    });

    it.each([
      ['?from=yesterday', 'from'],
      ['?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'to'],
      ['?limit=0', 'limit'],
      ['?limit=many', 'limit'],
      ['?outcome=maybe', 'outcome'],
      ['?cursor=abc', 'cursor'],
      ['?entityRef=payments-api', 'entityRef'],
      ['?actor=a%20b', 'actor'],
      ['?colour=red', 'colour'],
    ])(
      'answers a bad filter (%s) with a 400 naming %s',
      async (query, field) => {
        const res = await request(backend.server)
          .get(`/api/clusters/audit/events${query}`)
          .set('Authorization', CAROL);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain(field);
        const trail = await request(backend.server)
          .get(`${TRAIL}${query}`)
          .set('Authorization', ALICE);
        // the trail takes fewer filters: entityRef and actor are unknown fields there
        expect(trail.status).toBe(400);
      },
    );
  });
});
