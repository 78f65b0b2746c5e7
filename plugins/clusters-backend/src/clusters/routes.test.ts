import {
  mockCredentials,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { useLocalCloud } from '@internal/local-cloud/testing';
import request from 'supertest';
import {
  ALICE,
  BOB,
  CAROL,
  clusterLocators,
  startClustersBackend,
} from './__testUtils__/startClustersBackend';
import { clusterRouteList } from './routeTable';

jest.setTimeout(180_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});
const lc = useLocalCloud({ namespacePrefix: 'clusters-perm' });

const RUN = '00000000-0000-4000-8000-000000000000';

/** Each route with a request that passes its parsing, so only who asks decides the answer. */
const CALLS: Record<string, { path: string; body?: object }> = {
  'GET /clusters': { path: '/clusters' },
  'GET /clusters/:cluster': { path: '/clusters/local-a' },
  'GET /failover/preview': {
    path: '/failover/preview?source=local-b&target=local-a&services=no-such-service',
  },
  'GET /failover/runs': { path: '/failover/runs' },
  'GET /failover/runs/:id': { path: `/failover/runs/${RUN}` },
  'POST /failover/runs': {
    path: '/failover/runs',
    // names a service local-b does not run: ops get a 400 and nothing moves
    body: {
      source: 'local-b',
      target: 'local-a',
      services: ['no-such-service'],
    },
  },
  'POST /failover/runs/:id/stop': {
    path: `/failover/runs/${RUN}/stop`,
    body: {},
  },
  'POST /failover/runs/:id/resume': {
    path: `/failover/runs/${RUN}/resume`,
    body: {},
  },
};

describe('the clusters routes', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it('has a permission case for every route of the table', () => {
    expect(clusterRouteList().sort()).toEqual(Object.keys(CALLS).sort());
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: Awaited<ReturnType<typeof startClustersBackend>>;

    beforeAll(async () => {
      backend = await startClustersBackend({
        knex: await databases.init(databaseId as TestDatabaseId),
        clusters: clusterLocators(lc.info.clusters),
      });
    });

    afterAll(async () => {
      await backend?.stop();
    });

    function call(route: string, authorization?: string) {
      const { path, body } = CALLS[route];
      const method = route.split(' ')[0].toLowerCase() as 'get' | 'post';
      const req = request(backend.server)[method](`/api/clusters${path}`);
      if (authorization) req.set('Authorization', authorization);
      return body ? req.send(body) : req;
    }

    it.each(Object.keys(CALLS))(
      '%s: only ops pass; owners, other teams, services and strangers are refused',
      async route => {
        const statuses = {
          ops: (await call(route, mockCredentials.user.header(CAROL))).status,
          owner: (await call(route, mockCredentials.user.header(ALICE))).status,
          otherTeam: (await call(route, mockCredentials.user.header(BOB)))
            .status,
          service: (await call(route, mockCredentials.service.header())).status,
          noIdentity: (await call(route)).status,
        };
        const passed = (status: number) =>
          status === 401 || status === 403 ? status : 'passed';
        expect({ ...statuses, ops: passed(statuses.ops) }).toEqual({
          ops: 'passed',
          owner: 403,
          otherTeam: 403,
          service: 403,
          noIdentity: 401,
        });
        const refused = await call(route, mockCredentials.user.header(ALICE));
        expect(refused.body.error.message).toMatch(/only ops admins may/);
      },
    );

    it('answers bad input with a 400 that names the field, and starts nothing', async () => {
      const ops = mockCredentials.user.header(CAROL);
      const cases: Array<[string, 'get' | 'post', object | undefined, RegExp]> =
        [
          ['/clusters/bad%20name', 'get', undefined, /cluster/],
          [
            '/failover/preview?source=nowhere',
            'get',
            undefined,
            /source: no cluster named 'nowhere'/,
          ],
          [
            '/failover/preview?source=local-a&target=local-a',
            'get',
            undefined,
            /target must be another cluster/,
          ],
          [
            '/failover/runs',
            'post',
            { source: 'local-b', target: 'mars' },
            /target: no cluster named 'mars'/,
          ],
          [
            '/failover/runs',
            'post',
            { source: 'local-b', services: [] },
            /services/,
          ],
          ['/failover/runs', 'post', { source: 'local-b', extra: 1 }, /extra/],
          ['/failover/runs/not-a-uuid', 'get', undefined, /run id is a UUID/],
          ['/failover/runs/not-a-uuid/stop', 'post', {}, /run id is a UUID/],
        ];
      for (const [path, method, body, message] of cases) {
        const req = request(backend.server)
          [method](`/api/clusters${path}`)
          .set('Authorization', ops);
        const res = body ? await req.send(body) : await req;
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(res.body.error.message).toMatch(message);
      }
      const runs = await request(backend.server)
        .get('/api/clusters/failover/runs')
        .set('Authorization', ops);
      expect(runs.body.items).toEqual([]);
    });

    it('answers 404 for a run that does not exist and a cluster that is not configured', async () => {
      const ops = mockCredentials.user.header(CAROL);
      const run = await request(backend.server)
        .get(`/api/clusters/failover/runs/${RUN}`)
        .set('Authorization', ops);
      expect(run.status).toBe(404);
      const cluster = await request(backend.server)
        .get('/api/clusters/clusters/mars')
        .set('Authorization', ops);
      expect(cluster.status).toBe(404);
    });
  });
});
