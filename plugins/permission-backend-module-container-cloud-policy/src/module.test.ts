import {
  AuthService,
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import { Entity } from '@backstage/catalog-model';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import {
  clusterAdminPermission,
  serviceOperatePermissions,
  serviceReadPermission,
} from '@internal/plugin-container-cloud-common';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import request from 'supertest';
import { permissionModuleContainerCloudPolicy as policyModule } from './module';

jest.setTimeout(120_000);

// Group memberships the auth backend would put in each user's token.
const MEMBERSHIPS: Record<string, string[]> = {
  'user:default/alice': ['group:default/team-payments'],
  'user:default/bob': ['group:default/team-orders'],
  'user:default/carol': ['group:default/ops-admins'],
};

const userInfoFromMemberships = createServiceFactory({
  service: coreServices.userInfo,
  deps: {},
  factory: () => ({
    async getUserInfo(credentials) {
      const ref = (credentials.principal as { userEntityRef: string })
        .userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs: [ref, ...(MEMBERSHIPS[ref] ?? [])],
      };
    },
  }),
});

/**
 * Backstage's mock auth forgets which plugin sent an on-behalf-of token; real auth keeps it as
 * the actor, and the catalog answers condition checks only from such tokens. This keeps it.
 * Requests go through Backstage's real httpAuth, which reads tokens through this service.
 */
const MOCK_SERVICE_TOKEN_PREFIX = 'mock-service-token:';
const authKeepingActors = createServiceFactory({
  service: coreServices.auth,
  deps: { plugin: coreServices.pluginMetadata },
  factory({ plugin }) {
    const inner = mockServices.auth({ pluginId: plugin.getId() });
    const wrapper: AuthService = Object.create(inner);
    wrapper.getPluginRequestToken = async options => {
      const { token } = await inner.getPluginRequestToken(options);
      if (!inner.isPrincipal(options.onBehalfOf, 'user')) return { token };
      const claims = JSON.parse(token.slice(MOCK_SERVICE_TOKEN_PREFIX.length));
      return {
        token: `${MOCK_SERVICE_TOKEN_PREFIX}${JSON.stringify({
          ...claims,
          actor: `plugin:${plugin.getId()}`,
        })}`,
      };
    };
    wrapper.authenticate = (async (token: string, options?: object) => {
      const credentials = await inner.authenticate(token, options);
      if (
        inner.isPrincipal(credentials, 'user') &&
        token.startsWith(MOCK_SERVICE_TOKEN_PREFIX)
      ) {
        const { actor } = JSON.parse(
          token.slice(MOCK_SERVICE_TOKEN_PREFIX.length),
        );
        if (actor) {
          return mockCredentials.user(credentials.principal.userEntityRef, {
            actor: { subject: actor },
          });
        }
      }
      return credentials;
    }) as AuthService['authenticate'];
    return wrapper;
  },
});

const paymentsApi: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    annotations: {
      'backstage.io/managed-by-location': 'url:http://fixtures/catalog.yaml',
      'backstage.io/managed-by-origin-location':
        'url:http://fixtures/catalog.yaml',
      'backstage.io/kubernetes-id': 'payments-api',
    },
  },
  spec: {
    type: 'service',
    lifecycle: 'production',
    owner: 'group:default/team-payments',
  },
};

const catalogFixtures = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'policy-test-fixtures',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addEntityProvider({
          getProviderName: () => 'policy-test-fixtures',
          connect: connection =>
            connection.applyMutation({
              type: 'full',
              entities: [{ entity: paymentsApi, locationKey: 'fixtures' }],
            }),
        });
      },
    });
  },
});

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
          catalogFixtures,
          userInfoFromMemberships,
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
      await waitForEntity(server, 'component/default/payments-api');
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

    it('lets another team read the service', async () => {
      const res = await authorize('user:default/bob', [
        onPaymentsApi(serviceReadPermission),
      ]);
      expect(res.body.items[0].result).toBe('ALLOW');
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

    it('refuses a request without identity', async () => {
      const res = await authorize(undefined, [
        onPaymentsApi(serviceOperatePermissions[0]),
      ]);
      expect(res.status).toBe(401);
    });
  });
});

async function waitForEntity(
  server: Parameters<typeof request>[0],
  path: string,
) {
  for (let attempt = 0; attempt < 120; attempt++) {
    const res = await request(server)
      .get(`/api/catalog/entities/by-name/${path}`)
      .set('Authorization', mockCredentials.service.header());
    if (res.status === 200) return;
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  throw new Error(`the catalog never showed ${path}`);
}
