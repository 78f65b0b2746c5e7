import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  ALICE,
  BOB,
  CAROL,
  alertsDatabase,
  alertsTestDatabases,
  RecordedAuditEvent,
  recordingAuditor,
  startAlertsBackend,
  TEST_RECEIVERS_KEY,
} from '../__testUtils__/startAlertsBackend';
import { amtoolCheck } from './amtool';
import { alertRouteTable, AlertRouteParts } from './routes';

jest.setTimeout(180_000);

const databases = alertsTestDatabases();
const AMTOOL = '/usr/bin/amtool';
/** Alertmanager's API: the local cloud's when its environment is loaded */
const ALERTMANAGER_URL =
  process.env.LOCAL_CLOUD_ALERTMANAGER_URL ?? 'http://127.0.0.1:9093';

/** Every route of the table as `METHOD /path`. */
function routeTable(): string[] {
  return alertRouteTable({} as AlertRouteParts).map(
    r => `${r.method.toUpperCase()} ${r.path}`,
  );
}

let counter = 0;
const unique = (prefix: string) =>
  `${prefix}-${process.pid}-${Date.now() % 100000}-${counter++}`;

/**
 * A valid request for every mutating route (the test fails when a route is added without one),
 * and who may send it: the service's owners and ops, or ops only.
 */
const MUTATIONS: Record<
  string,
  {
    path: () => string;
    body?: () => object;
    allowed: 'owners' | 'ops';
  }
> = {
  'POST /services/:namespace/:name/silences': {
    path: () => '/services/default/payments-api/silences',
    body: () => ({ reason: 'matrix test', durationMinutes: 1 }),
    allowed: 'owners',
  },
  'DELETE /services/:namespace/:name/silences/:silence': {
    // no such silence: an allowed caller gets the 404
    path: () =>
      '/services/default/payments-api/silences/00000000-0000-0000-0000-000000000000',
    allowed: 'owners',
  },
  'POST /receivers': {
    path: () => '/receivers',
    body: () => ({
      name: unique('matrix'),
      kind: 'webhook',
      webhook: { url: 'http://127.0.0.1:9/hook' },
    }),
    allowed: 'ops',
  },
  'PUT /receivers/:receiver': {
    path: () => '/receivers/no-such-receiver',
    body: () => ({
      version: 1,
      kind: 'webhook',
      webhook: { url: 'http://127.0.0.1:9/hook' },
    }),
    allowed: 'ops',
  },
  'DELETE /receivers/:receiver': {
    path: () => '/receivers/no-such-receiver?version=1',
    allowed: 'ops',
  },
  'POST /receivers/deliver': {
    path: () => '/receivers/deliver',
    allowed: 'ops',
  },
};

const mutatingRoutes = () => routeTable().filter(r => !r.startsWith('GET '));

function sha(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

describe('receivers, alerts and silences over HTTP', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it('has a permission case for every mutating route', () => {
    expect(mutatingRoutes().sort()).toEqual(Object.keys(MUTATIONS).sort());
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    const audit: RecordedAuditEvent[] = [];
    const configFile = join(
      mkdtempSync(join(tmpdir(), 'alerts-receivers-')),
      'alertmanager.yml',
    );
    let backend: Awaited<ReturnType<typeof startAlertsBackend>>;
    const createdSilences: string[] = [];

    beforeAll(async () => {
      backend = await startAlertsBackend({
        alerts: {
          // the local cloud's Alertmanager answers the API; the file is this test's own
          alertmanager: {
            url: ALERTMANAGER_URL,
            configFile,
            amtool: AMTOOL,
            encryptionKey: TEST_RECEIVERS_KEY,
            syncIntervalSeconds: 3600,
            pollIntervalSeconds: 3600,
          },
          prometheus: [],
        },
        services: [
          recordingAuditor(audit),
          alertsDatabase(databases, databaseId),
        ],
      });
    });

    afterAll(async () => {
      for (const id of createdSilences) {
        await fetch(`${ALERTMANAGER_URL}/api/v2/silence/${id}`, {
          method: 'DELETE',
        }).catch(() => {});
      }
      await backend?.stop();
    });

    function send(
      method: 'get' | 'post' | 'put' | 'delete',
      path: string,
      authorization: string | undefined,
      body?: object,
    ) {
      const req = request(backend.server)[method](`/api/alerts${path}`);
      if (authorization) req.set('Authorization', authorization);
      return body ? req.send(body) : req;
    }
    const as = (user: string) => mockCredentials.user.header(user);

    it.each(Object.keys(MUTATIONS))(
      'lets only the right people call %s',
      async key => {
        const method = key.split(' ')[0].toLowerCase() as 'post';
        const spec = MUTATIONS[key];
        const callers: Array<[string, string | undefined, boolean | number]> = [
          ['the owner', as(ALICE), spec.allowed === 'owners'],
          ['another team', as(BOB), false],
          ['ops', as(CAROL), true],
          ['no identity', undefined, 401],
          ['a service token', mockCredentials.service.header(), false],
        ];
        for (const [who, authorization, expected] of callers) {
          const res = await send(
            method,
            spec.path(),
            authorization,
            spec.body?.(),
          );
          if (res.body?.id && key.includes('silences')) {
            createdSilences.push(res.body.id);
          }
          // what each caller got: 401 without identity, 403 refused, anything else let through
          const outcome =
            res.status === 401 || res.status === 403 ? res.status : 'allowed';
          let wanted: number | string = expected ? 'allowed' : 403;
          if (expected === 401) wanted = 401;
          expect([who, outcome]).toEqual([who, wanted]);
        }
      },
    );

    it('creates a webhook receiver, renders its route, keeps its token from the browser and the audit log', async () => {
      const name = unique('hook');
      const created = await send('post', '/receivers', as(CAROL), {
        name,
        kind: 'webhook',
        description: 'the on-call bridge',
        webhook: {
          url: 'https://hooks.example.com/alerts',
          bearerToken: 'tok-SECRET-1',
        },
      });
      expect([created.status, created.body.error]).toEqual([201, undefined]);
      expect(created.body.receiver).toMatchObject({
        name,
        kind: 'webhook',
        version: 1,
        createdBy: CAROL,
        webhook: {
          url: 'https://hooks.example.com/alerts',
          hasBearerToken: true,
        },
      });
      expect(created.body.alertmanager.written).toBe(true);
      expect(JSON.stringify(created.body)).not.toContain('tok-SECRET-1');

      const file = readFileSync(configFile, 'utf8');
      expect(file).toContain(`cc_receivers=~".*,${name},.*"`);
      expect(file).toContain('tok-SECRET-1'); // Alertmanager needs it
      const check = await amtoolCheck(AMTOOL, file);
      expect(check).toEqual({ ok: true });

      const list = await send('get', '/receivers', as(CAROL));
      expect(list.status).toBe(200);
      expect(list.body.items.map((r: any) => r.name)).toContain(name);
      expect(JSON.stringify(list.body)).not.toContain('tok-SECRET-1');
      const names = await send('get', '/receiver-names', as(BOB));
      expect(names.body.items).toContain(name);
      expect((await send('get', '/receivers', as(ALICE))).status).toBe(403);

      const event = audit.find(
        e =>
          e.eventId === 'alerts-receiver-create' &&
          JSON.stringify(e).includes(name),
      );
      expect(event).toBeDefined();
      expect(JSON.stringify(event)).not.toContain('tok-SECRET-1');

      // an edit without the token keeps it; an edit from an old version is a 409 with the current one
      const edited = await send('put', `/receivers/${name}`, as(CAROL), {
        version: 1,
        kind: 'webhook',
        webhook: { url: 'https://hooks.example.com/v2' },
      });
      expect(edited.status).toBe(200);
      expect(edited.body.receiver.version).toBe(2);
      expect(edited.body.receiver.webhook.hasBearerToken).toBe(true);
      expect(readFileSync(configFile, 'utf8')).toContain('tok-SECRET-1');
      const stale = await send('put', `/receivers/${name}`, as(CAROL), {
        version: 1,
        kind: 'webhook',
        webhook: { url: 'https://hooks.example.com/v3' },
      });
      expect(stale.status).toBe(409);
      expect(stale.body.current).toMatchObject({ name, version: 2 });

      const history = await send(
        'get',
        `/receivers/${name}/history`,
        as(CAROL),
      );
      expect(
        history.body.items.map((c: any) => [c.action, c.version, c.by]),
      ).toEqual([
        ['update', 2, CAROL],
        ['create', 1, CAROL],
      ]);

      const removed = await send(
        'delete',
        `/receivers/${name}?version=2`,
        as(CAROL),
      );
      expect(removed.status).toBe(200);
      expect(readFileSync(configFile, 'utf8')).not.toContain(name);
      expect((await send('get', `/receivers/${name}`, as(CAROL))).status).toBe(
        404,
      );
    });

    it('refuses a receiver with a non-http(s) URL or a bad address with a 400 naming the field, and changes nothing', async () => {
      const before = sha(configFile);
      const countBefore = (await send('get', '/receivers', as(CAROL))).body
        .items.length;
      const badUrl = await send('post', '/receivers', as(CAROL), {
        name: unique('bad'),
        kind: 'webhook',
        webhook: { url: 'file:///etc/passwd' },
      });
      expect(badUrl.status).toBe(400);
      expect(badUrl.body.error.message).toContain('webhook.url');
      expect(badUrl.body.error.message).toContain('http');
      const badMail = await send('post', '/receivers', as(CAROL), {
        name: unique('bad'),
        kind: 'email',
        email: { to: ['not an address'], smarthost: 'smtp.example.com:25' },
      });
      expect(badMail.status).toBe(400);
      expect(badMail.body.error.message).toContain('email.to.0');
      const badName = await send('post', '/receivers', as(CAROL), {
        name: 'a,b',
        kind: 'webhook',
        webhook: { url: 'http://x.example.com' },
      });
      expect(badName.status).toBe(400);
      expect(badName.body.error.message).toContain('name');
      const wrongKind = await send('post', '/receivers', as(CAROL), {
        name: unique('bad'),
        kind: 'email',
        webhook: { url: 'http://x.example.com' },
      });
      expect(wrongKind.status).toBe(400);
      expect(wrongKind.body.error.message).toContain('email');
      expect(sha(configFile)).toBe(before);
      expect(
        (await send('get', '/receivers', as(CAROL))).body.items.length,
      ).toBe(countBefore);
    });

    it('refuses what amtool refuses (an email receiver without an SMTP server) under the field, and changes nothing', async () => {
      // make sure the file exists, then remember it
      await send('post', '/receivers/deliver', as(CAROL));
      const before = sha(configFile);
      const state = (await send('get', '/receivers', as(CAROL))).body;
      const name = unique('mail');
      const res = await send('post', '/receivers', as(CAROL), {
        name,
        kind: 'email',
        email: { to: ['oncall@example.com'] },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /^invalid receiver: email\.smarthost: amtool check-config refused the configuration: .*smarthost/,
      );
      expect(sha(configFile)).toBe(before);
      const after = (await send('get', '/receivers', as(CAROL))).body;
      expect(after.items).toEqual(state.items);
      expect(after.alertmanager.version).toBe(state.alertmanager.version);
      // with a server it passes
      const ok = await send('post', '/receivers', as(CAROL), {
        name,
        kind: 'email',
        email: {
          to: ['oncall@example.com'],
          from: 'alerts@example.com',
          smarthost: 'smtp.example.com:587',
          authUsername: 'alerts',
          authPassword: 'pw-SECRET-2',
        },
      });
      expect(ok.status).toBe(201);
      expect(ok.body.receiver.email.hasAuthPassword).toBe(true);
      expect(JSON.stringify(ok.body)).not.toContain('pw-SECRET-2');
      await send('delete', `/receivers/${name}?version=1`, as(CAROL));
    });

    it("silences only the service's own alerts, and expires only its own silences", async () => {
      const refused = await send(
        'post',
        '/services/default/payments-api/silences',
        as(ALICE),
        {
          reason: 'try to silence orders',
          durationMinutes: 5,
          matchers: [
            { name: 'cc_entity', value: 'component:default/orders-api' },
          ],
        },
      );
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toContain('matchers.0.name');

      const created = await send(
        'post',
        '/services/default/payments-api/silences',
        as(ALICE),
        {
          reason: 'deploying the fix',
          durationMinutes: 30,
          matchers: [{ name: 'container', value: 'app' }],
        },
      );
      expect(created.status).toBe(201);
      createdSilences.push(created.body.id);
      expect(created.body).toMatchObject({
        state: 'active',
        reason: 'deploying the fix',
        createdBy: ALICE,
      });
      expect(created.body.matchers).toEqual(
        expect.arrayContaining([
          {
            name: 'cc_entity',
            value: 'component:default/payments-api',
            isRegex: false,
            isEqual: true,
          },
        ]),
      );
      const listed = await send(
        'get',
        '/services/default/payments-api/silences',
        as(BOB),
      );
      expect(listed.body.source.status).toBe('ok');
      expect(listed.body.items.map((s: any) => s.id)).toContain(
        created.body.id,
      );
      const elsewhere = await send(
        'get',
        '/services/default/orders-api/silences',
        as(BOB),
      );
      expect(elsewhere.body.items.map((s: any) => s.id)).not.toContain(
        created.body.id,
      );

      // bob owns orders-api: through his own service the silence is not his (404)
      const viaOther = await send(
        'delete',
        `/services/default/orders-api/silences/${created.body.id}`,
        as(BOB),
      );
      expect(viaOther.status).toBe(404);
      const expired = await send(
        'delete',
        `/services/default/payments-api/silences/${created.body.id}`,
        as(ALICE),
      );
      expect(expired.status).toBe(200);
      expect(expired.body.state).toBe('expired');
      expect(
        audit.filter(
          e =>
            e.eventId === 'alerts-silence-expire' &&
            JSON.stringify(e).includes(created.body.id),
        ).length,
      ).toBeGreaterThan(0);
    });

    it('shows every alert to ops only', async () => {
      const page = await send(
        'get',
        '/alerts?severity=critical&limit=5',
        as(CAROL),
      );
      expect(page.status).toBe(200);
      expect(page.body.sources).toEqual([
        { source: 'alertmanager', status: 'ok' },
      ]);
      expect(page.body.items.length).toBeLessThanOrEqual(5);
      expect((await send('get', '/alerts', as(ALICE))).status).toBe(403);
      const bad = await send('get', '/alerts?severity=loud', as(CAROL));
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain('severity');
    });
  });
});
