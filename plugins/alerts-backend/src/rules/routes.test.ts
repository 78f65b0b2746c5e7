import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import type { AlertRuleSet } from '@internal/plugin-container-cloud-common';
import {
  ALICE,
  alertsDatabase,
  alertsTestDatabases,
  BOB,
  CAROL,
  RecordedAuditEvent,
  recordingAuditor,
  startAlertsBackend,
} from '../__testUtils__/startAlertsBackend';
import { ruleRouteTable } from './routes';
import type { RuleService } from './RuleService';
import type { RuleStore } from './RuleStore';

jest.setTimeout(180_000);

const databases = alertsTestDatabases();
const BASE = '/api/alerts/services/default/payments-api/rules';

const RULE = {
  name: 'High CPU',
  metric: 'cpu_cores',
  comparison: '>',
  threshold: 0.5,
  for: '1m',
  severity: 'warning',
  labels: { team: 'payments' },
  receivers: ['oncall'],
  summary: 'payments-api uses more than half a core',
};

/** Every route of the table as `METHOD /path`. */
const routeTable = () =>
  ruleRouteTable({} as RuleService, {} as RuleStore).map(
    r => `${r.method.toUpperCase()} ${r.path}`,
  );
const mutatingRoutes = () => routeTable().filter(r => !r.startsWith('GET '));

/**
 * A valid request for every mutating route, given the current version and a rule that exists;
 * the test fails when a route is added without one.
 */
const MUTATIONS: Record<
  string,
  (s: { version: number; ruleId: string }) => {
    path: string;
    body?: object;
  }
> = {
  'POST /services/:namespace/:name/rules': s => ({
    path: '',
    body: { baseVersion: s.version, rule: { ...RULE, name: 'matrix' } },
  }),
  'PUT /services/:namespace/:name/rules/:rule': s => ({
    path: `/${s.ruleId}`,
    body: { baseVersion: s.version, rule: { ...RULE, threshold: 0.75 } },
  }),
  'DELETE /services/:namespace/:name/rules/:rule': s => ({
    path: `/${s.ruleId}?baseVersion=${s.version}`,
  }),
  'POST /services/:namespace/:name/rules/rollback': s => ({
    path: '/rollback',
    body: { version: 1, baseVersion: s.version },
  }),
};

describe('alert rule routes over HTTP', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it('has a permission case for every mutating route', () => {
    expect(mutatingRoutes().sort()).toEqual(Object.keys(MUTATIONS).sort());
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    const audit: RecordedAuditEvent[] = [];
    let server: Awaited<ReturnType<typeof startAlertsBackend>>['server'];
    let stop: () => Promise<void>;

    beforeAll(async () => {
      // no clusters and no Prometheus: the rules live in the database, checked by promtool
      const backend = await startAlertsBackend({
        alerts: { promtool: 'promtool' },
        services: [
          recordingAuditor(audit),
          alertsDatabase(databases, databaseId),
        ],
      });
      server = backend.server;
      stop = () => backend.stop();
    });

    afterAll(() => stop?.());

    const as = (user?: string) =>
      user ? mockCredentials.user.header(user) : undefined;

    function send(
      method: 'get' | 'post' | 'put' | 'delete',
      path: string,
      authorization: string | undefined,
      body?: object,
    ) {
      const req = request(server)[method](`${BASE}${path}`);
      if (authorization) req.set('Authorization', authorization);
      return body ? req.send(body) : req;
    }

    async function current(): Promise<AlertRuleSet> {
      const res = await send('get', '', as(ALICE));
      expect(res.status).toBe(200);
      return res.body;
    }

    it('adds, changes, lists versions, diffs, rolls back and deletes', async () => {
      const empty = await current();
      expect(empty).toMatchObject({
        entityRef: 'component:default/payments-api',
        version: 0,
        rules: [],
      });
      expect(empty.problem).toContain('no Deployments');

      const created = await send('post', '', as(ALICE), {
        baseVersion: 0,
        rule: RULE,
        message: 'first rule',
      });
      expect(created.status).toBe(201);
      expect(created.body.version).toBe(1);
      const [rule] = created.body.rules;
      expect(rule).toMatchObject({
        ...RULE,
        window: '5m',
        enabled: true,
        description: '',
      });
      expect(rule.id).toMatch(/^r-[0-9a-f]{8}$/);
      expect(audit.at(-1)).toMatchObject({
        eventId: 'alert-rule-create',
        outcome: 'success',
      });

      const changed = await send('put', `/${rule.id}`, as(ALICE), {
        baseVersion: 1,
        rule: { ...RULE, threshold: 0.9, severity: 'critical' },
      });
      expect(changed.status).toBe(200);
      expect(changed.body.version).toBe(2);
      expect(changed.body.rules[0]).toMatchObject({
        id: rule.id,
        threshold: 0.9,
      });

      const versions = await send('get', '/versions', as(BOB));
      expect(versions.status).toBe(200);
      expect(
        versions.body.items.map((v: any) => [v.version, v.author]),
      ).toEqual([
        [2, ALICE],
        [1, ALICE],
      ]);
      expect(versions.body.items[1].message).toBe('first rule');

      const diff = await send('get', '/diff?from=1&to=2', as(ALICE));
      expect(diff.status).toBe(200);
      const lines = diff.body.files[0].lines;
      expect(lines).toContainEqual({ op: '-', text: '  threshold: 0.5' });
      expect(lines).toContainEqual({ op: '+', text: '  threshold: 0.9' });

      const rolledBack = await send('post', '/rollback', as(ALICE), {
        version: 1,
        baseVersion: 2,
      });
      expect(rolledBack.status).toBe(200);
      expect(rolledBack.body.version).toBe(3);
      expect(rolledBack.body.rules[0].threshold).toBe(0.5);

      const one = await send('get', '/versions/3', as(ALICE));
      expect(one.body).toMatchObject({ version: 3, ruleCount: 1 });
      expect(one.body.message).toBe('roll back to version 1');

      const deleted = await send(
        'delete',
        `/${rule.id}?baseVersion=3`,
        as(ALICE),
      );
      expect(deleted.status).toBe(200);
      expect(deleted.body).toMatchObject({ version: 4, rules: [] });
    });

    it('answers a stale edit with 409 and the rules as they are now', async () => {
      const before = await current();
      const res = await send('post', '', as(ALICE), {
        baseVersion: before.version - 1,
        rule: RULE,
      });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain(
        `it is now version ${before.version}`,
      );
      expect(res.body.current.version).toBe(before.version);
      expect((await current()).version).toBe(before.version);
    });

    it.each([
      [{ threshold: 'high' }, 'rule.threshold'],
      [{ threshold: null }, 'rule.threshold'],
      [{ for: '5 minutes' }, 'rule.for'],
      [{ for: '1m1h' }, 'rule.for'],
      [{ labels: { team: 'a"b' } }, 'rule.labels.team'],
      [{ labels: { team: '{x}' } }, 'rule.labels.team'],
      [{ labels: { team: 'a\nb' } }, 'rule.labels.team'],
      [
        { labels: { cc_entity: 'component:default/orders-api' } },
        'rule.labels',
      ],
      [{ labels: { 'bad-name': 'x' } }, 'rule.labels'],
      [{ summary: 'see {{ $labels.pod }}' }, 'rule.summary'],
      [{ container: 'App"}' }, 'rule.container'],
      [{ receivers: ['a,b'] }, 'rule.receivers'],
      [{ severity: 'page' }, 'rule.severity'],
      [{ metric: 'log_pattern_rate' }, 'rule.metric'],
      [{ metric: 'network_receive_bytes', container: 'app' }, 'rule.container'],
      [{ pod: 'payments-api-1-2', container: 'app' }, 'rule.pod'],
      [{ expr: 'up' }, 'rule.expr'],
    ])(
      'refuses %j with a 400 naming %s, changing nothing',
      async (bad, field) => {
        const before = await current();
        const res = await send('post', '', as(ALICE), {
          baseVersion: before.version,
          rule: { ...RULE, ...bad },
        });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain(field);
        expect((await current()).version).toBe(before.version);
      },
    );

    it('refuses PromQL from owners, takes it from ops, and lets promtool refuse a bad one', async () => {
      const advanced = {
        ...RULE,
        metric: 'promql',
        expr: 'sum(rate(container_cpu_usage_seconds_total[1m]))',
      };
      let before = await current();
      const owner = await send('post', '', as(ALICE), {
        baseVersion: before.version,
        rule: advanced,
      });
      expect(owner.status).toBe(403);
      expect(owner.body.error.message).toContain('only ops admins');

      const typeError = await send('post', '', as(CAROL), {
        baseVersion: before.version,
        rule: { ...advanced, expr: 'rate(container_cpu_usage_seconds_total)' },
      });
      expect(typeError.status).toBe(400);
      expect(typeError.body.error.message).toContain('rule.expr');
      expect(typeError.body.error.message).toContain('promtool');
      expect((await current()).version).toBe(before.version);

      const ops = await send('post', '', as(CAROL), {
        baseVersion: before.version,
        rule: advanced,
      });
      expect(ops.status).toBe(201);
      before = ops.body;
      const id = before.rules.find(r => r.metric === 'promql')!.id;
      // the owners may not change or remove what ops wrote in PromQL
      const change = await send('put', `/${id}`, as(ALICE), {
        baseVersion: before.version,
        rule: { ...RULE },
      });
      expect(change.status).toBe(403);
      const remove = await send(
        'delete',
        `/${id}?baseVersion=${before.version}`,
        as(ALICE),
      );
      expect(remove.status).toBe(403);
      const byOps = await send(
        'delete',
        `/${id}?baseVersion=${before.version}`,
        as(CAROL),
      );
      expect(byOps.status).toBe(200);
    });

    it('lists every rule for ops only, filtered and paged', async () => {
      let set = await current();
      for (const severity of ['critical', 'info', 'info']) {
        const res = await send('post', '', as(ALICE), {
          baseVersion: set.version,
          rule: { ...RULE, name: `list ${severity}`, severity },
        });
        expect(res.status).toBe(201);
        set = res.body;
      }
      const all = await request(server)
        .get('/api/alerts/rules?severity=info&limit=1')
        .set('Authorization', as(CAROL)!);
      expect(all.status).toBe(200);
      expect(all.body.total).toBe(2);
      expect(all.body.items).toHaveLength(1);
      expect(all.body.items[0]).toMatchObject({
        entityRef: 'component:default/payments-api',
        owner: 'group:default/team-payments',
        rule: { severity: 'info' },
      });
      const next = await request(server)
        .get('/api/alerts/rules?severity=info&limit=1&offset=1')
        .set('Authorization', as(CAROL)!);
      expect(next.body.items[0].rule.id).not.toBe(all.body.items[0].rule.id);
      const team = await request(server)
        .get('/api/alerts/rules?team=group:default/team-orders')
        .set('Authorization', as(CAROL)!);
      expect(team.body.total).toBe(0);
      const cluster = await request(server)
        .get('/api/alerts/rules?cluster=local-a')
        .set('Authorization', as(CAROL)!);
      expect(cluster.body.total).toBe(0);
      const owner = await request(server)
        .get('/api/alerts/rules')
        .set('Authorization', as(ALICE)!);
      expect(owner.status).toBe(403);
      const bad = await request(server)
        .get('/api/alerts/rules?severity=page')
        .set('Authorization', as(CAROL)!);
      expect(bad.status).toBe(400);
    });

    it('serves the metric catalogue', async () => {
      const res = await request(server)
        .get('/api/alerts/metrics')
        .set('Authorization', as(BOB)!);
      expect(res.status).toBe(200);
      const ids = res.body.items.map((m: any) => m.id);
      expect(ids).toContain('cpu_cores');
      expect(
        res.body.items.find((m: any) => m.id === 'log_pattern_rate')
          .unavailable,
      ).toContain('no log metrics');
    });

    describe.each(mutatingRoutes())('%s', routeKey => {
      const [method] = routeKey.split(' ');
      const verb = method.toLowerCase() as 'post' | 'put' | 'delete';

      /** A request of this route against the rules as they are now (a rule exists). */
      async function prepared() {
        let set = await current();
        if (!set.rules.some(r => r.metric !== 'promql')) {
          const res = await send('post', '', as(ALICE), {
            baseVersion: set.version,
            rule: RULE,
          });
          set = res.body;
        }
        return MUTATIONS[routeKey]({
          version: set.version,
          ruleId: set.rules.find(r => r.metric !== 'promql')!.id,
        });
      }

      it.each([
        ['another team', as(BOB), 403],
        ['no identity', undefined, 401],
        ['a service token', mockCredentials.service.header(), 403],
      ])('refuses %s (%s), changing nothing', async (_who, auth, status) => {
        const { path, body } = await prepared();
        const before = await current();
        const res = await send(verb, path, auth, body);
        expect(res.status).toBe(status);
        expect(await current()).toEqual(before);
      });

      it.each([
        ['the owners', ALICE],
        ['ops admins', CAROL],
      ])('lets %s, and audits it', async (_who, user) => {
        const { path, body } = await prepared();
        const before = await current();
        const res = await send(verb, path, as(user), body);
        expect([200, 201]).toContain(res.status);
        expect(res.body.version).toBe(before.version + 1);
        expect(audit.at(-1)).toMatchObject({
          outcome: 'success',
          meta: expect.objectContaining({
            entityRef: 'component:default/payments-api',
          }),
        });
      });
    });
  });
});
