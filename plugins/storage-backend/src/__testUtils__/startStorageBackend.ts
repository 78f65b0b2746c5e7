import { startTestBackend, mockServices } from '@backstage/backend-test-utils';
import { httpAuthServiceFactory } from '@backstage/backend-defaults/httpAuth';
import type { ServiceFactory } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import permissionPlugin from '@backstage/plugin-permission-backend';
import policyModule from '@internal/plugin-permission-backend-module-container-cloud-policy';
import {
  authKeepingActors,
  catalogFixtures,
  FIXTURES_ORIGIN,
  serviceEntity,
  userInfoFromMemberships,
  waitForEntity,
} from '@internal/plugin-container-cloud-node/testing';
import { storagePlugin } from '../plugin';

/** A key for secret file sets in tests (32 bytes, base64). */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');

/**
 * The storage plugin (config files and volumes) in a backend with the real catalog, permission
 * backend and the suite's policy, configured with `configFiles` and `volumes`
 * (`containerCloud.storage.*`; config files with the test key when left out): the entities
 * given (payments-api of team-payments when left out); alice in team-payments, bob in
 * team-orders, carol an ops admin. Resolves once the catalog serves the first entity.
 */
export async function startStorageBackend(options: {
  clusters: object[];
  configFiles?: object;
  volumes?: object;
  prometheus?: object;
  services?: ServiceFactory[];
  entities?: Entity[];
}) {
  const entities = options.entities ?? [
    serviceEntity('payments-api', 'group:default/team-payments'),
  ];
  const backend = await startTestBackend({
    features: [
      permissionPlugin,
      catalogPlugin,
      policyModule,
      storagePlugin,
      catalogFixtures(entities),
      userInfoFromMemberships(),
      authKeepingActors,
      httpAuthServiceFactory,
      ...(options.services ?? []),
      mockServices.rootConfig.factory({
        data: {
          permission: { enabled: true },
          catalog: { processingInterval: { seconds: 1 } },
          containerCloud: {
            permissions: { opsAdminGroups: ['group:default/ops-admins'] },
            binding: { trustedOrigins: [FIXTURES_ORIGIN] },
            ...(options.prometheus ? { prometheus: options.prometheus } : {}),
            storage: {
              volumes: options.volumes ?? {},
              // the config files part needs its key to start
              configFiles: options.configFiles ?? {
                encryptionKey: TEST_ENCRYPTION_KEY,
              },
            },
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
    `component/default/${entities[0].metadata.name}`,
  );
  return backend;
}
