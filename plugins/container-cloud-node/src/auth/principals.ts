import type {
  BackstageCredentials,
  BackstageServicePrincipal,
  BackstageUserPrincipal,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';

/**
 * Who may call which Container Cloud route, the one rule every backend plugin of the suite
 * follows:
 *
 * - reading a view (workloads, history, domains, versions, health): a signed-in user or a service
 *   (another plugin, automation with an external-access token);
 * - changing anything (every mutating route) and reading what is inside a container (files,
 *   shells): a user only.
 *
 * Why: Backstage's permission client allows every service principal without asking the policy,
 * so a route that let services in would let any backend secret operate every workload. A plugin
 * that acts for a person (a scaffolder action, an action of the actions registry) sends that
 * person's token on their behalf, which arrives here as the user.
 *
 * @public
 */
export const READ_PRINCIPALS = ['user', 'service'] as const;
/**
 * The principals a route that operates allows: a signed-in user only (why: see
 * {@link READ_PRINCIPALS}).
 *
 * @public
 */
export const OPERATE_PRINCIPALS = ['user'] as const;

/** What a route does: read a view, or operate (change, or read inside a container). @public */
export type RouteAccess = 'read' | 'operate';

/**
 * The caller of a read: a user or a service; 401 without credentials.
 *
 * @public
 */
export function readerCredentials(
  httpAuth: HttpAuthService,
  req: Parameters<HttpAuthService['credentials']>[0],
): Promise<
  BackstageCredentials<BackstageUserPrincipal | BackstageServicePrincipal>
> {
  return httpAuth.credentials(req, { allow: [...READ_PRINCIPALS] });
}

/**
 * The caller of a route that operates: a signed-in user; 401 without credentials, 403 in words
 * for a service.
 *
 * @public
 */
export async function operatorCredentials(
  httpAuth: HttpAuthService,
  req: Parameters<HttpAuthService['credentials']>[0],
): Promise<BackstageCredentials<BackstageUserPrincipal>> {
  const credentials = await readerCredentials(httpAuth, req);
  if (credentials.principal.type !== 'user') {
    throw new NotAllowedError(
      "only a signed-in person may change workloads or read inside containers; a service token may only read (a plugin acting for a person sends that person's token)",
    );
  }
  return credentials as BackstageCredentials<BackstageUserPrincipal>;
}

/** The caller's credentials for a route of the given access. @public */
export function routeCredentials(
  httpAuth: HttpAuthService,
  req: Parameters<HttpAuthService['credentials']>[0],
  access: RouteAccess,
): Promise<BackstageCredentials> {
  return access === 'operate'
    ? operatorCredentials(httpAuth, req)
    : readerCredentials(httpAuth, req);
}
