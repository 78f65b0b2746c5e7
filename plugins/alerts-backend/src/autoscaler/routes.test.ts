import {
  mockCredentials,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  RecordedAuditEvent,
  recordingAuditor,
} from '@internal/plugin-container-cloud-node/testing';
import request from 'supertest';
import { autoscalingRouteTable, AutoscalingRouteOptions } from './routes';
import { startAutoscalingBackend } from './__testUtils__/startAutoscalingBackend';

jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const ALICE = 'user:default/alice'; // team-payments, the owners
const BOB = 'user:default/bob'; // team-orders
const CAROL = 'user:default/carol'; // ops admin
const PATH = '/api/alerts/autoscaling/default/payments-api';

/** Every mutating route of the table, with a body that passes the permission check. */
function mutatingRoutes() {
  // nothing is called while the table is declared: stand-ins are enough to list it
  return autoscalingRouteTable({} as AutoscalingRouteOptions)
    .filter(r => r.method !== 'get')
    .map(r => `${r.method.toUpperCase()} ${r.path}`);
}

const settings = {
  enabled: false,
  deployment: 'payments-api',
  metric: 'cpu',
  target: 50,
  minReplicas: 2,
  maxReplicas: 10,
};

describe('autoscaling routes', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it('has a permission case for every mutating route', () => {
    expect(mutatingRoutes()).toEqual(['PUT /autoscaling/:namespace/:name']);
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: Awaited<ReturnType<typeof startAutoscalingBackend>>;
    const audit: RecordedAuditEvent[] = [];
    const events = () => audit.filter(e => e.eventId !== 'entity-fetch');

    beforeAll(async () => {
      backend = await startAutoscalingBackend({
        clusters: [],
        knex: await databases.init(databaseId as TestDatabaseId),
        services: [recordingAuditor(audit)],
      });
    });
    afterAll(() => backend?.stop());
    beforeEach(() => {
      audit.length = 0;
    });

    function put(
      auth: string | undefined,
      body: object,
      path = PATH,
    ): request.Test {
      const req = request(backend.server).put(path);
      if (auth) req.set('Authorization', auth);
      return req.send(body);
    }
    const user = (ref: string) => mockCredentials.user.header(ref);

    it('schedules the loop under the scheduler', () => {
      expect(backend.scheduler.scheduled()).toContain('alerts-autoscaler');
    });

    it('shows no settings and no decisions before any save', async () => {
      const res = await request(backend.server)
        .get(PATH)
        .set('Authorization', user(BOB));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        entityRef: 'component:default/payments-api',
        settings: null,
        decisions: [],
        deployments: [],
        intervalSeconds: 30,
        split: 'share',
      });
    });

    describe('the permission matrix of PUT /autoscaling/:namespace/:name', () => {
      let version = 0;
      it.each([
        ['the owner team', ALICE],
        ['an ops admin', CAROL],
      ])('lets %s save, audited with who saved', async (_who, ref) => {
        const res = await put(user(ref), { ...settings, version });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          ...settings,
          version: version + 1,
          updatedBy: ref,
        });
        version = res.body.version;
        expect(events()).toEqual([
          expect.objectContaining({
            eventId: 'autoscaling-settings-save',
            outcome: 'success',
            meta: expect.objectContaining({
              entityRef: 'component:default/payments-api',
              result: { version, enabled: false },
            }),
          }),
        ]);
      });

      it('refuses another team with 403 in words, audits the refusal, changes nothing', async () => {
        const res = await put(user(BOB), { ...settings, target: 90, version });
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          'you may not edit the autoscaling of component:default/payments-api: only its owners and ops admins may',
        );
        expect(events()).toEqual([
          expect.objectContaining({
            eventId: 'autoscaling-settings-save',
            outcome: 'fail',
          }),
        ]);
        const view = await request(backend.server)
          .get(PATH)
          .set('Authorization', user(ALICE));
        expect(view.body.settings).toMatchObject({ target: 50, version });
      });

      it('refuses a request without identity with 401', async () => {
        expect((await put(undefined, { ...settings, version })).status).toBe(
          401,
        );
      });

      it('refuses a service token with 403', async () => {
        const res = await put(mockCredentials.service.header(), {
          ...settings,
          version,
        });
        expect(res.status).toBe(403);
      });
    });

    it('answers 409 with the saved settings to a stale version, and saves nothing', async () => {
      const current = (
        await request(backend.server)
          .get(PATH)
          .set('Authorization', user(ALICE))
      ).body.settings;
      const res = await put(user(ALICE), {
        ...settings,
        target: 75,
        version: current.version - 1,
      });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain('changed since you loaded them');
      expect(res.body.current).toEqual(current);
      expect(events()).toEqual([
        expect.objectContaining({
          eventId: 'autoscaling-settings-save',
          outcome: 'fail',
        }),
      ]);
    });

    it.each([
      [{ target: 'fifty' }, 'target: the target is a number'],
      [{ target: 0 }, 'the target is at least 1'],
      [
        { target: 5000 },
        'target: the target is at most 1000 (percent of the request)',
      ],
      [
        { metric: 'network_receive_bytes', target: 1e13 },
        'target is at most 1e12',
      ],
      [
        { minReplicas: 5, maxReplicas: 3 },
        'maxReplicas is at least minReplicas',
      ],
      [{ minReplicas: 1.5 }, 'minReplicas is a whole number of replicas'],
      [{ maxReplicas: 100000 }, 'maxReplicas is at most 500'],
      [
        { metric: 'rate(x[5m])' },
        'the metric is one of cpu, memory, network_receive_bytes, network_transmit_bytes',
      ],
      [{ deployment: 'a"}\n' }, 'a Deployment name is lower-case letters'],
      [{ enabled: 'yes' }, 'enabled is true or false'],
      [{ version: -1 }, 'version is 0 for new settings'],
      [{ extra: 1 }, 'extra'],
    ])(
      'answers 400 naming the field to %j, and saves nothing',
      async (change, message) => {
        const before = (
          await request(backend.server)
            .get(PATH)
            .set('Authorization', user(ALICE))
        ).body.settings;
        const res = await put(user(ALICE), {
          ...settings,
          version: before.version,
          ...change,
        });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain(message);
        const after = (
          await request(backend.server)
            .get(PATH)
            .set('Authorization', user(ALICE))
        ).body.settings;
        expect(after).toEqual(before);
      },
    );

    it('refuses to turn autoscaling on for a Deployment the service does not have, naming the field', async () => {
      const { version } = (
        await request(backend.server)
          .get(PATH)
          .set('Authorization', user(ALICE))
      ).body.settings;
      const res = await put(user(ALICE), {
        ...settings,
        enabled: true,
        version,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        "invalid autoscaling settings: deployment: component:default/payments-api has no Deployment 'payments-api' in any cluster it may run in",
      );
    });

    it('answers 404 for a service not in the catalog, 400 for a bad name', async () => {
      const missing = await put(
        user(CAROL),
        { ...settings, version: 0 },
        '/api/alerts/autoscaling/default/nobody',
      );
      expect(missing.status).toBe(404);
      const bad = await request(backend.server)
        .get('/api/alerts/autoscaling/default/a%20b')
        .set('Authorization', user(ALICE));
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('name is a catalog name');
    });
  });
});
