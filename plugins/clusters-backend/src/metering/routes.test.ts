import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { auditFeatures } from '../audit/__testUtils__/auditFeatures';
import { startClustersBackend } from '../clusters/__testUtils__/startClustersBackend';
import { MeteringStore, ServiceSample } from './MeteringStore';
import { meteringRouteTable, MeteringRouteOptions } from './routes';

jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const ALICE = mockCredentials.user.header('user:default/alice'); // team-payments
const BOB = mockCredentials.user.header('user:default/bob'); // team-orders
const CAROL = mockCredentials.user.header('user:default/carol'); // ops admin
const SERVICE = mockCredentials.service.header();

const NOW = Date.now();
const RANGE = `from=${new Date(NOW - 3_600_000).toISOString()}&to=${new Date(
  NOW + 60_000,
).toISOString()}`;

/** Who may read what: team-payments' numbers are alice's (a member) and carol's (ops). */
const MATRIX: Record<
  string,
  { url: string; expected: Record<string, number> }
> = {
  'GET /metering/summary': {
    url: `/api/clusters/metering/summary?${RANGE}`,
    expected: { owner: 403, other: 403, ops: 200, none: 401, service: 403 },
  },
  'GET /metering/teams/:namespace/:name': {
    url: `/api/clusters/metering/teams/default/team-payments?${RANGE}`,
    expected: { owner: 200, other: 403, ops: 200, none: 401, service: 403 },
  },
  'GET /metering/services/:namespace/:name': {
    url: `/api/clusters/metering/services/default/payments-api?${RANGE}`,
    expected: { owner: 200, other: 403, ops: 200, none: 401, service: 403 },
  },
  'GET /metering/export.csv': {
    url: `/api/clusters/metering/export.csv?${RANGE}&team=group:default/team-payments`,
    expected: { owner: 200, other: 403, ops: 200, none: 401, service: 403 },
  },
};
const CALLERS: Record<string, string | undefined> = {
  owner: ALICE,
  other: BOB,
  ops: CAROL,
  none: undefined,
  service: SERVICE,
};

function sample(name: string, team: string, cpuUsed: number): ServiceSample {
  return {
    entityRef: `component:default/${name}`,
    kubernetesId: name,
    team,
    cpuRequested: 2,
    cpuUsed,
    memoryRequested: 2 ** 31,
    memoryUsed: 2 ** 29,
    replicas: 2,
  };
}

describe('the metering routes', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it('has a row of the permission matrix for every route of the table, and no more', () => {
    const table = meteringRouteTable({} as MeteringRouteOptions).map(
      route => `${route.method.toUpperCase()} ${route.path}`,
    );
    expect(Object.keys(MATRIX).sort()).toEqual([...table].sort());
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: Awaited<ReturnType<typeof startClustersBackend>>;

    beforeAll(async () => {
      const knex = await databases.init(databaseId as TestDatabaseId);
      await knex.migrate.latest({
        directory: resolvePackagePath(
          '@internal/plugin-clusters-backend',
          'migrations',
        ),
      });
      const store = new MeteringStore(knex);
      for (const minutes of [10, 5]) {
        await store.write('sample', NOW - minutes * 60_000, [
          sample('payments-api', 'group:default/team-payments', 0.25),
          sample('orders-api', 'group:default/team-orders', 1.75),
        ]);
      }
      backend = await startClustersBackend({ knex, features: auditFeatures() });
    });

    afterAll(async () => {
      await backend?.stop();
    });

    it.each(Object.entries(MATRIX))(
      '%s answers each caller as the matrix says',
      async (_key, { url, expected }) => {
        const answers: Record<string, number> = {};
        for (const caller of Object.keys(expected)) {
          const req = request(backend.server).get(url);
          if (CALLERS[caller]) req.set('Authorization', CALLERS[caller]!);
          answers[caller] = (await req).status;
        }
        expect(answers).toEqual(expected);
      },
    );

    it("gives ops every team's averages and the top wasters, most waste first", async () => {
      const res = await request(backend.server)
        .get(`/api/clusters/metering/summary?${RANGE}`)
        .set('Authorization', CAROL);
      expect(res.status).toBe(200);
      expect(
        res.body.teams.map((t: any) => [t.team, t.services, t.cpuUsed]),
      ).toEqual([
        ['group:default/team-orders', 1, 1.75],
        ['group:default/team-payments', 1, 0.25],
      ]);
      expect(
        res.body.wasters.map((w: any) => [w.entityRef, w.cpuWaste]),
      ).toEqual([
        ['component:default/payments-api', 1.75],
        ['component:default/orders-api', 0.25],
      ]);
      expect(res.body.lastSample).toBe(new Date(NOW - 300_000).toISOString());
    });

    it("gives a team member the team's series, and a service's", async () => {
      const team = await request(backend.server)
        .get(`/api/clusters/metering/teams/default/team-payments?${RANGE}`)
        .set('Authorization', ALICE);
      expect(team.body.resolution).toBe('sample');
      expect(team.body.points).toHaveLength(2);
      expect(team.body.services.map((s: any) => s.entityRef)).toEqual([
        'component:default/payments-api',
      ]);
      const service = await request(backend.server)
        .get(`/api/clusters/metering/services/default/payments-api?${RANGE}`)
        .set('Authorization', ALICE);
      expect(service.body.points.map((p: any) => p.cpuUsed)).toEqual([
        0.25, 0.25,
      ]);
    });

    it('exports CSV: a team for its members, everything for ops only', async () => {
      const csv = await request(backend.server)
        .get(
          `/api/clusters/metering/export.csv?${RANGE}&team=group:default/team-payments`,
        )
        .set('Authorization', ALICE);
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      const lines = csv.text.trim().split('\n');
      expect(lines[0]).toMatch(/^interval_start,team,entity_ref/);
      expect(lines).toHaveLength(3);
      expect(lines[1]).toContain('"component:default/payments-api"');
      const everything = await request(backend.server)
        .get(`/api/clusters/metering/export.csv?${RANGE}`)
        .set('Authorization', ALICE);
      expect(everything.status).toBe(403);
      const ops = await request(backend.server)
        .get(`/api/clusters/metering/export.csv?${RANGE}`)
        .set('Authorization', CAROL);
      expect(ops.text.trim().split('\n')).toHaveLength(5);
    });

    it.each([
      ['summary?from=soon', 'from'],
      ['summary?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z', 'to'],
      ['summary?from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from'],
      ['summary?from=2020-01-01T00:00:00Z', 'from'],
      ['summary?from=2999-01-01T00:00:00Z', 'to'],
      ['export.csv?from=2020-01-01T00:00:00Z', 'from'],
      ['summary?colour=red', 'colour'],
      ['teams/default/team%20payments', 'name'],
      ['export.csv?team=team-payments', 'team'],
    ])(
      'answers a bad request (%s) with a 400 naming %s',
      async (path, field) => {
        const res = await request(backend.server)
          .get(`/api/clusters/metering/${path}`)
          .set('Authorization', CAROL);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain(field);
      },
    );
  });
});
