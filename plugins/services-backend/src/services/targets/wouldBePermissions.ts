import type {
  BackstageCredentials,
  PermissionsService,
  PermissionsServiceRequestOptions,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizePermissionRequest,
  AuthorizePermissionResponse,
  AuthorizeResult,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  PermissionRule,
} from '@backstage/plugin-permission-node';

/** The catalog's own permission rules, by name, as the catalog applies them. */
const catalogRules = Object.values(permissionRules) as PermissionRule<
  Entity,
  unknown,
  string
>[];
const authorizeEntity = createConditionAuthorizer<Entity>({
  getRuleByName(name) {
    const rule = catalogRules.find(r => r.name === name);
    if (!rule) throw new Error(`no catalog permission rule '${name}'`);
    return rule;
  },
});

/**
 * The permissions of a request about an entity that is not in the catalog yet (a new service):
 * a resource permission is asked of the policy as a conditional decision, and its conditions are
 * applied with the catalog's own rules to the would-be entity, which the request's lookup
 * remembers for that request (keyed by its credentials object, which the pipeline passes to both).
 * Basic permissions go to the permission backend as they are.
 */
export class WouldBeEntityPermissions implements PermissionsService {
  private readonly entities = new WeakMap<BackstageCredentials, Entity>();

  constructor(private readonly permissions: PermissionsService) {}

  /** The entity the resource permissions of this request are checked against. */
  remember(credentials: BackstageCredentials, entity: Entity): void {
    this.entities.set(credentials, entity);
  }

  async authorize(
    requests: AuthorizePermissionRequest[],
    options: PermissionsServiceRequestOptions,
  ): Promise<AuthorizePermissionResponse[]> {
    return Promise.all(
      requests.map(async request => {
        if (!isResourcePermission(request.permission)) {
          const [decision] = await this.permissions.authorize(
            [request],
            options,
          );
          return decision;
        }
        const entity = this.entities.get(options.credentials);
        if (!entity) {
          throw new Error(
            `${request.permission.name}: no would-be entity was looked up for this request`,
          );
        }
        const [decision] = await this.permissions.authorizeConditional(
          [{ permission: request.permission }],
          options,
        );
        if (decision.result !== AuthorizeResult.CONDITIONAL) {
          return { result: decision.result };
        }
        return {
          result: authorizeEntity(decision, entity)
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
        };
      }),
    );
  }

  authorizeConditional: PermissionsService['authorizeConditional'] = (
    requests,
    options,
  ) => this.permissions.authorizeConditional(requests, options);
}
