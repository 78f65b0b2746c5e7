import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import {
  clusterAdminPermission,
  containerLogsReadPermission,
  serviceOperatePermissions,
  serviceReadPermission,
} from '@internal/plugin-container-cloud-common';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import {
  authKeepingActors,
  catalogFixtures,
  serviceEntity,
  userInfoFromMemberships,
  waitForEntity,
} from '@internal/plugin-container-cloud-node/testing';
import request from 'supertest';
import { permissionModuleContainerCloudPolicy as policyModule } from './module';
import { POLICY_RULES } from './policy/rules';

jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

describe('container cloud permission policy over HTTP', () => {
  it('has PostgreSQL to run against', () => {
    // scripts/test starts one; without it the PostgreSQL half would silently not run
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    let server: typeof backend.server;

    beforeAll(async () => {
      const knex = await databases.init(databaseId as TestDatabaseId);
      backend = await startTestBackend({
        features: [
          permissionPlugin,
          catalogPlugin,
          policyModule,
          catalogFixtures([
            serviceEntity('payments-api', 'group:default/team-payments'),
          ]),
          userInfoFromMemberships(),
          authKeepingActors,
          httpAuthServiceFactory,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              permission: { enabled: true },
              catalog: { processingInterval: { seconds: 1 } },
              containerCloud: {
                permissions: { opsAdminGroups: ['group:default/ops-admins'] },
              },
            },
          }),
        ],
      });
      server = backend.server;
      await waitForEntity(
        `http://localhost:${server.port()}`,
        'component/default/payments-api',
      );
    });

    afterAll(() => backend?.stop());

    async function authorize(
      userEntityRef: string | undefined,
      items: object[],
    ) {
      const req = request(server).post('/api/permission/authorize');
      if (userEntityRef) {
        req.set('Authorization', mockCredentials.user.header(userEntityRef));
      }
      return req.send({
        items: items.map((item, i) => ({ id: String(i), ...item })),
      });
    }

    const onPaymentsApi = (permission: object) => ({
      permission,
      resourceRef: 'component:default/payments-api',
    });

    it.each([
      ['the owner team', 'user:default/alice', 'ALLOW'],
      ['an ops admin', 'user:default/carol', 'ALLOW'],
      ['another team', 'user:default/bob', 'DENY'],
    ])(
      '%s (%s) gets %s on every service operation',
      async (_who, user, expected) => {
        const res = await authorize(
          user,
          serviceOperatePermissions.map(onPaymentsApi),
        );
        expect(res.status).toBe(200);
        expect(res.body.items).toHaveLength(serviceOperatePermissions.length);
        for (const item of res.body.items) {
          expect(item.result).toBe(expected);
        }
      },
    );

    it("lets another team read the service and its containers' logs", async () => {
      const res = await authorize('user:default/bob', [
        onPaymentsApi(serviceReadPermission),
        onPaymentsApi(containerLogsReadPermission),
      ]);
      expect(res.body.items.map((i: { result: string }) => i.result)).toEqual([
        'ALLOW',
        'ALLOW',
      ]);
    });

    it('keeps platform operations for ops admins', async () => {
      const asOwner = await authorize('user:default/alice', [
        { permission: clusterAdminPermission },
      ]);
      const asOps = await authorize('user:default/carol', [
        { permission: clusterAdminPermission },
      ]);
      expect(asOwner.body.items[0].result).toBe('DENY');
      expect(asOps.body.items[0].result).toBe('ALLOW');
    });

    it('has a rule for every permission the catalog declares', async () => {
      const res = await request(server)
        .get('/api/catalog/.well-known/backstage/permissions/metadata')
        .set('Authorization', mockCredentials.service.header());
      expect(res.status).toBe(200);
      const names: string[] = res.body.permissions.map(
        (p: { name: string }) => p.name,
      );
      expect(names).toContain('catalog.entity.read');
      expect(names.filter(name => !POLICY_RULES.has(name))).toEqual([]);
    });

    it('denies a permission it does not know, to ops admins too', async () => {
      const unknown = {
        permission: {
          type: 'basic',
          name: 'some-plugin.thing.delete',
          attributes: { action: 'delete' },
        },
      };
      for (const user of ['user:default/alice', 'user:default/carol']) {
        const res = await authorize(user, [unknown]);
        expect(res.body.items[0].result).toBe('DENY');
      }
    });

    it('refuses a request without identity', async () => {
      const res = await authorize(undefined, [
        onPaymentsApi(serviceOperatePermissions[0]),
      ]);
      expect(res.status).toBe(401);
    });
  });
});
