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
  RecordedAuditEvent,
  recordingAuditor,
} from '@internal/plugin-container-cloud-node/testing';
import { nginxPlugin } from '../plugin';

/** An audit event as the recording auditor keeps it. */
export type RecordedEvent = RecordedAuditEvent;
export { recordingAuditor };

/**
 * The nginx plugin in a backend with the real catalog, permission backend and the suite's
 * policy: the Component `shop` owned by team-payments; alice in team-payments, bob in
 * team-orders, carol an ops admin. Resolves once the catalog serves `shop`.
 */
export async function startNginxBackend(options: {
  nginx: object;
  kubernetesClusters?: object[];
  services?: ServiceFactory[];
  /** more catalog entities beside `shop` */
  entities?: Entity[];
  /** containerCloud.binding beside the trusted fixtures */
  binding?: object;
}) {
  const backend = await startTestBackend({
    features: [
      permissionPlugin,
      catalogPlugin,
      policyModule,
      nginxPlugin,
      catalogFixtures([
        serviceEntity('shop', 'group:default/team-payments'),
        ...(options.entities ?? []),
      ]),
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
            nginx: options.nginx,
            // the fixtures' entities come from this location: trusted, as catalog.locations are
            binding: { trustedOrigins: [FIXTURES_ORIGIN], ...options.binding },
          },
          kubernetes: {
            clusterLocatorMethods: [
              { type: 'config', clusters: options.kubernetesClusters ?? [] },
            ],
          },
        },
      }),
    ],
  });
  for (const entity of [
    { metadata: { name: 'shop' } },
    ...(options.entities ?? []),
  ]) {
    await waitForEntity(
      `http://localhost:${backend.server.port()}`,
      `component/default/${entity.metadata.name}`,
    );
  }
  return backend;
}
