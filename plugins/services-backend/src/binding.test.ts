import {
  mockCredentials,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import {
  perPluginTestDatabase,
  RecordedAuditEvent,
  recordingAuditor,
  serviceEntity,
  waitForEntity,
} from '@internal/plugin-container-cloud-node/testing';
import { serviceOperations } from './router';
import { routeTable } from './__testUtils__/routeTable';
import { startServicesBackend } from './__testUtils__/startServicesBackend';

jest.setTimeout(180_000);

// #11: anyone may register catalog entities, so an entity's claim on a kubernetes id is worth
// only what its origin is worth. Impostors of payments-api (team-payments) are registered by
// bob's team (team-orders) and bob tries every route that names a workload.

const TRUSTED = 'url:http://fixtures/catalog.yaml';
const ALICE = 'user:default/alice'; // team-payments
const BOB = 'user:default/bob'; // team-orders

function component(
  namespace: string,
  name: string,
  owner: string,
  annotations: Record<string, string | undefined>,
): Entity {
  const entity = serviceEntity(name, owner);
  const merged = { ...entity.metadata.annotations, ...annotations };
  for (const key of Object.keys(merged)) {
    if (merged[key] === undefined) delete merged[key];
  }
  return {
    ...entity,
    metadata: {
      ...entity.metadata,
      namespace,
      annotations: merged as Record<string, string>,
    },
  };
}

const UNTRUSTED_ORIGIN = {
  'backstage.io/managed-by-location':
    'url:https://github.com/bob/x/catalog-info.yaml',
  'backstage.io/managed-by-origin-location':
    'url:https://github.com/bob/x/catalog-info.yaml',
};

/** The impostors: each claims payments-api's kubernetes id and is owned by bob's team. */
const IMPOSTORS: Array<[string, Entity]> = [
  [
    'the same name in another catalog namespace',
    component('attackers', 'payments-api', 'group:default/team-orders', {
      ...UNTRUSTED_ORIGIN,
      // no annotation: the name is the id
      'backstage.io/kubernetes-id': undefined,
    }),
  ],
  [
    "the victim's id as annotation",
    component('default', 'bobs-tool', 'group:default/team-orders', {
      ...UNTRUSTED_ORIGIN,
      'backstage.io/kubernetes-id': 'payments-api',
    }),
  ],
  [
    'an id override from a look-alike of a trusted location',
    component('default', 'bobs-override', 'group:default/team-orders', {
      'backstage.io/managed-by-location': `${TRUSTED}.evil`,
      'backstage.io/managed-by-origin-location': `${TRUSTED}.evil`,
      'backstage.io/kubernetes-id': 'payments-api',
      'container-cloud.io/placements': '*/payments',
    }),
  ],
];

// orders-api (team-orders) from the trusted location, and a CMDB record that claims its id
const ORDERS = serviceEntity('orders-api', 'group:default/team-orders');
const CMDB_CLAIM = component('cmdb', 'orders', 'group:default/team-payments', {
  'backstage.io/managed-by-location': 'url:https://cmdb.example.com/ci/42',
  'backstage.io/managed-by-origin-location': 'cmdb:servicenow',
  'backstage.io/kubernetes-id': 'orders-api',
});

const TARGET = { cluster: 'no-such-cluster', namespace: 'payments' };
const POD = { ...TARGET, pod: 'payments-api-abc-1', container: 'app' };
// a valid body for every one-cluster operation
const OPERATION_BODIES: Record<string, object> = {
  // a create names what it creates, no version: there is nothing yet
  create: {
    image: 'registry.example.com/payments/api:1.2.3',
    port: 8080,
    replicas: 1,
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
  // pod routes name no Deployment
  'containers/debug': {
    deployment: undefined,
    pod: POD.pod,
    container: 'app',
    image: 'busybox:1.36',
  },
  'containers/destroy': { deployment: undefined, pod: POD.pod },
  'containers/remove-from-lb': { deployment: undefined, pod: POD.pod },
};

/** Every route that names a workload (a cluster and namespace), with a valid request. */
const TARGETED: Array<{
  route: string;
  method: 'get' | 'post';
  path: string;
  send: object;
  /** the audit event its refusal is recorded as; reads of views are not audited */
  eventId?: string;
}> = [
  ...serviceOperations(20).map(op => ({
    route: `POST /services/:namespace/:name/${op.path}`,
    method: 'post' as const,
    path: op.path,
    send: {
      ...TARGET,
      deployment: 'payments-api',
      ...OPERATION_BODIES[op.path],
    },
    eventId: op.eventId,
  })),
  // one route per operation that runs in every cluster
  ...['scale', 'upgrade', 'restart', 'config'].map(operation => ({
    route: `POST /services/:namespace/:name/every-cluster/${operation}`,
    method: 'post' as const,
    path: `every-cluster/${operation}`,
    send: {
      ...OPERATION_BODIES[operation],
      targets: [{ ...TARGET, deployment: 'payments-api' }],
    },
    eventId: 'service-every-cluster',
  })),
  {
    route: 'POST /services/:namespace/:name/shells',
    method: 'post',
    path: 'shells',
    send: { ...POD, shell: 'sh', columns: 80, rows: 24 },
    eventId: 'container-shell',
  },
  {
    route: 'GET /services/:namespace/:name/containers/file',
    method: 'get',
    path: 'containers/file',
    send: { ...POD, path: '/var/log/app.log' },
    eventId: 'container-file-read',
  },
  {
    route: 'GET /services/:namespace/:name/containers/logs',
    method: 'get',
    path: 'containers/logs',
    send: POD,
    eventId: 'container-logs-read',
  },
  {
    route: 'GET /services/:namespace/:name/containers/logs/follow',
    method: 'get',
    path: 'containers/logs/follow',
    send: POD,
    eventId: 'container-logs-read',
  },
  {
    route: 'GET /services/:namespace/:name/containers/metrics',
    method: 'get',
    path: 'containers/metrics',
    send: POD,
  },
  {
    route: 'GET /services/:namespace/:name/events',
    method: 'get',
    path: 'events',
    send: { ...TARGET, pod: POD.pod },
  },
];
/** Routes into a shell already open: its workload was checked when it opened (and is again). */
const SHELL_SESSION = [
  'GET /services/:namespace/:name/shells/:id/output',
  'POST /services/:namespace/:name/shells/:id/input',
  'POST /services/:namespace/:name/shells/:id/resize',
  'DELETE /services/:namespace/:name/shells/:id',
];
/** Routes that name no workload: views of the service as a whole, filtered by its binding. */
const UNTARGETED = [
  'GET /health',
  'GET /services',
  'GET /services/:namespace/:name',
  'GET /services/:namespace/:name/diagnosis',
  'GET /services/:namespace/:name/history',
  'GET /services/:namespace/:name/image-tags',
  'GET /services/:namespace/:name/debug-images',
];

const audit: RecordedAuditEvent[] = [];
/** The outcomes recorded for an audit event id (none for a route that is not audited). */
const outcomesOf = (eventId: string | undefined) =>
  audit.filter(e => eventId && e.eventId === eventId).map(e => e.outcome);
const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

describe('the binding of entities to workloads', () => {
  it('has a case for every route of the router', async () => {
    expect((await routeTable()).sort()).toEqual(
      [...TARGETED.map(t => t.route), ...SHELL_SESSION, ...UNTARGETED].sort(),
    );
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: Awaited<ReturnType<typeof startServicesBackend>>;
    let baseUrl: string;

    beforeAll(async () => {
      const perPluginDatabase = perPluginTestDatabase(
        databases,
        databaseId as TestDatabaseId,
      );
      backend = await startServicesBackend({
        clusters: [],
        containerCloud: {
          binding: { trustedOrigins: [TRUSTED, 'cmdb:servicenow'] },
        },
        entities: [
          serviceEntity('payments-api', 'group:default/team-payments'),
          ...IMPOSTORS.map(([, entity]) => entity),
          ORDERS,
          CMDB_CLAIM,
        ],
        services: [recordingAuditor(audit), perPluginDatabase],
      });
      baseUrl = `http://localhost:${backend.server.port()}`;
      for (const ref of [
        'component/attackers/payments-api',
        'component/default/bobs-tool',
        'component/default/bobs-override',
        'component/default/orders-api',
        'component/cmdb/orders',
      ]) {
        await waitForEntity(baseUrl, ref);
      }
    });

    afterAll(() => backend?.stop());

    function call(
      entity: string,
      target: (typeof TARGETED)[number],
      user: string,
    ) {
      const url = `/api/services/services/${entity}/${target.path}`;
      const req =
        target.method === 'post'
          ? request(backend.server).post(url).send(target.send)
          : request(backend.server)
              .get(url)
              .query(target.send as Record<string, string>);
      return req.set('Authorization', mockCredentials.user.header(user));
    }

    it('lets the victim through to the cluster on every route that names a workload', async () => {
      for (const target of TARGETED) {
        const res = await call('default/payments-api', target, ALICE);
        expect({ route: target.route, status: res.status }).not.toEqual({
          route: target.route,
          status: 403,
        });
      }
    });

    describe.each(IMPOSTORS)('an impostor with %s', (_what, impostor) => {
      const ref = `${impostor.metadata.namespace}/${impostor.metadata.name}`;

      it.each(TARGETED.map(t => [t.route, t] as const))(
        'is refused %s with 403, audited',
        async (_route, target) => {
          audit.length = 0;
          const res = await call(ref, target, BOB);
          expect(res.status).toBe(403);
          expect(res.body.error.message).toContain('controls no workloads');
          expect(res.body.error.message).toContain('not a trusted origin');
          // audited routes record exactly the refusal; views record nothing
          expect(outcomesOf(target.eventId)).toEqual(
            target.eventId ? ['fail'] : [],
          );
        },
      );

      it('sees on its page that it controls nothing, and none of the workloads', async () => {
        const res = await request(backend.server)
          .get(`/api/services/services/${ref}`)
          .set('Authorization', mockCredentials.user.header(BOB));
        expect(res.status).toBe(200);
        expect(res.body.binding).toMatchObject({
          state: 'untrusted',
          kubernetesId: 'payments-api',
          message: expect.stringContaining('not a trusted origin'),
        });
      });
    });

    it('leaves the victim bound: an untrusted claim takes nothing away', async () => {
      const res = await request(backend.server)
        .get('/api/services/services/default/payments-api')
        .set('Authorization', mockCredentials.user.header(ALICE));
      expect(res.status).toBe(200);
      // bound to every namespace (no placements, none required): nothing to report
      expect(res.body.binding).toBeUndefined();
      expect(res.body.kubernetesId).toBe('payments-api');
    });

    describe('two trusted claims on one id', () => {
      it.each([
        [
          'orders-api, from the catalog location',
          'default/orders-api',
          BOB,
          'component:cmdb/orders',
        ],
        [
          'the CMDB record',
          'cmdb/orders',
          ALICE,
          'component:default/orders-api',
        ],
      ])(
        'refuses every operation of %s, naming the other claimant, audited',
        async (_what, ref, owner, other) => {
          for (const target of TARGETED) {
            audit.length = 0;
            const res = await call(ref, target, owner);
            expect({ route: target.route, status: res.status }).toEqual({
              route: target.route,
              status: 403,
            });
            expect(res.body.error.message).toContain(other);
            expect(res.body.error.message).toContain(
              "kubernetes id 'orders-api'",
            );
            expect({
              route: target.route,
              audited: outcomesOf(target.eventId),
            }).toEqual({
              route: target.route,
              audited: target.eventId ? ['fail'] : [],
            });
          }
        },
      );

      it.each([
        ['default/orders-api', 'component:cmdb/orders'],
        ['cmdb/orders', 'component:default/orders-api'],
      ])('reports the conflict on the page of %s', async (ref, other) => {
        const res = await request(backend.server)
          .get(`/api/services/services/${ref}`)
          .set('Authorization', mockCredentials.user.header(BOB));
        expect(res.status).toBe(200);
        expect(res.body.binding).toMatchObject({
          state: 'conflict',
          kubernetesId: 'orders-api',
          conflictsWith: [other],
        });
        expect(res.body.binding.message).toContain(other);
      });

      it('reports the conflict in the Services list', async () => {
        const res = await request(backend.server)
          .get('/api/services/services')
          .set('Authorization', mockCredentials.user.header(BOB));
        const orders = res.body.items.find(
          (i: { entityRef: string }) =>
            i.entityRef === 'component:default/orders-api',
        );
        expect(orders.binding).toMatchObject({ state: 'conflict' });
      });
    });
  });
});

// The attack as it happens: bob registers a location of his own through the catalog's API (the
// policy lets anyone), whose YAML claims payments-api's id and even writes a trusted origin.
describe('an entity registered through the catalog API', () => {
  const evil = [
    'apiVersion: backstage.io/v1alpha1',
    'kind: Component',
    'metadata:',
    '  name: evil-payments',
    '  annotations:',
    '    backstage.io/kubernetes-id: payments-api',
    `    backstage.io/managed-by-origin-location: '${TRUSTED}'`,
    "    container-cloud.io/placements: '*/payments'",
    'spec:',
    '  type: service',
    '  lifecycle: production',
    '  owner: group:default/team-orders',
    '',
  ].join('\n');
  let yamlServer: http.Server;
  let location: string;
  let backend: Awaited<ReturnType<typeof startServicesBackend>>;

  beforeAll(async () => {
    yamlServer = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/yaml' });
      res.end(evil);
    });
    await new Promise<void>(resolve =>
      yamlServer.listen(0, '127.0.0.1', resolve),
    );
    const host = `localhost:${(yamlServer.address() as AddressInfo).port}`;
    location = `http://${host}/catalog-info.yaml`;
    backend = await startServicesBackend({
      clusters: [],
      readingAllow: [host],
      services: [recordingAuditor(audit)],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await new Promise(resolve => yamlServer?.close(resolve));
  });

  it('gets the origin the catalog writes, whatever its YAML says, and operates nothing', async () => {
    const registered = await request(backend.server)
      .post('/api/catalog/locations')
      .set('Authorization', mockCredentials.user.header(BOB))
      .send({ type: 'url', target: location });
    expect(registered.status).toBe(201);
    await waitForEntity(
      `http://localhost:${backend.server.port()}`,
      'component/default/evil-payments',
    );
    const entity = await request(backend.server)
      .get('/api/catalog/entities/by-name/component/default/evil-payments')
      .set('Authorization', mockCredentials.user.header(BOB));
    expect(
      entity.body.metadata.annotations[
        'backstage.io/managed-by-origin-location'
      ],
    ).toBe(`url:${location}`);

    audit.length = 0;
    const res = await request(backend.server)
      .post('/api/services/services/default/evil-payments/scale')
      .set('Authorization', mockCredentials.user.header(BOB))
      .send({
        ...TARGET,
        deployment: 'payments-api',
        resourceVersion: '1',
        replicas: 0,
      });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain(
      `registered from url:${location}, which is not a trusted origin`,
    );
    expect(outcomesOf('service-scale')).toEqual(['fail']);
  });
});

// Production: containerCloud.binding.requirePlacements: true
describe('placements required', () => {
  let backend: Awaited<ReturnType<typeof startServicesBackend>>;

  beforeAll(async () => {
    backend = await startServicesBackend({
      clusters: [],
      containerCloud: {
        binding: { trustedOrigins: [TRUSTED], requirePlacements: true },
      },
      entities: [
        serviceEntity('payments-api', 'group:default/team-payments'),
        serviceEntity('orders-api', 'group:default/team-orders', {
          'container-cloud.io/placements': 'no-such-cluster/orders',
        }),
      ],
    });
    await waitForEntity(
      `http://localhost:${backend.server.port()}`,
      'component/default/orders-api',
    );
  });

  afterAll(() => backend?.stop());

  const scale = (service: string, user: string, namespace: string) =>
    request(backend.server)
      .post(`/api/services/services/default/${service}/scale`)
      .set('Authorization', mockCredentials.user.header(user))
      .send({
        ...TARGET,
        namespace,
        deployment: service,
        resourceVersion: '1',
        replicas: 2,
      });

  it('binds nothing to a service without placements, and says so on its page', async () => {
    const view = await request(backend.server)
      .get('/api/services/services/default/payments-api')
      .set('Authorization', mockCredentials.user.header(ALICE));
    expect(view.body.binding).toMatchObject({
      state: 'unplaced',
      placements: [],
      message: expect.stringContaining(
        'this portal requires them (containerCloud.binding.requirePlacements)',
      ),
    });
    const res = await scale('payments-api', ALICE, 'payments');
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('controls no workloads');
  });

  it('lets a placed service act inside its placements only', async () => {
    const inside = await scale('orders-api', BOB, 'orders');
    expect(inside.status).toBe(404);
    expect(inside.body.error.message).toContain(
      "no cluster named 'no-such-cluster'",
    );
    const outside = await scale('orders-api', BOB, 'payments');
    expect(outside.status).toBe(403);
    expect(outside.body.error.message).toContain(
      "may not touch namespace 'payments' in cluster 'no-such-cluster': its workloads are only in no-such-cluster/orders",
    );
  });

  it('refuses a sync whose source is outside the placements, though its target is inside', async () => {
    const res = await request(backend.server)
      .post('/api/services/services/default/orders-api/sync')
      .set('Authorization', mockCredentials.user.header(BOB))
      .send({
        ...TARGET,
        namespace: 'orders',
        deployment: 'orders-api',
        resourceVersion: '1',
        from: {
          cluster: 'no-such-cluster',
          namespace: 'payments',
          deployment: 'payments-api',
          resourceVersion: '1',
        },
      });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain(
      "may not touch namespace 'payments' in cluster 'no-such-cluster'",
    );
  });
});
