import {
  mockCredentials,
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  FIXTURES_ORIGIN,
  perPluginTestDatabase,
  serviceEntity,
  waitForEntity,
} from '@internal/plugin-container-cloud-node/testing';
import request from 'supertest';
import { startServicesBackend } from '../../__testUtils__/startServicesBackend';
import { deployTargetRoutes } from './deployTargetRoutes';
import type { DeployTargets } from './DeployTargets';

jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const ALICE = 'user:default/alice'; // team-payments
const BOB = 'user:default/bob'; // team-orders
const CAROL = 'user:default/carol'; // ops-admins
// a configured cluster nobody answers on: a check that gets this far was allowed
const CLUSTER = 'nowhere';

/** A new payments service, placed where team-payments was granted. */
const CHECK = {
  name: 'refunds-api',
  owner: 'group:default/team-payments',
  placements: [{ cluster: CLUSTER, namespace: 'payments' }],
};

describe('deploy targets over HTTP', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it('lets only users ask: the check operates for a person, and checks the create permission', () => {
    const routes = deployTargetRoutes({
      targets: {} as DeployTargets,
      logger: mockServices.logger.mock(),
    });
    expect(
      routes.map(r => ({
        route: `${r.method.toUpperCase()} ${r.path}`,
        access: r.access,
        usersOnly: r.usersOnly,
        permission: [r.permission ?? []].flat().map(p => p.name),
      })),
    ).toEqual([
      {
        route: 'GET /deploy-targets',
        access: 'read',
        usersOnly: true,
        permission: [],
      },
      {
        route: 'POST /deploy-targets/check',
        access: 'operate',
        usersOnly: undefined,
        permission: ['container-cloud.service.create'],
      },
    ]);
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: Awaited<ReturnType<typeof startServicesBackend>>;
    let server: typeof backend.server;

    beforeAll(async () => {
      const perPluginDatabase = perPluginTestDatabase(
        databases,
        databaseId as TestDatabaseId,
      );
      backend = await startServicesBackend({
        clusters: [
          {
            name: CLUSTER,
            url: 'https://127.0.0.1:9',
            authProvider: 'serviceAccount',
            serviceAccountToken: 'none',
            skipTLSVerify: true,
          },
        ],
        entities: [
          serviceEntity('payments-api', 'group:default/team-payments', {
            'container-cloud.io/placements': '*/payments',
          }),
          // a payments service whose Deployments are labelled 'ledger': that id is taken
          serviceEntity('ledger-service', 'group:default/team-payments', {
            'backstage.io/kubernetes-id': 'ledger',
            'container-cloud.io/placements': '*/payments',
          }),
          // team-orders has no grant: its new services may go where orders-api runs
          serviceEntity('orders-api', 'group:default/team-orders', {
            'container-cloud.io/placements': `${CLUSTER}/orders, gone/orders`,
          }),
        ],
        containerCloud: {
          binding: {
            trustedOrigins: [FIXTURES_ORIGIN],
            teamPlacements: {
              'group:default/team-payments': ['*/payments', 'gone/extra'],
            },
          },
        },
        services: [perPluginDatabase],
      });
      server = backend.server;
      for (const name of ['orders-api', 'ledger-service']) {
        await waitForEntity(
          `http://localhost:${server.port()}`,
          `component/default/${name}`,
        );
      }
    });

    afterAll(() => backend?.stop());

    const get = (user: string | undefined, query = '') => {
      const req = request(server).get(`/api/services/deploy-targets${query}`);
      if (user) req.set('Authorization', mockCredentials.user.header(user));
      return req;
    };
    const check = (user: string | undefined, body: object = CHECK) => {
      const req = request(server).post('/api/services/deploy-targets/check');
      if (user) req.set('Authorization', mockCredentials.user.header(user));
      return req.send(body);
    };

    describe('GET /deploy-targets', () => {
      it("lists a team's grant, a * cluster spelled out, clusters that do not exist left out", async () => {
        const res = await get(ALICE);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          items: [
            {
              owner: 'group:default/team-payments',
              cluster: CLUSTER,
              namespace: 'payments',
            },
          ],
        });
      });

      it('lists where a team without a grant runs its services now', async () => {
        const res = await get(BOB);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          items: [
            {
              owner: 'group:default/team-orders',
              cluster: CLUSTER,
              namespace: 'orders',
            },
          ],
        });
      });

      it('says in words why a caller has none', async () => {
        const res = await get(CAROL);
        expect(res.status).toBe(200);
        expect(res.body.items).toEqual([]);
        expect(res.body.reason).toBe(
          'group:default/ops-admins has no clusters: ask ops to grant it placements (containerCloud.binding.teamPlacements), or to place a service the team owns',
        );
        const other = await get(ALICE, '?owner=group:default/team-orders');
        expect(other.body.items).toEqual([]);
        expect(other.body.reason).toContain(
          'you are not a member of group:default/team-orders',
        );
      });

      it("lists any team's targets to an ops admin who names it (the policy lets ops create for any team)", async () => {
        const res = await get(CAROL, '?owner=group:default/team-payments');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          items: [
            {
              owner: 'group:default/team-payments',
              cluster: CLUSTER,
              namespace: 'payments',
            },
          ],
        });
      });

      it('answers 400 to a bad owner, 401 without identity, 403 to a service token', async () => {
        const bad = await get(ALICE, '?owner=not%20a%20group!');
        expect(bad.status).toBe(400);
        expect(bad.body.error.message).toContain('owner is a Group reference');
        expect((await get(undefined)).status).toBe(401);
        const service = await request(server)
          .get('/api/services/deploy-targets')
          .set('Authorization', mockCredentials.service.header());
        expect(service.status).toBe(403);
      });
    });

    describe('POST /deploy-targets/check', () => {
      it('lets a member of the owner group through to the clusters', async () => {
        const res = await check(ALICE);
        // allowed and valid: the only cluster does not answer
        expect(res.status).toBe(503);
        expect(res.body.error.message).toContain(`cluster ${CLUSTER}`);
      });

      it('lets an ops admin outside the group through to the clusters (the policy allows ops any team)', async () => {
        const res = await check(CAROL);
        expect(res.status).toBe(503);
        expect(res.body.error.message).toContain(`cluster ${CLUSTER}`);
      });

      it('refuses another team with 403 in words', async () => {
        const res = await check(BOB);
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          'you are not a member of group:default/team-payments: you may create services only for a group you belong to (ops admins for any)',
        );
      });

      it('refuses a request without identity with 401, and a service token with 403', async () => {
        expect((await check(undefined)).status).toBe(401);
        const service = await request(server)
          .post('/api/services/deploy-targets/check')
          .set('Authorization', mockCredentials.service.header())
          .send(CHECK);
        expect(service.status).toBe(403);
        expect(service.body.error.message).toContain(
          'only a signed-in person may',
        );
      });

      it('refuses a placement outside the owner’s deploy targets', async () => {
        const res = await check(ALICE, {
          ...CHECK,
          placements: [
            { cluster: CLUSTER, namespace: 'payments' },
            { cluster: CLUSTER, namespace: 'kube-system' },
          ],
        });
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          `group:default/team-payments may not run services in ${CLUSTER}/kube-system: its deploy targets are ${CLUSTER}/payments (ops grant them in containerCloud.binding.teamPlacements)`,
        );
      });

      it("answers 409 for a name another group's Component has", async () => {
        const res = await check(BOB, {
          name: 'payments-api',
          owner: 'group:default/team-orders',
          placements: [{ cluster: CLUSTER, namespace: 'orders' }],
        });
        expect(res.status).toBe(409);
        expect(res.body.error.message).toBe(
          "the name 'payments-api' is taken: component:default/payments-api is in the catalog, owned by group:default/team-payments; choose another name",
        );
      });

      it('answers 409 for a name another service claims as its kubernetes id', async () => {
        const res = await check(ALICE, { ...CHECK, name: 'ledger' });
        expect(res.status).toBe(409);
        expect(res.body.error.message).toBe(
          "the name 'ledger' is taken: component:default/ledger-service claims kubernetes id 'ledger' (backstage.io/kubernetes-id); choose another name",
        );
      });

      it.each([
        [{ ...CHECK, name: 'Not_A_Name' }, 'name'],
        [{ ...CHECK, placements: [] }, 'name at least one placement'],
        [{ ...CHECK, owner: '' }, 'name the owner group'],
        [{ ...CHECK, extra: true }, 'extra'],
      ])('answers 400 in words to a bad body (%#)', async (body, words) => {
        const res = await check(ALICE, body);
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain(words);
      });
    });
  });
});
