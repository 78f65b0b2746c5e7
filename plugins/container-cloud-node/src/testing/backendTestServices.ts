import {
  AuthService,
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';

/**
 * The people of `examples/org.yaml` and the groups the auth backend would put in their tokens.
 *
 * @public
 */
export const EXAMPLE_MEMBERSHIPS: Record<string, string[]> = {
  'user:default/alice': ['group:default/team-payments'],
  'user:default/bob': ['group:default/team-orders'],
  'user:default/carol': ['group:default/ops-admins'],
};

/**
 * Each plugin of a test backend on a database of its own from `databases` (as in production,
 * where plugins do not share tables), of the kind `databaseId` names.
 *
 * @public
 */
export function perPluginTestDatabase(
  databases: TestDatabases,
  databaseId: TestDatabaseId,
) {
  return createServiceFactory({
    service: coreServices.database,
    deps: {},
    factory: async () =>
      mockServices.database({ knex: await databases.init(databaseId) }),
  });
}

/** userInfo that answers from a fixed membership table. @public */
export function userInfoFromMemberships(
  memberships: Record<string, string[]> = EXAMPLE_MEMBERSHIPS,
) {
  return createServiceFactory({
    service: coreServices.userInfo,
    deps: {},
    factory: () => ({
      async getUserInfo(credentials) {
        const ref = (credentials.principal as { userEntityRef: string })
          .userEntityRef;
        return {
          userEntityRef: ref,
          ownershipEntityRefs: [ref, ...(memberships[ref] ?? [])],
        };
      },
    }),
  });
}

const MOCK_SERVICE_TOKEN_PREFIX = 'mock-service-token:';

/**
 * Backstage's mock auth forgets which plugin sent an on-behalf-of token; real auth keeps it as
 * the actor, and the catalog answers permission-condition checks only from such tokens. This
 * keeps it. Use it with Backstage's real `httpAuthServiceFactory`, which reads tokens through it.
 * @public
 */
export const authKeepingActors = createServiceFactory({
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

/**
 * The origin location of the entities `serviceEntity` makes; test backends trust it
 * (`containerCloud.binding.trustedOrigins`) as a portal trusts its catalog.locations.
 * @public
 */
export const FIXTURES_ORIGIN = 'url:http://fixtures/catalog.yaml';

/** A Component as the example catalog declares one. @public */
export function serviceEntity(
  name: string,
  owner: string,
  annotations: Record<string, string> = {},
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      annotations: {
        'backstage.io/managed-by-location': FIXTURES_ORIGIN,
        'backstage.io/managed-by-origin-location': FIXTURES_ORIGIN,
        'backstage.io/kubernetes-id': name,
        ...annotations,
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner },
  };
}

/** A catalog module that puts exactly these entities in the catalog. @public */
export function catalogFixtures(entities: Entity[]) {
  return createBackendModule({
    pluginId: 'catalog',
    moduleId: 'container-cloud-test-fixtures',
    register(reg) {
      reg.registerInit({
        deps: { catalog: catalogProcessingExtensionPoint },
        async init({ catalog }) {
          catalog.addEntityProvider({
            getProviderName: () => 'container-cloud-test-fixtures',
            connect: connection =>
              connection.applyMutation({
                type: 'full',
                entities: entities.map(entity => ({
                  entity,
                  locationKey: 'fixtures',
                })),
              }),
          });
        },
      });
    },
  });
}

/**
 * Waits until the catalog serves an entity (`kind/namespace/name`), polling its real API. Throws
 * after `attempts` tries.
 * @public
 */
export async function waitForEntity(
  baseUrl: string,
  path: string,
  attempts = 120,
): Promise<void> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const res = await fetch(`${baseUrl}/api/catalog/entities/by-name/${path}`, {
      headers: { Authorization: mockCredentials.service.header() },
    });
    if (res.status === 200) return;
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  throw new Error(`the catalog never showed ${path}`);
}
