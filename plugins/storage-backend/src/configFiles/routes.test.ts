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
import { ConfigFileService } from './ConfigFileService';
import { configFileRouteTable } from './routes';
import { startStorageBackend } from '../__testUtils__/startStorageBackend';

jest.setTimeout(120_000);

const audit: RecordedAuditEvent[] = [];

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const BASE = '/api/storage/services/default/payments-api/config-files';
const ALICE = 'user:default/alice'; // team-payments, the owners
const BOB = 'user:default/bob'; // team-orders
const CAROL = 'user:default/carol'; // ops admin

/** Every route of the table as `METHOD /path`. */
function routeTable(): string[] {
  return configFileRouteTable({} as ConfigFileService).map(
    r => `${r.method.toUpperCase()} ${r.path}`,
  );
}

/**
 * A valid request for every mutating route against the set `app` (which the tests create); the
 * test fails when a route is added without one.
 */
const MUTATIONS: Record<string, { body?: object; query?: string }> = {
  'POST /services/:namespace/:name/config-files': {
    body: { name: 'matrix', files: [{ name: 'a.yaml', content: 'a: 1\n' }] },
  },
  'PUT /services/:namespace/:name/config-files/:set': {
    body: {
      baseVersion: 1,
      files: [{ name: 'a.yaml', content: 'a: 2\n' }],
    },
  },
  'DELETE /services/:namespace/:name/config-files/:set': {},
  'POST /services/:namespace/:name/config-files/:set/rollback': {
    body: { version: 1, baseVersion: 1 },
  },
  'POST /services/:namespace/:name/config-files/:set/mounts': {
    body: { path: '/etc/app', mode: 'folder' },
  },
  'DELETE /services/:namespace/:name/config-files/:set/mounts': {
    query: '?path=/etc/app',
  },
  'POST /services/:namespace/:name/config-files/:set/restart': {},
};

const mutatingRoutes = () => routeTable().filter(r => !r.startsWith('GET '));

describe('config file routes over HTTP', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it('has a permission case for every mutating route', () => {
    expect(mutatingRoutes().sort()).toEqual(Object.keys(MUTATIONS).sort());
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let server: Awaited<ReturnType<typeof startStorageBackend>>['server'];
    let stop: () => Promise<void>;

    beforeAll(async () => {
      const perPluginDatabase = perPluginTestDatabase(
        databases,
        databaseId as TestDatabaseId,
      );
      // no clusters: the sets live in the database only, which is what these tests look at
      const backend = await startStorageBackend({
        clusters: [],
        services: [recordingAuditor(audit), perPluginDatabase],
      });
      server = backend.server;
      stop = () => backend.stop();
    });

    afterAll(() => stop?.());

    function send(
      method: string,
      path: string,
      user: string | undefined,
      body?: object,
      credentials = user ? mockCredentials.user.header(user) : undefined,
    ) {
      const url = `${BASE}${path}`;
      const agent = request(server);
      const req = {
        post: () => agent.post(url),
        put: () => agent.put(url),
        delete: () => agent.delete(url),
        get: () => agent.get(url),
      }[method as 'get']();
      if (credentials) req.set('Authorization', credentials);
      return body ? req.send(body) : req;
    }

    function concrete(route: string) {
      const [method, path] = route.split(' ');
      const { body, query } = MUTATIONS[route] ?? {};
      return {
        method: method.toLowerCase(),
        path:
          path
            .replace('/services/:namespace/:name/config-files', '')
            .replace(':set', 'app')
            .replace(':version', '1') + (query ?? ''),
        body,
      };
    }

    it('creates a set as version 1, saves version 2, pages, diffs and rolls back', async () => {
      const created = await send('post', '', ALICE, {
        name: 'app',
        files: [
          { name: 'application.yaml', content: 'server:\n  port: 8080\n' },
          { name: 'log.properties', content: 'level=info\n' },
        ],
        message: 'first',
      });
      expect(created.status).toBe(201);
      expect(created.body.set).toMatchObject({
        name: 'app',
        currentVersion: 1,
        objectName: 'payments-api-app',
        updatedBy: ALICE,
        secret: false,
      });
      expect(created.body.notes).toEqual([
        expect.stringContaining('No Deployment mounts'),
      ]);

      const saved = await send('put', '/app', ALICE, {
        baseVersion: 1,
        files: [
          { name: 'application.yaml', content: 'server:\n  port: 9090\n' },
          { name: 'log.properties', content: 'level=info\n' },
        ],
        message: 'port 9090',
      });
      expect(saved.status).toBe(200);
      expect(saved.body.set.currentVersion).toBe(2);

      const diff = await send('get', '/app/diff?from=1&to=2', BOB);
      expect(diff.status).toBe(200);
      expect(diff.body).toEqual({
        from: 1,
        to: 2,
        redacted: false,
        files: [
          {
            file: 'application.yaml',
            lines: [
              { op: ' ', text: 'server:' },
              { op: '-', text: '  port: 8080' },
              { op: '+', text: '  port: 9090' },
            ],
          },
        ],
      });

      const rolled = await send('post', '/app/rollback', CAROL, {
        version: 1,
        baseVersion: 2,
      });
      expect(rolled.status).toBe(200);
      expect(rolled.body.set.currentVersion).toBe(3);
      const v3 = await send('get', '/app/versions/3', ALICE);
      expect(v3.body).toMatchObject({
        version: 3,
        rollbackOf: 1,
        createdBy: CAROL,
        message: 'rolled back to version 1',
      });
      expect(
        v3.body.files.find((f: any) => f.name === 'application.yaml').content,
      ).toBe('server:\n  port: 8080\n');

      const page = await send('get', '/app/versions?limit=2', ALICE);
      expect(page.body.items.map((v: any) => v.version)).toEqual([3, 2]);
      expect(page.body).toMatchObject({ total: 3, nextBefore: 2 });
      expect(JSON.stringify(page.body)).not.toContain('port: 8080');
      const rest = await send('get', '/app/versions?limit=2&before=2', ALICE);
      expect(rest.body.items.map((v: any) => v.version)).toEqual([1]);
      expect(rest.body.nextBefore).toBeNull();
    });

    it('answers a save based on an old version with 409 and the current set, saving nothing', async () => {
      const res = await send('put', '/app', ALICE, {
        baseVersion: 1,
        files: [{ name: 'application.yaml', content: 'x: 1\n' }],
      });
      expect(res.status).toBe(409);
      expect(res.body.error.message).toContain('the current version is 3');
      expect(res.body.current).toMatchObject({
        name: 'app',
        currentVersion: 3,
      });
      const list = await send('get', '', ALICE);
      expect(list.body.items[0].currentVersion).toBe(3);
    });

    it.each([
      ['a.yaml', 'a: [1, 2\n', 'a.yaml line 2'],
      ['b.json', '{\n  "a": 1,\n}\n', 'b.json line 3'],
      ['c.toml', 'a = 1\nb =\n', 'c.toml line 2'],
      ['d.xml', '<a>\n<b></a>\n', 'd.xml line 2'],
      ['e.ini', '[main]\nkey = 1\nnot a pair\n', 'e.ini line 3'],
      ['f.properties', 'a=1\nb=\\u12\n', 'f.properties line 2'],
    ])(
      'refuses %s that does not parse, naming the line, and saves nothing',
      async (name, content, where) => {
        const res = await send('put', '/app', ALICE, {
          baseVersion: 3,
          files: [{ name, content }],
        });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain(where);
        expect(res.body.error.message).toContain('nothing was saved');
        const set = await send('get', '/app', ALICE);
        expect(set.body.currentVersion).toBe(3);
      },
    );

    it('refuses files above 1 MiB and file names that are no ConfigMap key', async () => {
      const big = await send('put', '/app', ALICE, {
        baseVersion: 3,
        files: [{ name: 'big.txt', content: 'x'.repeat(1024 * 1024) }],
      });
      expect(big.status).toBe(400);
      expect(big.body.error.message).toContain('at most 1048576 bytes (1 MiB)');
      const badName = await send('put', '/app', ALICE, {
        baseVersion: 3,
        files: [{ name: 'conf/app.yaml', content: 'a: 1\n' }],
      });
      expect(badName.status).toBe(400);
      expect(badName.body.error.message).toContain('ConfigMap key');
      const badSet = await send('post', '', ALICE, {
        name: 'Bad_Name',
        files: [{ name: 'a.yaml', content: 'a: 1\n' }],
      });
      expect(badSet.status).toBe(400);
      expect(badSet.body.error.message).toContain('file set name');
    });

    it.each([
      ['/proc/app', 'not at or under /proc'],
      ['etc/app', 'absolute'],
      ['/etc/../app', '..'],
      ['/', 'not the root'],
    ])('refuses the mount path %s with 400 naming it', async (path, words) => {
      const res = await send('post', '/app/mounts', ALICE, {
        path,
        mode: 'folder',
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('path');
      expect(res.body.error.message).toContain(words);
    });

    it('refuses a second set of the same name with 409', async () => {
      const res = await send('post', '', ALICE, {
        name: 'app',
        files: [{ name: 'a.yaml', content: 'a: 1\n' }],
      });
      expect(res.status).toBe(409);
      expect(res.body.current).toMatchObject({ name: 'app' });
    });

    it('never answers a secret set’s content but on its own route, and never audits it', async () => {
      const SECRET = 'hunter2-never-shown';
      const created = await send('post', '', ALICE, {
        name: 'creds',
        secret: true,
        files: [{ name: 'db.properties', content: `password=${SECRET}\n` }],
      });
      expect(created.status).toBe(201);
      expect(created.body.set.files).toEqual([
        expect.objectContaining({
          name: 'db.properties',
          checksum: expect.any(String),
        }),
      ]);
      // a save that keeps the file's text without sending it
      const kept = await send('put', '/creds', ALICE, {
        baseVersion: 1,
        files: [
          { name: 'db.properties' },
          { name: 'extra.yaml', content: `token: ${SECRET}-2\n` },
        ],
      });
      expect(kept.status).toBe(200);
      const responses = [
        created,
        kept,
        await send('get', '', ALICE),
        await send('get', '/creds', ALICE),
        await send('get', '/creds/versions', ALICE),
        await send('get', '/creds/versions/1', ALICE),
        await send('get', '/creds/versions/2', CAROL),
        await send('get', '/creds/diff?from=1&to=2', ALICE),
        await send('get', '/creds/versions/1/secret', BOB),
        await send('get', '/openapi.json', undefined),
        await send('post', '/creds/rollback', ALICE, {
          version: 1,
          baseVersion: 2,
        }),
      ];
      for (const res of responses) {
        expect(res.status).toBeLessThan(500);
        expect(JSON.stringify(res.body)).not.toContain(SECRET);
      }
      const diff = responses[7].body;
      expect(diff).toMatchObject({ redacted: true });
      expect(diff.files.map((f: any) => f.file)).toEqual(['extra.yaml']);
      expect(JSON.stringify(audit)).not.toContain(SECRET);

      const revealed = await send('get', '/creds/versions/2/secret', ALICE);
      expect(revealed.status).toBe(200);
      expect(revealed.body.files.map((f: any) => f.content)).toEqual([
        `password=${SECRET}\n`,
        `token: ${SECRET}-2\n`,
      ]);
      expect(audit).toContainEqual(
        expect.objectContaining({
          eventId: 'config-files-secret-read',
          outcome: 'success',
        }),
      );
      const service = await send(
        'get',
        '/creds/versions/2/secret',
        undefined,
        undefined,
        mockCredentials.service.header(),
      );
      expect(service.status).toBe(403);
    });

    it('answers no route of the table with a secret’s text, but the secret route to its owners', async () => {
      const SECRET = 'table-scan-secret-7f3a';
      const files = [{ name: 'app.properties', content: `key=${SECRET}\n` }];
      const created = await send('post', '', ALICE, {
        name: 'vault',
        secret: true,
        files,
      });
      expect(created.status).toBe(201);
      // one request per route of the table, about the secret set; deletes last
      const requests: Record<string, { path: string; body?: object }> = {
        'GET /services/:namespace/:name/config-files': { path: '' },
        'POST /services/:namespace/:name/config-files': {
          path: '',
          body: { name: 'vault', secret: true, files },
        },
        'GET /services/:namespace/:name/config-files/:set': { path: '/vault' },
        'PUT /services/:namespace/:name/config-files/:set': {
          path: '/vault',
          body: {
            baseVersion: 1,
            files: [
              { name: 'app.properties' },
              { name: 'more.properties', content: `k=${SECRET}\n` },
            ],
          },
        },
        'GET /services/:namespace/:name/config-files/:set/versions': {
          path: '/vault/versions',
        },
        'GET /services/:namespace/:name/config-files/:set/versions/:version': {
          path: '/vault/versions/2',
        },
        'GET /services/:namespace/:name/config-files/:set/diff': {
          path: '/vault/diff?from=1&to=2',
        },
        'POST /services/:namespace/:name/config-files/:set/rollback': {
          path: '/vault/rollback',
          body: { version: 1, baseVersion: 2 },
        },
        'POST /services/:namespace/:name/config-files/:set/mounts': {
          path: '/vault/mounts',
          body: { path: '/etc/vault', mode: 'files' },
        },
        'DELETE /services/:namespace/:name/config-files/:set/mounts': {
          path: '/vault/mounts?path=/etc/vault',
        },
        'POST /services/:namespace/:name/config-files/:set/restart': {
          path: '/vault/restart',
        },
        'DELETE /services/:namespace/:name/config-files/:set': {
          path: '/vault',
        },
      };
      const SECRET_ROUTE =
        'GET /services/:namespace/:name/config-files/:set/versions/:version/secret';
      expect([...Object.keys(requests), SECRET_ROUTE].sort()).toEqual(
        routeTable().sort(),
      );
      for (const [route, { path, body }] of Object.entries(requests)) {
        const method = route.split(' ')[0].toLowerCase();
        for (const user of [ALICE, BOB]) {
          // the owners' delete comes last, after the secret route was read
          const deletesSet =
            route === 'DELETE /services/:namespace/:name/config-files/:set';
          if (deletesSet && user === ALICE) continue;
          const res = await send(method, path, user, body);
          expect(
            `${route} as ${user}: ${JSON.stringify(res.body)}`,
          ).not.toContain(SECRET);
        }
      }
      // the scan sees a secret where one is answered: its own route, to its owners
      const revealed = await send('get', '/vault/versions/2/secret', ALICE);
      expect(JSON.stringify(revealed.body)).toContain(SECRET);
      const refused = await send('get', '/vault/versions/2/secret', BOB);
      expect(refused.status).toBe(403);
      expect(JSON.stringify(refused.body)).not.toContain(SECRET);
      expect((await send('delete', '/vault', ALICE)).status).toBe(204);
      expect(JSON.stringify(audit)).not.toContain(SECRET);
    });

    describe.each(Object.keys(MUTATIONS))('%s', route => {
      const { method, path, body } = concrete(route);

      it('refuses another team with 403 and audits the refusal', async () => {
        audit.length = 0;
        const res = await send(method, path, BOB, body);
        expect(res.status).toBe(403);
        expect(res.body.error.message).toContain(
          'only its owners and ops admins',
        );
        expect(audit.filter(e => e.eventId.startsWith('config-files'))).toEqual(
          [expect.objectContaining({ outcome: 'fail' })],
        );
      });

      it('refuses a request without identity with 401', async () => {
        expect((await send(method, path, undefined, body)).status).toBe(401);
      });

      it('refuses a service token with 403', async () => {
        const res = await send(
          method,
          path,
          undefined,
          body,
          mockCredentials.service.header(),
        );
        expect(res.status).toBe(403);
      });

      it.each([
        ['the owner team', ALICE],
        ['an ops admin', CAROL],
      ])('lets %s past the permission check', async (_who, user) => {
        const res = await send(method, path, user, body);
        expect(res.status).not.toBe(401);
        expect(res.status).not.toBe(403);
        // what follows the permission check: done, conflicting or nothing to act on (no cluster)
        expect([200, 201, 204, 400, 404, 409]).toContain(res.status);
      });
    });
  });
});
