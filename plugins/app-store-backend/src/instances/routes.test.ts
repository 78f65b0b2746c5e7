import { execFileSync } from 'node:child_process';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  ALICE,
  appStoreDatabase,
  appStoreTestDatabases,
  BOB,
  CAROL,
  localHelm,
  localRegistryHost,
  RecordedAuditEvent,
  recordingAuditor,
  startAppStoreBackend,
} from '../__testUtils__/startAppStoreBackend';
import { pushTestChart, TEST_CHART } from '../__testUtils__/testCharts';
import { instanceRouteTable, InstanceRouteParts } from './routes';

jest.setTimeout(600_000);

const databases = appStoreTestDatabases();
const CLUSTER = 'local-a';
const NAMESPACE = 'payments';
const COMPONENT = 'component:default/payments-api';
const GROUP = 'group:default/team-payments';

let counter = 0;
const unique = (prefix: string) =>
  `${prefix}-${process.pid % 10000}-${Date.now() % 100000}-${counter++}`.slice(
    0,
    40,
  );

/** Every route of the table as `METHOD /path`. */
function routeTable(): string[] {
  return instanceRouteTable({} as InstanceRouteParts).map(
    r => `${r.method.toUpperCase()} ${r.path}`,
  );
}

const INSTANCE = '/instances/:cluster/:namespace/:name';

/**
 * A request for every mutating route on an instance `name` (installed before each caller), and
 * what an allowed caller gets: the route's own answer, never a 401/403.
 */
const MUTATIONS: Record<
  string,
  {
    path: (name: string) => string;
    body?: (name: string, owner: string) => object;
    /** the route needs an instance to act on (installed fresh for each allowed caller) */
    needsInstance: boolean;
    allowedStatus: number;
  }
> = {
  'POST /instances': {
    path: () => '/instances',
    body: (name, owner) => ({
      repository: 'test',
      chart: TEST_CHART,
      version: '0.1.0',
      cluster: CLUSTER,
      namespace: NAMESPACE,
      name,
      owner,
      dryRun: true,
    }),
    needsInstance: false,
    allowedStatus: 200,
  },
  [`POST ${INSTANCE}/upgrade`]: {
    path: name => `/instances/${CLUSTER}/${NAMESPACE}/${name}/upgrade`,
    body: () => ({ version: '0.2.0', dryRun: true }),
    needsInstance: true,
    allowedStatus: 200,
  },
  [`POST ${INSTANCE}/rollback`]: {
    path: name => `/instances/${CLUSTER}/${NAMESPACE}/${name}/rollback`,
    body: () => ({ revision: 1 }),
    needsInstance: true,
    allowedStatus: 200,
  },
  [`DELETE ${INSTANCE}`]: {
    path: name => `/instances/${CLUSTER}/${NAMESPACE}/${name}`,
    needsInstance: true,
    allowedStatus: 204,
  },
  [`POST ${INSTANCE}/reveal`]: {
    path: name => `/instances/${CLUSTER}/${NAMESPACE}/${name}/reveal`,
    needsInstance: true,
    allowedStatus: 200,
  },
};

const AUDIT_IDS: Record<string, string> = {
  'POST /instances': 'app-store-instance-install',
  [`POST ${INSTANCE}/upgrade`]: 'app-store-instance-upgrade',
  [`POST ${INSTANCE}/rollback`]: 'app-store-instance-rollback',
  [`DELETE ${INSTANCE}`]: 'app-store-instance-uninstall',
  [`POST ${INSTANCE}/reveal`]: 'app-store-instance-reveal',
};

function helmReleases(): string[] {
  const out = execFileSync(
    localHelm(),
    ['list', '-n', NAMESPACE, '--all', '-o', 'json', '--kube-context', CLUSTER],
    { env: process.env, encoding: 'utf8' },
  );
  return (JSON.parse(out) as Array<{ name: string }>).map(r => r.name);
}

describe('the instance routes’ table', () => {
  it('has a permission case and an audit event for every mutating route', () => {
    const mutating = routeTable().filter(r => !r.startsWith('GET '));
    expect(mutating.sort()).toEqual(Object.keys(MUTATIONS).sort());
    for (const spec of instanceRouteTable({} as InstanceRouteParts)) {
      if (spec.method === 'get') continue;
      expect(spec.access).toBe('operate');
      expect(spec.audit?.eventId).toBe(
        AUDIT_IDS[`${spec.method.toUpperCase()} ${spec.path}`],
      );
    }
  });
});

const describeLocal =
  localRegistryHost() && process.env.KUBECONFIG ? describe : describe.skip;

describeLocal('instances over HTTP: who may do what', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    const audit: RecordedAuditEvent[] = [];
    const created: string[] = [];
    let backend: Awaited<ReturnType<typeof startAppStoreBackend>>;

    beforeAll(async () => {
      const repo = pushTestChart();
      backend = await startAppStoreBackend({
        appStore: { helm: localHelm(), repositories: [repo] },
        services: [
          recordingAuditor(audit),
          appStoreDatabase(databases, databaseId),
        ],
      });
    });

    afterAll(async () => {
      for (const name of created) {
        try {
          execFileSync(
            localHelm(),
            ['uninstall', name, '-n', NAMESPACE, '--kube-context', CLUSTER],
            { env: process.env, stdio: 'pipe' },
          );
        } catch {
          // gone already
        }
      }
      await backend?.stop();
    });

    const as = (user: string) => mockCredentials.user.header(user);

    function send(
      method: string,
      path: string,
      authorization: string | undefined,
      body?: object,
    ) {
      const req = (request(backend.server) as any)[method](
        `/api/app-store${path}`,
      );
      if (authorization) req.set('Authorization', authorization);
      return body ? req.send(body) : req;
    }

    /** A real instance of the tiny chart (upgraded once, so it can be rolled back). */
    async function seed(owner: string): Promise<string> {
      const name = unique('m');
      created.push(name);
      const res = await send('post', '/instances', as(ALICE), {
        repository: 'test',
        chart: TEST_CHART,
        version: '0.1.0',
        cluster: CLUSTER,
        namespace: NAMESPACE,
        name,
        owner,
      });
      expect(res.status).toBe(202);
      const upgraded = await send(
        'post',
        `/instances/${CLUSTER}/${NAMESPACE}/${name}/upgrade`,
        as(ALICE),
        { version: '0.2.0' },
      );
      expect(upgraded.status).toBe(200);
      return name;
    }

    describe.each([
      ['a Component', COMPONENT],
      ['a Group', GROUP],
    ])('an instance owned by %s', (_kind, owner) => {
      it.each(Object.keys(MUTATIONS))(
        'lets only its owners and ops call %s, and audits every call',
        async key => {
          const method = key.split(' ')[0].toLowerCase();
          const spec = MUTATIONS[key];
          const target = spec.needsInstance ? await seed(owner) : unique('m');
          const refused: Array<[string, string | undefined, number]> = [
            ['another team', as(BOB), 403],
            ['no identity', undefined, 401],
            ['a service token', mockCredentials.service.header(), 403],
          ];
          const before = audit.length;
          for (const [who, authorization, status] of refused) {
            const res = await send(
              method,
              spec.path(target),
              authorization,
              spec.body?.(target, owner),
            );
            expect([who, res.status]).toEqual([who, status]);
          }
          // bob's refusal is recorded, in words
          const bobs = audit
            .slice(before)
            .filter(e => e.eventId === AUDIT_IDS[key]);
          expect(bobs).toHaveLength(1);
          expect(bobs[0].outcome).toBe('fail');
          expect(String(bobs[0].meta?.error)).toMatch(/^you may not /);
          // nothing changed for the refused: the instance is still there
          const untouched =
            !spec.needsInstance || helmReleases().includes(target);
          expect(untouched).toBe(true);

          for (const [who, user] of [
            ['the owner', ALICE],
            ['ops', CAROL],
          ] as const) {
            const name = spec.needsInstance ? await seed(owner) : unique('m');
            const res = await send(
              method,
              spec.path(name),
              as(user),
              spec.body?.(name, owner),
            );
            expect([who, res.status]).toEqual([who, spec.allowedStatus]);
            const last = audit
              .filter(e => e.eventId === AUDIT_IDS[key])
              .slice(-1)[0];
            expect(last.outcome).toBe('success');
          }
        },
      );
    });

    it('keeps passwords out of audit events', async () => {
      const name = unique('pw');
      const res = await send('post', '/instances', as(ALICE), {
        repository: 'test',
        chart: TEST_CHART,
        version: '0.1.0',
        cluster: CLUSTER,
        namespace: NAMESPACE,
        name,
        owner: COMPONENT,
        password: 'do-not-log-this-1',
        dryRun: true,
      });
      expect(res.status).toBe(200);
      expect(JSON.stringify(audit)).not.toContain('do-not-log-this-1');
    });

    it('answers a page of instances to any signed-in user, and 400 for a bad query', async () => {
      const page = await send('get', '/instances?limit=1', as(BOB));
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      expect(page.body.totalCount).toBeGreaterThanOrEqual(
        page.body.items.length,
      );
      const bad = await send('get', '/instances?limit=0', as(BOB));
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/limit/);
    });

    it('refuses production installs unless allowed, naming the field', async () => {
      const res = await send('post', '/instances', as(ALICE), {
        repository: 'test',
        chart: TEST_CHART,
        version: '0.1.0',
        cluster: CLUSTER,
        namespace: NAMESPACE,
        name: unique('prod'),
        owner: COMPONENT,
        environment: 'production',
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /environment: production installs are not allowed/,
      );
    });
  });
});

describe('the instances page with a cluster that cannot be reached', () => {
  it('names the cluster in `unreachable`, with the error', async () => {
    const backend = await startAppStoreBackend({
      appStore: {},
      // nothing listens on port 9 of loopback
      clusters: [
        {
          name: 'gone',
          url: 'https://127.0.0.1:9',
          authProvider: 'serviceAccount',
          serviceAccountToken: 'x',
          skipTLSVerify: true,
        },
      ],
    });
    try {
      const res = await request(backend.server)
        .get('/api/app-store/instances')
        .set('Authorization', mockCredentials.user.header(BOB));
      expect(res.status).toBe(200);
      expect(res.body.unreachable).toEqual([
        { cluster: 'gone', error: expect.any(String) },
      ]);
      expect(res.body.unreachable[0].error.length).toBeGreaterThan(0);
    } finally {
      await backend.stop();
    }
  });
});
