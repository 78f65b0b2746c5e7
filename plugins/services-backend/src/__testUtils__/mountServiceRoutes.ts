import type express from 'express';
import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { addRoutes } from '@internal/plugin-container-cloud-node';
import type { LoadedService, ServiceRoute } from '../lib/serviceRoutes';

/**
 * Mounts service routes through the real pipeline, with stand-ins around it: every caller is
 * `user`, every permission is allowed, and the service is whatever `service()` returns now.
 */
export function mountServiceRoutes(
  router: express.Router,
  routes: ServiceRoute[],
  stand: {
    user: string;
    service: () => LoadedService;
    auditor?: AuditorService;
  },
) {
  const credentials = {
    $$type: '@backstage/BackstageCredentials',
    principal: { type: 'user', userEntityRef: stand.user },
  } as unknown as BackstageCredentials;
  const httpAuth = {
    credentials: async () => credentials,
  } as unknown as HttpAuthService;
  const permissions = {
    authorize: async (requests: unknown[]) =>
      requests.map(() => ({ result: AuthorizeResult.ALLOW })),
  } as unknown as PermissionsService;
  const noAudit = {
    createEvent: async () => ({
      success: async () => {},
      fail: async () => {},
    }),
  } as unknown as AuditorService;
  addRoutes(router, routes, {
    httpAuth,
    permissions,
    auditor: stand.auditor ?? noAudit,
    lookup: async () => stand.service(),
    resourceRef: service => service.entityRef,
  });
}
