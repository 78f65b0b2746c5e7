import { startTestBackend, mockServices } from '@backstage/backend-test-utils';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import {
  AuthService,
  BackendFeature,
  coreServices,
  createBackendPlugin,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import policyModule from '@internal/plugin-permission-backend-module-container-cloud-policy';
// the real services backend, which the actions call over HTTP as the user
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import servicesPlugin from '@internal/plugin-services-backend';
import {
  authKeepingActors,
  catalogFixtures,
  EXAMPLE_MEMBERSHIPS,
  FIXTURES_ORIGIN,
  serviceEntity,
  userInfoFromMemberships,
  waitForEntity,
} from '@internal/plugin-container-cloud-node/testing';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { mockCredentials } from '@backstage/backend-test-utils';
import { scaffolderAction, SuiteActionDeps } from '../actions/adapters';
import type { SuiteAction } from '../actions/SuiteAction';
import { scaffolderModuleContainerCloud } from '../module';
import { SuiteClient } from '../lib/SuiteClient';

/** The local guest sign-in: a member of team-payments, so an owner of payments-api. */
export const GUEST = 'user:default/guest';
/** team-orders: no owner of payments-api. */
export const BOB = 'user:default/bob';
export const APP_BASE_URL = 'http://localhost:3000';

/** The local cloud's clusters as `containerCloud.clusters` entries (service-account tokens). */
export function localCloudClusters(info: {
  clusters: Array<{
    name: string;
    url: string;
    serviceAccountToken: string;
    caData: string;
  }>;
}): object[] {
  return info.clusters.map(c => ({
    name: c.name,
    url: c.url,
    authProvider: 'serviceAccount',
    serviceAccountToken: c.serviceAccountToken,
    caData: c.caData,
  }));
}

/** A service of team-payments placed in `namespace` of each of `clusters`. */
export function paymentsServicePlacedIn(
  name: string,
  clusters: string[],
  namespace: string,
): Entity {
  return serviceEntity(name, 'group:default/team-payments', {
    'container-cloud.io/placements': clusters
      .map(c => `${c}/${namespace}`)
      .join(','),
  });
}

/**
 * A backend with the real catalog, permission backend and the suite's policy, the services
 * backend, the scaffolder with this module, and Backstage's actions registry: payments-api owned
 * by team-payments (the guest's team). Answers with a SuiteClient that reaches the services
 * backend as the scaffolder does (discovery and the plugin's own auth).
 */
export async function startSuiteBackend(options: {
  clusters: object[];
  entities?: Entity[];
  /** more plugins: the storage or nginx backend */
  features?: BackendFeature[];
  /** more of `containerCloud` (storage, nginx) */
  containerCloud?: object;
}) {
  let plugin: { discovery: DiscoveryService; auth: AuthService } | undefined;
  // the scaffolder's own discovery and auth, for tests that run an action with a mock context
  const harness = createBackendPlugin({
    pluginId: 'suite-actions-harness',
    register(env) {
      env.registerInit({
        deps: { discovery: coreServices.discovery, auth: coreServices.auth },
        async init(deps) {
          plugin = deps;
        },
      });
    },
  });
  const backend = await startTestBackend({
    features: [
      permissionPlugin,
      catalogPlugin,
      policyModule,
      servicesPlugin,
      scaffolderPlugin,
      scaffolderModuleContainerCloud,
      harness,
      ...(options.features ?? []),
      catalogFixtures(
        options.entities ?? [
          serviceEntity('payments-api', 'group:default/team-payments'),
        ],
      ),
      userInfoFromMemberships({
        ...EXAMPLE_MEMBERSHIPS,
        [GUEST]: ['group:default/team-payments'],
      }),
      authKeepingActors,
      httpAuthServiceFactory,
      mockServices.rootConfig.factory({
        data: {
          app: { baseUrl: APP_BASE_URL },
          backend: { actions: { pluginSources: ['scaffolder'] } },
          permission: { enabled: true },
          catalog: { processingInterval: { seconds: 1 } },
          containerCloud: {
            permissions: { opsAdminGroups: ['group:default/ops-admins'] },
            binding: { trustedOrigins: [FIXTURES_ORIGIN] },
            ...options.containerCloud,
          },
          kubernetes: {
            clusterLocatorMethods: [
              { type: 'config', clusters: options.clusters },
            ],
          },
        },
      }),
    ],
  });
  await waitForEntity(
    `http://localhost:${backend.server.port()}`,
    'component/default/payments-api',
  );
  return {
    backend,
    client: new SuiteClient(plugin!),
    deps: { client: new SuiteClient(plugin!), appBaseUrl: APP_BASE_URL },
  };
}

/**
 * Runs one of the suite's actions as the scaffolder would, for `user` (a mock action context whose
 * initiator is that user): what it output, and what it logged at info.
 */
export async function runSuiteAction(
  deps: SuiteActionDeps,
  action: SuiteAction<any, any>,
  user: string,
  input: object,
  isDryRun = false,
): Promise<{ outputs: Record<string, any>; logs: string[] }> {
  const outputs: Record<string, any> = {};
  const logs: string[] = [];
  const base = createMockActionContext({ input: input as any });
  await scaffolderAction(action, deps).handler({
    ...base,
    isDryRun,
    output: (name: string, value: unknown) => {
      outputs[name] = value;
    },
    // the context's logger with info recorded; its other methods (warn, child, …) as they are,
    // also those on its prototype, which a spread would drop
    logger: Object.assign(Object.create(base.logger), {
      info: (m: string) => logs.push(m),
    }),
    getInitiatorCredentials: async () => mockCredentials.user(user),
  } as any);
  return { outputs, logs };
}
