import {
  mockCredentials,
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  AuditorService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import request from 'supertest';
import { serviceOperations } from './router';
import { startServicesBackend } from './__testUtils__/startServicesBackend';

jest.setTimeout(120_000);

/** The auditor's events, kept so tests can see what was recorded. */
const audit: Array<{ eventId: string; outcome: string; meta?: object }> = [];
const recordingAuditor = createServiceFactory({
  service: coreServices.auditor,
  deps: {},
  factory: (): AuditorService => ({
    async createEvent({ eventId, meta }) {
      return {
        async success(o) {
          audit.push({
            eventId,
            outcome: 'success',
            meta: { ...meta, ...o?.meta },
          });
        },
        async fail(o) {
          audit.push({
            eventId,
            outcome: 'fail',
            meta: { ...meta, error: o.error.message },
          });
        },
      };
    },
  }),
});

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

// a valid body for every operation; the test fails when a route is added without one
const VALID_BODIES: Record<string, object> = {
  scale: { replicas: 2 },
  upgrade: {
    container: 'app',
    image: 'registry.example.com/payments/api:1.2.3',
  },
  restart: {},
  rollback: { revision: 1 },
  config: { container: 'app', env: [{ name: 'LOG_LEVEL', value: 'debug' }] },
  sync: {
    from: {
      cluster: 'other',
      namespace: 'payments',
      deployment: 'payments-api',
    },
  },
  'containers/destroy': { pod: 'payments-api-abc-1', deployment: undefined },
  'containers/remove-from-lb': {
    pod: 'payments-api-abc-1',
    deployment: undefined,
  },
};
const TARGET = {
  cluster: 'no-such-cluster',
  namespace: 'payments',
  deployment: 'payments-api',
};

describe('services backend over HTTP', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it('has a permission case for every mutating route', () => {
    expect(
      serviceOperations(50)
        .map(op => op.path)
        .sort(),
    ).toEqual(Object.keys(VALID_BODIES).sort());
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: Awaited<ReturnType<typeof startServicesBackend>>;
    let server: typeof backend.server;

    beforeAll(async () => {
      // each plugin its own database, as in production
      const perPluginDatabase = createServiceFactory({
        service: coreServices.database,
        deps: {},
        factory: async () =>
          mockServices.database({
            knex: await databases.init(databaseId as TestDatabaseId),
          }),
      });
      backend = await startServicesBackend({
        // no clusters: an authorized write gets as far as looking its cluster up
        clusters: [],
        containerCloud: { services: { maxReplicas: 20 } },
        services: [recordingAuditor, perPluginDatabase],
      });
      server = backend.server;
    });

    afterAll(() => backend?.stop());

    function post(path: string, user: string | undefined, body: object) {
      const req = request(server).post(
        `/api/services/services/default/payments-api/${path}`,
      );
      if (user) req.set('Authorization', mockCredentials.user.header(user));
      return req.send(body);
    }

    describe.each(serviceOperations(20).map(op => op.path))('POST %s', path => {
      const body = JSON.parse(
        JSON.stringify({ ...TARGET, ...VALID_BODIES[path] }),
      );

      it.each([
        ['the owner team', 'user:default/alice'],
        ['an ops admin', 'user:default/carol'],
      ])('lets %s through to the cluster', async (_who, user) => {
        const res = await post(path, user, body);
        // authorized and valid: it fails only because the cluster does not exist
        expect(res.status).toBe(404);
        expect(res.body.error.message).toContain(
          "no cluster named 'no-such-cluster'",
        );
      });

      it('refuses another team with 403 and audits the refusal', async () => {
        audit.length = 0;
        const res = await post(path, 'user:default/bob', body);
        expect(res.status).toBe(403);
        expect(res.body.error.message).toContain(
          'only its owners and ops admins',
        );
        expect(audit.filter(e => e.eventId !== 'entity-fetch')).toEqual([
          expect.objectContaining({
            eventId: serviceOperations(20).find(op => op.path === path)!
              .eventId,
            outcome: 'fail',
          }),
        ]);
      });

      it('refuses a request without identity with 401', async () => {
        const res = await post(path, undefined, body);
        expect(res.status).toBe(401);
      });
    });

    it('reads a service for anyone signed in, with every cluster (none here)', async () => {
      const res = await request(server)
        .get('/api/services/services/default/payments-api')
        .set('Authorization', mockCredentials.user.header('user:default/bob'));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        entityRef: 'component:default/payments-api',
        kubernetesId: 'payments-api',
        clusters: [],
      });
    });

    it('answers 404 for a service not in the catalog', async () => {
      const res = await request(server)
        .get('/api/services/services/default/nope')
        .set(
          'Authorization',
          mockCredentials.user.header('user:default/alice'),
        );
      expect(res.status).toBe(404);
    });

    it.each([
      ['scale', { replicas: -1 }, 'replicas cannot be below 0'],
      ['scale', { replicas: 21 }, 'replicas cannot be above 20'],
      ['scale', { replicas: 1.5 }, 'replicas must be a whole number'],
      ['scale', {}, 'replicas is required'],
      [
        'upgrade',
        { container: 'app', image: 'UPPER/case:1' },
        'not a valid image reference',
      ],
      [
        'upgrade',
        { container: 'app', image: 'nginx:1; rm -rf /' },
        'not a valid image reference',
      ],
      ['rollback', { revision: 0 }, 'revisions start at 1'],
      [
        'config',
        { container: 'app', env: [{ name: '1BAD', value: 'x' }] },
        'env var name starts with',
      ],
      [
        'config',
        {
          container: 'app',
          env: [
            { name: 'A', value: 'x' },
            { name: 'A', value: 'y' },
          ],
        },
        'env var names must be unique',
      ],
      [
        'config',
        { container: 'app', livenessProbe: { path: '/health', port: 70000 } },
        'a probe port is 1 to 65535',
      ],
      [
        'config',
        { container: 'app', livenessProbe: { path: 'health z', port: 80 } },
        'a probe path starts with /',
      ],
      [
        'config',
        { container: 'app', resources: { limits: { memory: '1 GB' } } },
        'limits.memory is a Kubernetes quantity',
      ],
      [
        'config',
        { container: 'app', terminationGracePeriodSeconds: -1 },
        'terminationGracePeriodSeconds cannot be below 0',
      ],
      [
        'config',
        {
          container: 'app',
          rollingUpdate: { maxSurge: '150%', maxUnavailable: 0 },
        },
        'a count or a percentage',
      ],
      ['restart', { extra: 1 }, 'unknown field(s): extra'],
    ])('answers 400 to a bad %s body %j', async (path, extra, message) => {
      const res = await post(path, 'user:default/alice', {
        ...TARGET,
        ...extra,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(message);
    });

    it('answers 400 to a bad namespace', async () => {
      const res = await post('restart', 'user:default/alice', {
        ...TARGET,
        namespace: 'Payments_Prod',
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('namespace');
    });
  });
});
