import {
  mockCredentials,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  perPluginTestDatabase,
  RecordedAuditEvent,
  recordingAuditor,
} from '@internal/plugin-container-cloud-node/testing';
import { serviceOperations } from './router';
import { startServicesBackend } from './__testUtils__/startServicesBackend';
import { routeTable } from './__testUtils__/routeTable';

jest.setTimeout(120_000);

/** The auditor's events, kept so tests can see what was recorded. */
const audit: RecordedAuditEvent[] = [];

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

// a valid body for every operation; the test fails when a route is added without one
const VALID_BODIES: Record<string, object> = {
  // a create names what it creates, no version: there is nothing yet
  create: {
    image: 'registry.example.com/payments/api:1.2.3',
    port: 8080,
    replicas: 2,
  },
  // a Deployment write names the version the page loaded
  scale: { resourceVersion: '1', replicas: 2 },
  upgrade: {
    resourceVersion: '1',
    container: 'app',
    image: 'registry.example.com/payments/api:1.2.3',
  },
  restart: { resourceVersion: '1' },
  rollback: { resourceVersion: '1', revision: 1 },
  config: {
    resourceVersion: '1',
    container: 'app',
    env: [{ name: 'LOG_LEVEL', value: 'debug' }],
  },
  sync: {
    resourceVersion: '1',
    from: {
      cluster: 'other',
      namespace: 'payments',
      deployment: 'payments-api',
      resourceVersion: '1',
    },
  },
  'containers/debug': {
    pod: 'payments-api-abc-1',
    container: 'app',
    image: 'busybox:1.36',
    deployment: undefined,
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
/** The target at the version a page loaded: every Deployment write names one. */
const LOADED = { ...TARGET, resourceVersion: '1' };

const SHELL = '00000000-0000-4000-8000-000000000000';
/** A valid body (less its targets) for every operation that runs in every cluster. */
const EVERY_CLUSTER_BODIES: Record<string, object> = {
  scale: VALID_BODIES.scale,
  upgrade: VALID_BODIES.upgrade,
  restart: VALID_BODIES.restart,
  config: VALID_BODIES.config,
};
/**
 * The mutating routes that are not one-cluster operations, each with a valid request and what an
 * allowed caller gets (its target does not exist: the permission check comes first). The test
 * fails when the router has a mutating route that is neither here nor an operation.
 */
const OTHER_MUTATING: Array<{
  route: string;
  method: 'post' | 'delete';
  path: string;
  body?: object;
  allowed: { status: number; body: object };
}> = [
  // one route per operation that runs in every cluster
  ...Object.entries(EVERY_CLUSTER_BODIES).map(([operation, body]) => ({
    route: `POST /services/:namespace/:name/every-cluster/${operation}`,
    method: 'post' as const,
    path: `every-cluster/${operation}`,
    body: { ...body, targets: [LOADED] },
    // every cluster answers on its own: this one does not exist
    allowed: {
      status: 207,
      body: { results: [{ cluster: 'no-such-cluster', ok: false }] },
    },
  })),
  {
    route: 'POST /services/:namespace/:name/shells',
    method: 'post',
    path: 'shells',
    body: {
      cluster: 'no-such-cluster',
      namespace: 'payments',
      pod: 'payments-api-abc-1',
      container: 'app',
      shell: 'sh',
      columns: 80,
      rows: 24,
    },
    allowed: {
      status: 404,
      body: {
        error: {
          message: expect.stringContaining(
            "no cluster named 'no-such-cluster'",
          ),
        },
      },
    },
  },
  {
    route: 'POST /services/:namespace/:name/shells/:id/input',
    method: 'post',
    path: `shells/${SHELL}/input`,
    body: { data: 'ls\n' },
    allowed: {
      status: 404,
      body: {
        error: {
          message: expect.stringContaining(
            `no shell ${SHELL} of yours is open`,
          ),
        },
      },
    },
  },
  {
    route: 'POST /services/:namespace/:name/shells/:id/resize',
    method: 'post',
    path: `shells/${SHELL}/resize`,
    body: { columns: 80, rows: 24 },
    allowed: {
      status: 404,
      body: {
        error: {
          message: expect.stringContaining(
            `no shell ${SHELL} of yours is open`,
          ),
        },
      },
    },
  },
  {
    route: 'DELETE /services/:namespace/:name/shells/:id',
    method: 'delete',
    path: `shells/${SHELL}`,
    allowed: {
      status: 404,
      body: {
        error: {
          message: expect.stringContaining(
            `no shell ${SHELL} of yours is open`,
          ),
        },
      },
    },
  },
];

/** The router's routes as `METHOD /path`, read from express' own route table. */
async function mutatingRoutes(): Promise<string[]> {
  return (await routeTable()).filter(route => !route.startsWith('GET '));
}

/**
 * The GET routes that read inside a container: like every mutating route, users only. Every
 * other GET route is a view services may read too; the test below fails when the route table has
 * a GET route in neither list.
 */
const USER_ONLY_READS = [
  'GET /services/:namespace/:name/containers/file',
  'GET /services/:namespace/:name/shells/:id/output',
];
const VIEWS = [
  'GET /health',
  'GET /services',
  'GET /services/:namespace/:name',
  'GET /services/:namespace/:name/diagnosis',
  'GET /services/:namespace/:name/history',
  'GET /services/:namespace/:name/image-tags',
  'GET /services/:namespace/:name/debug-images',
  'GET /services/:namespace/:name/containers/logs',
  'GET /services/:namespace/:name/containers/logs/follow',
  'GET /services/:namespace/:name/containers/metrics',
  'GET /services/:namespace/:name/events',
];

/** A route of the table as a request URL to payments-api. */
function concrete(route: string): { method: string; url: string } {
  const [method, path] = route.split(' ');
  return {
    method: method.toLowerCase(),
    url: `/api/services${path
      .replace(':namespace', 'default')
      .replace(':name', 'payments-api')
      .replace(':operation', 'scale')
      .replace(':id', SHELL)}`,
  };
}

describe('services backend over HTTP', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it('has a permission case for every mutating route', async () => {
    expect(
      serviceOperations(50)
        .map(op => op.path)
        .sort(),
    ).toEqual(Object.keys(VALID_BODIES).sort());
    expect((await mutatingRoutes()).sort()).toEqual(
      [
        ...serviceOperations(50).map(
          op => `POST /services/:namespace/:name/${op.path}`,
        ),
        ...OTHER_MUTATING.map(r => r.route),
      ].sort(),
    );
  });

  it('says for every GET route whether services may read it', async () => {
    expect(
      (await routeTable()).filter(route => route.startsWith('GET ')).sort(),
    ).toEqual([...USER_ONLY_READS, ...VIEWS].sort());
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: Awaited<ReturnType<typeof startServicesBackend>>;
    let server: typeof backend.server;

    beforeAll(async () => {
      // each plugin its own database, as in production
      const perPluginDatabase = perPluginTestDatabase(
        databases,
        databaseId as TestDatabaseId,
      );
      backend = await startServicesBackend({
        // no clusters: an authorized write gets as far as looking its cluster up
        clusters: [],
        containerCloud: { services: { maxReplicas: 20 } },
        services: [recordingAuditor(audit), perPluginDatabase],
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

    describe.each(OTHER_MUTATING)(
      '$route',
      ({ method, path, body, allowed }) => {
        function send(user: string | undefined) {
          const url = `/api/services/services/default/payments-api/${path}`;
          const req =
            method === 'post'
              ? request(server).post(url)
              : request(server).delete(url);
          if (user) req.set('Authorization', mockCredentials.user.header(user));
          return body ? req.send(body) : req;
        }

        it.each([
          ['the owner team', 'user:default/alice'],
          ['an ops admin', 'user:default/carol'],
        ])('lets %s past the permission check', async (_who, user) => {
          const res = await send(user);
          expect(res.status).toBe(allowed.status);
          expect(res.body).toMatchObject(allowed.body);
        });

        it('refuses another team with 403', async () => {
          const res = await send('user:default/bob');
          expect(res.status).toBe(403);
          expect(res.body.error.message).toContain(
            'only its owners and ops admins',
          );
        });

        it('refuses a request without identity with 401', async () => {
          expect((await send(undefined)).status).toBe(401);
        });
      },
    );

    it('refuses a service token with 403 on every mutating route and every read inside a container', async () => {
      const userOnly = [...(await mutatingRoutes()), ...USER_ONLY_READS];
      expect(userOnly.length).toBeGreaterThan(serviceOperations(20).length);
      const answers = await Promise.all(
        userOnly.map(async route => {
          const { method, url } = concrete(route);
          const res = await (request(server) as any)
            [method](url)
            .set('Authorization', mockCredentials.service.header())
            .send({ ...TARGET });
          return {
            route,
            status: res.status,
            message: res.body.error?.message,
          };
        }),
      );
      expect(answers).toEqual(
        userOnly.map(route => ({
          route,
          status: 403,
          message: expect.stringContaining(
            'only a signed-in person may change workloads or read inside containers',
          ),
        })),
      );
    });

    it('lets a service token read the views', async () => {
      const res = await request(server)
        .get('/api/services/services/default/payments-api')
        .set('Authorization', mockCredentials.service.header());
      expect(res.status).toBe(200);
      expect(res.body.kubernetesId).toBe('payments-api');
    });

    it('audits an every-cluster request that is refused, and one with a bad body', async () => {
      audit.length = 0;
      const url =
        '/api/services/services/default/payments-api/every-cluster/scale';
      const refused = await request(server)
        .post(url)
        .set('Authorization', mockCredentials.user.header('user:default/bob'))
        .send({ replicas: 2, targets: [TARGET] });
      expect(refused.status).toBe(403);
      const invalid = await request(server)
        .post(url)
        .set('Authorization', mockCredentials.user.header('user:default/alice'))
        .send({ replicas: -1, targets: [TARGET] });
      expect(invalid.status).toBe(400);
      expect(audit.filter(e => e.eventId === 'service-every-cluster')).toEqual([
        expect.objectContaining({ outcome: 'fail' }),
        expect.objectContaining({ outcome: 'fail' }),
      ]);
      // neither reached a cluster
      expect(audit.filter(e => e.eventId === 'service-scale')).toEqual([]);
    });

    it('audits an every-cluster request with its outcome, after the clusters answered', async () => {
      audit.length = 0;
      const res = await request(server)
        .post(
          '/api/services/services/default/payments-api/every-cluster/restart',
        )
        .set('Authorization', mockCredentials.user.header('user:default/alice'))
        .send({ targets: [LOADED] });
      expect(res.status).toBe(207);
      const events = audit.filter(e => e.eventId !== 'entity-fetch');
      expect(events).toEqual([
        expect.objectContaining({
          eventId: 'service-restart',
          outcome: 'fail',
        }),
        expect.objectContaining({
          eventId: 'service-every-cluster',
          outcome: 'fail',
          meta: expect.objectContaining({
            error: 'failed in 1 of 1 clusters: no-such-cluster',
            clusters: [{ cluster: 'no-such-cluster', ok: false }],
          }),
        }),
      ]);
    });

    it('keeps env values out of the audit log, names in', async () => {
      audit.length = 0;
      const env = [{ name: 'DB_PASSWORD', value: 'hunter2-secret' }];
      await post('config', 'user:default/alice', {
        ...LOADED,
        container: 'app',
        env,
      });
      await post('config', 'user:default/bob', {
        ...LOADED,
        container: 'app',
        env,
      });
      await post('every-cluster/config', 'user:default/alice', {
        container: 'app',
        env,
        targets: [LOADED],
      });
      const events = audit.filter(e => e.eventId !== 'entity-fetch');
      expect(events.map(e => e.eventId)).toEqual([
        'service-config-edit',
        'service-config-edit',
        'service-config-edit',
        'service-every-cluster',
      ]);
      expect(JSON.stringify(events)).not.toContain('hunter2-secret');
      for (const event of events) {
        expect(event.meta?.request).toMatchObject({
          env: [{ name: 'DB_PASSWORD', value: '<redacted>' }],
        });
      }
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

    it('answers 404 in words for an operation that does not run in every cluster', async () => {
      const res = await post('every-cluster/rollback', 'user:default/alice', {
        revision: 1,
        targets: [TARGET],
      });
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(
        "no operation 'rollback' runs in every cluster; these do: scale, upgrade, restart, config",
      );
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

    describe.each([
      ['containers/logs', { pod: 'payments-api-abc-1', tailLines: 10 }],
      ['containers/logs/follow', { pod: 'payments-api-abc-1' }],
      ['events', { deployment: 'payments-api' }],
    ])('GET %s', (path, query) => {
      const url = `/api/services/services/default/payments-api/${path}`;
      const params = {
        cluster: 'no-such-cluster',
        namespace: 'payments',
        ...query,
      };

      it('lets anyone signed in read, as far as the cluster', async () => {
        audit.length = 0;
        const res = await request(server)
          .get(url)
          .query(params)
          .set(
            'Authorization',
            mockCredentials.user.header('user:default/bob'),
          );
        expect(res.status).toBe(404);
        expect(res.body.error.message).toContain(
          "no cluster named 'no-such-cluster'",
        );
        // reading logs is recorded (here as failed); events are not
        const expected = path.startsWith('containers/logs')
          ? [{ eventId: 'container-logs-read', outcome: 'fail' }]
          : [];
        expect(
          audit
            .filter(e => e.eventId !== 'entity-fetch')
            .map(({ eventId, outcome }) => ({ eventId, outcome })),
        ).toEqual(expected);
      });

      it('refuses a request without identity with 401', async () => {
        const res = await request(server).get(url).query(params);
        expect(res.status).toBe(401);
      });
    });

    it('answers 503 in words for metrics when no Prometheus is configured, 401 without identity', async () => {
      const url =
        '/api/services/services/default/payments-api/containers/metrics';
      const params = {
        cluster: 'no-such-cluster',
        namespace: 'payments',
        pod: 'payments-api-abc-1',
      };
      const res = await request(server)
        .get(url)
        .query(params)
        .set('Authorization', mockCredentials.user.header('user:default/bob'));
      expect(res.status).toBe(503);
      expect(res.body.error.message).toContain(
        'no Prometheus is configured for container metrics (containerCloud.prometheus.url)',
      );
      expect((await request(server).get(url).query(params)).status).toBe(401);
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

    it.each(['scale', 'upgrade', 'restart', 'rollback', 'config', 'sync'])(
      'answers 400 naming resourceVersion to a %s without the version the page loaded',
      async path => {
        const { resourceVersion, ...unversioned } = VALID_BODIES[path] as {
          resourceVersion?: string;
        };
        expect(resourceVersion).toBe('1');
        const res = await post(path, 'user:default/alice', {
          ...TARGET,
          ...unversioned,
        });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain('resourceVersion is required');
      },
    );

    it('answers 400 naming the cluster to an every-cluster target without the version the page loaded', async () => {
      const res = await post('every-cluster/restart', 'user:default/alice', {
        targets: [LOADED, { ...TARGET, cluster: 'elsewhere' }],
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('cluster elsewhere:');
      expect(res.body.error.message).toContain('resourceVersion is required');
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
