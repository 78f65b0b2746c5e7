import {
  mockCredentials,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { perPluginTestDatabase } from '@internal/plugin-container-cloud-node/testing';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import type { Domain } from '@internal/plugin-container-cloud-common';
import { shopDomain } from './__testUtils__/domains';
import {
  FIELDS,
  maliciousCases,
  MALICIOUS_STRINGS,
} from './__testUtils__/malicious';
import {
  freePort,
  startNamedBackend,
  startScratchNginx,
  waitFor,
} from './__testUtils__/scratchNginx';
import {
  RecordedEvent,
  recordingAuditor,
  startNginxBackend,
} from './__testUtils__/startNginxBackend';
import { mutatingRoutes } from './__testUtils__/routeTable';

jest.setTimeout(180_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const ALICE = 'user:default/alice'; // team-payments, owner of component:default/shop
const BOB = 'user:default/bob'; // team-orders
const CAROL = 'user:default/carol'; // ops admin

describe('nginx backend over HTTP', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it('has a permission case below for every mutating route', () => {
    expect(mutatingRoutes().sort()).toEqual([
      'POST /domains',
      'POST /domains/:cluster/:name/members',
      'POST /publish',
      'POST /rollback',
      'POST /test-environments/sync',
    ]);
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    const audit: RecordedEvent[] = [];
    let backend: Awaited<ReturnType<typeof startNginxBackend>>;
    let nginx: Awaited<ReturnType<typeof startScratchNginx>>;
    let app: Awaited<ReturnType<typeof startNamedBackend>>;
    let port: number;
    let domain: ReturnType<typeof shopDomain>;

    beforeAll(async () => {
      [nginx, app, port] = await Promise.all([
        startScratchNginx(),
        startNamedBackend('app'),
        freePort(),
      ]);
      const perPluginDatabase = perPluginTestDatabase(
        databases,
        databaseId as TestDatabaseId,
      );
      backend = await startNginxBackend({
        nginx: {
          // the app stand-in listens on loopback, as in the local cloud
          forbiddenMemberRanges: ['0.0.0.0/8', '169.254.0.0/16'],
          clusters: [
            {
              name: 'edge',
              environment: 'test',
              confDir: nginx.confDir,
              reloadCommand: nginx.reloadCommand,
            },
          ],
        },
        services: [recordingAuditor(audit), perPluginDatabase],
      });
      domain = shopDomain({
        owner: 'component:default/shop',
        listen: [{ address: '127.0.0.1', port }],
        upstreams: [
          {
            name: 'stable',
            members: [{ address: '127.0.0.1', port: app.port }],
          },
          {
            name: 'canary',
            members: [{ address: '127.0.0.1', port: app.port }],
          },
        ],
      });
    });

    afterAll(async () => {
      await backend?.stop();
      await nginx?.stop();
      await app?.stop();
    });

    function post(path: string, user: string | undefined, body: unknown) {
      const req = request(backend.server).post(`/api/nginx/${path}`);
      if (user) req.set('Authorization', mockCredentials.user.header(user));
      return req.send(body as object);
    }

    /**
     * A save or member edit as the page sends it: with the version of the domain it was made from
     * (the saved one's, 0 when there is none).
     */
    async function postEdit(path: string, user: string, body: object) {
      const domainPath = path.startsWith('domains/')
        ? path.replace(/\/members$/, '')
        : `domains/${(body as Domain).cluster}/${(body as Domain).name}`;
      const current = await get(domainPath, CAROL);
      const version = current.status === 200 ? current.body.domain.version : 0;
      return post(path, user, { ...body, version });
    }

    function get(path: string, user = BOB) {
      return request(backend.server)
        .get(`/api/nginx/${path}`)
        .set('Authorization', mockCredentials.user.header(user));
    }

    it('refuses a service token with 403 on every mutation, in words', async () => {
      for (const mutation of mutatingRoutes()) {
        const path = mutation
          .replace(/^POST \//, '')
          .replace(':cluster', 'edge')
          .replace(':name', 'shop');
        const res = await request(backend.server)
          .post(`/api/nginx/${path}`)
          .set('Authorization', mockCredentials.service.header())
          .send({ cluster: 'edge' });
        expect({ path, status: res.status }).toEqual({ path, status: 403 });
        expect(res.body.error.message).toContain(
          'only a signed-in person may change workloads',
        );
      }
    });

    it('refuses every mutation without identity with 401', async () => {
      for (const path of [
        'domains',
        'domains/edge/shop/members',
        'publish',
        'rollback',
        'test-environments/sync',
      ]) {
        const res = await post(path, undefined, {});
        expect(res.status).toBe(401);
      }
    });

    it('says so when test environments are not configured', async () => {
      expect((await post('test-environments/sync', ALICE, {})).status).toBe(
        403,
      );
      const res = await post('test-environments/sync', CAROL, {});
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe(
        'test environments are not configured (containerCloud.nginx.testEnvironments)',
      );
    });

    it('lets only ops save domains and publish, and audits both outcomes', async () => {
      audit.length = 0;
      for (const user of [ALICE, BOB]) {
        const res = await postEdit('domains', user, domain);
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          'you may not save domains: only ops admins may',
        );
      }
      const saved = await postEdit('domains', CAROL, domain);
      expect(saved.status).toBe(200);
      expect(saved.body.text).toContain(`server 127.0.0.1:${app.port};`);

      for (const user of [ALICE, BOB]) {
        const res = await post('publish', user, { cluster: 'edge' });
        expect(res.status).toBe(403);
      }
      const published = await post('publish', CAROL, {
        cluster: 'edge',
        message: 'first',
      });
      expect(published.status).toBe(200);
      expect(published.body).toMatchObject({ ok: true });
      await waitFor(`http://127.0.0.1:${port}/`, body => body === 'app');

      expect(audit).toEqual([
        expect.objectContaining({
          eventId: 'nginx-domain-save',
          outcome: 'fail',
        }),
        expect.objectContaining({
          eventId: 'nginx-domain-save',
          outcome: 'fail',
        }),
        expect.objectContaining({
          eventId: 'nginx-domain-save',
          outcome: 'success',
          meta: expect.objectContaining({ cluster: 'edge', domain: 'shop' }),
        }),
        expect.objectContaining({ eventId: 'nginx-publish', outcome: 'fail' }),
        expect.objectContaining({ eventId: 'nginx-publish', outcome: 'fail' }),
        expect.objectContaining({
          eventId: 'nginx-publish',
          outcome: 'success',
        }),
      ]);
      // audit events never carry whole config texts
      expect(JSON.stringify(audit)).not.toContain('upstream shop__stable');
    });

    it("lets the owners of the domain's service edit its upstream members, and nobody else but ops", async () => {
      const members = (extra: number) => ({
        upstreams: [
          {
            name: 'stable',
            members: [
              { address: '127.0.0.1', port: app.port },
              { address: '127.0.0.1', port: extra, backup: true },
            ],
          },
        ],
      });
      const bob = await postEdit(
        'domains/edge/shop/members',
        BOB,
        members(1001),
      );
      expect(bob.status).toBe(403);
      expect(bob.body.error.message).toBe(
        "you may not edit the upstream members of domain 'shop': only the owners of component:default/shop and ops admins may",
      );

      const alice = await postEdit(
        'domains/edge/shop/members',
        ALICE,
        members(1002),
      );
      expect(alice.status).toBe(200);
      expect(alice.body.publish).toMatchObject({ ok: true });
      const onDisk = await readFile(join(nginx.confDir, 'shop.conf'), 'utf8');
      expect(onDisk).toContain('server 127.0.0.1:1002 backup;');

      const carol = await postEdit(
        'domains/edge/shop/members',
        CAROL,
        members(1003),
      );
      expect(carol.status).toBe(200);

      // owners may change members only: anything else in the body is refused
      const more = await postEdit('domains/edge/shop/members', ALICE, {
        ...members(1004),
        serverNames: ['evil.example.com'],
      });
      expect(more.status).toBe(400);
      expect(more.body.error.message).toBe(
        'invalid upstream members: unknown field(s): serverNames',
      );
      const missing = await postEdit(
        'domains/edge/nope/members',
        ALICE,
        members(1),
      );
      expect(missing.status).toBe(404);

      // a domain without an owner: only ops
      const unowned = { ...domain, name: 'unowned', owner: undefined };
      expect((await postEdit('domains', CAROL, unowned)).status).toBe(200);
      const refused = await postEdit(
        'domains/edge/unowned/members',
        ALICE,
        members(1),
      );
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toContain('only ops admins may');

      const owned = await get(
        'entity-domains?entityRef=component:default/shop',
      );
      expect(owned.status).toBe(200);
      expect(owned.body.items.map((d: { name: string }) => d.name)).toEqual([
        'shop',
      ]);
    });

    it('answers an edit made from a stale version with 409 and the domain as it is now', async () => {
      const now = await get('domains/edge/shop', CAROL);
      expect(now.body.domain.version).toBeGreaterThan(1);
      const stale = await post('domains', CAROL, { ...domain, version: 1 });
      expect(stale.status).toBe(409);
      expect(stale.body.error.message).toContain(
        `you edited version 1, it is now version ${now.body.domain.version}`,
      );
      expect(stale.body.current).toEqual(now.body.domain);
      const members = await post('domains/edge/shop/members', ALICE, {
        version: now.body.domain.version - 1,
        upstreams: [
          { name: 'stable', members: [{ address: '127.0.0.1', port: 1 }] },
        ],
      });
      expect(members.status).toBe(409);
      expect(members.body.current).toEqual(now.body.domain);
      // a new domain of a name that exists, and a save that names no version
      expect(
        (await post('domains', CAROL, { ...domain, version: 0 })).status,
      ).toBe(409);
      const unversioned = await post('domains', CAROL, domain);
      expect(unversioned.status).toBe(400);
      expect(unversioned.body.error.message).toContain('version');
      // nothing changed
      expect((await get('domains/edge/shop', CAROL)).body).toEqual(now.body);
    });

    it('shows a failed nginx -t as 400 tied to the field, and publishes nothing', async () => {
      const before = await get('versions?cluster=edge');
      const broken = {
        ...domain,
        locations: [
          { path: '/', upstream: 'stable' },
          { path: '/', upstream: 'canary' },
        ],
      };
      expect((await postEdit('domains', CAROL, broken)).status).toBe(200);
      const res = await post('publish', CAROL, { cluster: 'edge' });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /^nginx -t failed for domain 'shop' at locations\[1\]: \[emerg\] duplicate location "\/"/,
      );
      expect((await get('versions?cluster=edge')).body).toEqual(before.body);
      expect((await postEdit('domains', CAROL, domain)).status).toBe(200);
    });

    it('diffs two versions and rolls back byte for byte; only ops may roll back', async () => {
      const versions = (await get('versions?cluster=edge')).body.items;
      expect(versions.length).toBeGreaterThanOrEqual(3);
      const [latest, previous] = versions;
      const diff = await get(
        `diff?cluster=edge&from=${previous.id}&to=${latest.id}`,
      );
      expect(diff.status).toBe(200);
      expect(diff.body.files[0].file).toBe('shop.conf');
      expect(
        diff.body.files[0].lines.filter((l: { op: string }) => l.op !== ' '),
      ).toEqual([
        { op: '-', text: '    server 127.0.0.1:1002 backup;' },
        { op: '+', text: '    server 127.0.0.1:1003 backup;' },
      ]);

      const body = { cluster: 'edge', version: previous.id };
      expect((await post('rollback', ALICE, body)).status).toBe(403);
      const rollback = await post('rollback', CAROL, body);
      expect(rollback.status).toBe(200);
      const old = await get(`versions/${previous.id}?cluster=edge`);
      expect(await readFile(join(nginx.confDir, 'shop.conf'), 'utf8')).toBe(
        old.body.files['shop.conf'],
      );
      const clusters = await get('clusters');
      expect(clusters.body.items).toEqual([
        {
          name: 'edge',
          environment: 'test',
          currentVersion: rollback.body.version,
          nodes: [
            {
              name: 'edge',
              confDir: nginx.confDir,
              lastDelivery: {
                node: 'edge',
                ok: true,
                message: 'written and reloaded',
              },
            },
          ],
        },
      ]);
    });

    it.each([
      ['publish', { cluster: 'Edge' }, 'cluster: a cluster name'],
      ['publish', { cluster: 'edge', extra: 1 }, 'unknown field(s): extra'],
      [
        'publish',
        { cluster: 'edge', message: 'a\u0000b' },
        'no control characters',
      ],
      ['rollback', { cluster: 'edge', version: 0 }, 'version'],
      ['rollback', { cluster: 'edge', version: 99999 }, 'no version 99999'],
      ['publish', { cluster: 'nope' }, "no nginx cluster named 'nope'"],
    ])('answers %s %j with a clear error', async (path, body, message) => {
      const res = await post(path, CAROL, body);
      expect([400, 404]).toContain(res.status);
      expect(res.body.error.message).toContain(message);
    });

    describe('malicious input', () => {
      let filesBefore: Record<string, string>;
      let versionsBefore: unknown;
      let draftsBefore: unknown;

      async function confFiles() {
        const files: Record<string, string> = {};
        for (const name of await readdir(nginx.confDir)) {
          files[name] = await readFile(join(nginx.confDir, name), 'utf8');
        }
        return files;
      }

      beforeAll(async () => {
        filesBefore = await confFiles();
        versionsBefore = (await get('versions?cluster=edge')).body;
        draftsBefore = (await get('domains')).body;
      });

      const cases = maliciousCases();

      it(`refuses ${cases.length} malicious values in every domain field with 400 (ops saving)`, async () => {
        for (const [field, value] of cases) {
          const res = await postEdit('domains', CAROL, FIELDS[field](value));
          if (res.status !== 400) {
            throw new Error(
              `${field} = ${JSON.stringify(value)} answered ${res.status}`,
            );
          }
          expect(res.body.error.message).toMatch(/^invalid domain: /);
        }
      });

      it('refuses them in the upstream members an owner sends with 400', async () => {
        const memberFields = Object.keys(FIELDS).filter(f =>
          /^(member|kubernetes)/.test(f),
        );
        let tried = 0;
        for (const [field, value] of cases) {
          if (!memberFields.includes(field)) continue;
          const whole = FIELDS[field](value) as ReturnType<typeof shopDomain>;
          const res = await postEdit('domains/edge/shop/members', ALICE, {
            upstreams: [whole.upstreams[0]],
          });
          tried++;
          if (res.status !== 400) {
            throw new Error(
              `${field} = ${JSON.stringify(value)} answered ${res.status}`,
            );
          }
        }
        expect(tried).toBeGreaterThan(100);
      });

      it('changed nothing: no value reached a draft, a version or a file nginx reads', async () => {
        const filesAfter = await confFiles();
        expect(filesAfter).toEqual(filesBefore);
        expect((await get('versions?cluster=edge')).body).toEqual(
          versionsBefore,
        );
        const draftsAfter = (await get('domains')).body;
        expect(draftsAfter).toEqual(draftsBefore);
        const everything = [
          ...Object.values(filesAfter),
          JSON.stringify(draftsAfter),
        ].join('\n');
        for (const value of MALICIOUS_STRINGS) {
          // '$host' and '' are in every config on their own; the others never are
          if (value === '$host' || value === '') continue;
          expect(everything).not.toContain(value);
        }
      });
    });

    it('refuses owners upstream members the platform keeps for ops (metadata service, numbers resolvers read as addresses), and audits it; ops may', async () => {
      audit.length = 0;
      const to = (address: string) => ({
        upstreams: [
          {
            name: 'stable',
            members: [
              { address: '127.0.0.1', port: app.port },
              { address, port: 80 },
            ],
          },
        ],
      });
      for (const [address, reason] of [
        [
          '169.254.169.254',
          '169.254.169.254 is in 169.254.0.0/16 (link-local, where cloud metadata services answer)',
        ],
        [
          '2852039166',
          '2852039166 (169.254.169.254) is in 169.254.0.0/16 (link-local, where cloud metadata services answer)',
        ],
        ['0x10', '0x10 (0.0.0.16) is in 0.0.0.0/8 (this network)'],
      ]) {
        const res = await postEdit(
          'domains/edge/shop/members',
          ALICE,
          to(address),
        );
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          `only ops admins may point a domain at these addresses (containerCloud.nginx.forbiddenMemberRanges): upstream stable: ${reason}`,
        );
      }
      expect(
        audit.filter(e => e.eventId === 'nginx-upstream-members-edit'),
      ).toEqual([
        expect.objectContaining({ outcome: 'fail' }),
        expect.objectContaining({ outcome: 'fail' }),
        expect.objectContaining({ outcome: 'fail' }),
      ]);
      const onDisk = await readFile(join(nginx.confDir, 'shop.conf'), 'utf8');
      expect(onDisk).not.toContain('169.254');
      const ops = await postEdit(
        'domains/edge/shop/members',
        CAROL,
        to('169.254.169.254'),
      );
      expect(ops.status).toBe(200);
    });

    it('refuses owners a member name that does not resolve, and audits it', async () => {
      audit.length = 0;
      const before = await readFile(join(nginx.confDir, 'shop.conf'), 'utf8');
      const res = await postEdit('domains/edge/shop/members', ALICE, {
        upstreams: [
          {
            name: 'stable',
            members: [
              { address: '127.0.0.1', port: app.port },
              { address: 'no-such-host.invalid', port: 80 },
            ],
          },
        ],
      });
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain(
        'upstream stable: no-such-host.invalid does not resolve',
      );
      expect(
        audit.filter(e => e.eventId === 'nginx-upstream-members-edit'),
      ).toEqual([expect.objectContaining({ outcome: 'fail' })]);
      expect(await readFile(join(nginx.confDir, 'shop.conf'), 'utf8')).toBe(
        before,
      );
    });
  });
});
