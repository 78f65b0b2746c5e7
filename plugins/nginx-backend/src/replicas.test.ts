import {
  mockCredentials,
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import request from 'supertest';
import { shopDomain } from './__testUtils__/domains';
import {
  freePort,
  startNamedBackend,
  startScratchNginx,
} from './__testUtils__/scratchNginx';
import { startNginxBackend } from './__testUtils__/startNginxBackend';

jest.setTimeout(180_000);

// Two backend instances (each its own catalog, permission backend and nginx plugin) whose nginx
// plugins share one database, as two replicas behind a load balancer do.
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const ALICE = 'user:default/alice'; // team-payments, owner of component:default/shop
const CAROL = 'user:default/carol'; // ops admin

describe('concurrent edits through two backend instances on one database', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backends: Array<Awaited<ReturnType<typeof startNginxBackend>>> = [];
    let nginx: Awaited<ReturnType<typeof startScratchNginx>>;
    let app: Awaited<ReturnType<typeof startNamedBackend>>;
    let port: number;

    beforeAll(async () => {
      [nginx, app, port] = await Promise.all([
        startScratchNginx(),
        startNamedBackend('app'),
        freePort(),
      ]);
      const shared: Knex = await databases.init(databaseId as TestDatabaseId);
      // the nginx plugin of every instance gets the shared database, the others their own
      const database = createServiceFactory({
        service: coreServices.database,
        deps: { plugin: coreServices.pluginMetadata },
        factory: async ({ plugin }) =>
          mockServices.database({
            knex:
              plugin.getId() === 'nginx'
                ? shared
                : await databases.init(databaseId as TestDatabaseId),
          }),
      });
      const start = () =>
        startNginxBackend({
          nginx: {
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
          services: [database],
        });
      backends = [await start(), await start()];
    });

    afterAll(async () => {
      for (const backend of backends) await backend.stop();
      await nginx?.stop();
      await app?.stop();
    });

    const post = (i: number, path: string, user: string, body: object) =>
      request(backends[i].server)
        .post(`/api/nginx/${path}`)
        .set('Authorization', mockCredentials.user.header(user))
        .send(body);

    const domain = (memberPort: number, serverName = 'shop.example.com') =>
      shopDomain({
        owner: 'component:default/shop',
        serverNames: [serverName],
        listen: [{ address: '127.0.0.1', port }],
        grayRelease: undefined,
        locations: [{ path: '/', upstream: 'stable' }],
        upstreams: [
          {
            name: 'stable',
            members: [{ address: '127.0.0.1', port: memberPort }],
          },
        ],
      });

    it('lets one of two saves of one version win; the other gets 409 with the winner', async () => {
      const created = await post(0, 'domains', CAROL, {
        ...domain(app.port),
        version: 0,
      });
      expect(created.status).toBe(200);
      expect(created.body.domain.version).toBe(1);
      // the other instance sees it
      const seen = await request(backends[1].server)
        .get('/api/nginx/domains/edge/shop')
        .set('Authorization', mockCredentials.user.header(CAROL));
      expect(seen.body.domain).toEqual(created.body.domain);

      const [a, b] = await Promise.all([
        post(0, 'domains', CAROL, {
          ...domain(app.port, 'a.example.com'),
          version: 1,
        }),
        post(1, 'domains', CAROL, {
          ...domain(app.port, 'b.example.com'),
          version: 1,
        }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const [won, lost] = a.status === 200 ? [a, b] : [b, a];
      expect(won.body.domain.version).toBe(2);
      expect(lost.body.error.message).toContain(
        'you edited version 1, it is now version 2',
      );
      expect(lost.body.current).toEqual(won.body.domain);
    });

    it('lets one of two member edits of one version publish; the other gets 409 with the winner', async () => {
      expect(
        (await post(0, 'publish', CAROL, { cluster: 'edge', message: 'first' }))
          .status,
      ).toBe(200);
      const members = (extra: number) => ({
        version: 2,
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
      const [a, b] = await Promise.all([
        post(0, 'domains/edge/shop/members', ALICE, members(1001)),
        post(1, 'domains/edge/shop/members', ALICE, members(1002)),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const [won, lost] = a.status === 200 ? [a, b] : [b, a];
      expect(won.body.publish).toMatchObject({ ok: true });
      expect(lost.body.current).toEqual(won.body.domain);
      const versions = await request(backends[1].server)
        .get('/api/nginx/versions?cluster=edge')
        .set('Authorization', mockCredentials.user.header(CAROL));
      // the first publish and the winner's: the loser published nothing
      expect(versions.body.items).toHaveLength(2);
    });
  });
});
