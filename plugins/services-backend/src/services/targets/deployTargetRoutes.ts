import type express from 'express';
import type {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  deployTargetsQuerySchema,
  deployTargetsSchema,
  type NewServiceCheck,
  newServiceCheckResultSchema,
  newServiceCheckSchema,
  serviceCreatePermission,
} from '@internal/plugin-container-cloud-common';
import {
  defineRoute,
  parseInput,
  type RouteGroup,
  type RouteSpec,
} from '@internal/plugin-container-cloud-node';
import { DeployTargets, groupRefOf, wouldBeComponent } from './DeployTargets';
import { WouldBeEntityPermissions } from './wouldBePermissions';

/** What the check route is about: a service that does not exist yet. */
export interface WouldBeService {
  /** `component:default/<name>` */
  entityRef: string;
  /** the Component a template would register, which the create permission is checked on */
  entity: Entity;
  request: NewServiceCheck;
  /** whether the caller belongs to the owner group (else only a policy allowing them, as ops) */
  member: boolean;
}

export type DeployTargetRoute = RouteSpec<WouldBeService>;
const route = defineRoute<WouldBeService>();

/** The deploy targets' route table: what the router, the OpenAPI document and the tests read. */
export function deployTargetRoutes(options: {
  targets: DeployTargets;
  logger: LoggerService;
  /** whether the policy lets the caller create a service owned by a group they are not in (ops) */
  mayCreateFor?: (
    credentials: BackstageCredentials,
    group: string,
  ) => Promise<boolean>;
}): DeployTargetRoute[] {
  const { targets, logger, mayCreateFor } = options;
  return [
    route({
      method: 'get',
      path: '/deploy-targets',
      summary: 'Where the caller’s teams may run a new service',
      description:
        "Per group the caller belongs to (or the one `owner` names): the placements ops granted it (containerCloud.binding.teamPlacements), a `*` cluster spelled out per configured cluster; for a group without a grant, unless grants are required, the placements of the trusted Components it owns. Empty with `reason` when there are none. A person's question: service tokens get a 403.",
      access: 'read',
      usersOnly: true,
      resource: false,
      request: { query: deployTargetsQuerySchema, names: { query: 'query' } },
      response: { description: 'the targets', schema: deployTargetsSchema },
      handler: async ({ credentials, query }) =>
        targets.forCaller(credentials, query.owner, group =>
          mayCreateFor ? mayCreateFor(credentials, group) : false,
        ),
    }),
    route({
      method: 'post',
      path: '/deploy-targets/check',
      summary:
        'Could the caller create this new service now? (changes nothing)',
      description:
        "The checks creating it will make, before its Component exists: the policy allows the caller (a member of the owner group, or ops) to create a service on a Component that group owns (its conditions applied to that would-be Component), each placement is one of the group's deploy targets, and the name is free: a Component of that name owned by the same group, or that service's own Deployments, are a re-run (`exists`).",
      access: 'operate',
      permission: serviceCreatePermission,
      refusal: (_permission, service) =>
        service.member
          ? `you may not create services owned by ${service.request.owner}: the permission policy does not allow you ${serviceCreatePermission.name} on a Component that group owns`
          : `you are not a member of ${service.request.owner}: you may create services only for a group you belong to (ops admins for any)`,
      notAudited:
        'it changes nothing: a check before a template creates anything (logged at debug)',
      request: { body: newServiceCheckSchema, names: { body: 'new service' } },
      response: {
        description: 'what creating it would find, placement by placement',
        schema: newServiceCheckResultSchema,
        errors: {
          409: "the name is taken: another group's Component, or another service's Deployment in a placement (`current`)",
        },
      },
      handler: async ({ resource, credentials }) => {
        const result = await targets.check(resource.request);
        logger.debug(
          `new service check by ${
            (credentials.principal as { userEntityRef?: string }).userEntityRef
          }: ${resource.entityRef} owned by ${
            result.owner
          } in ${result.placements
            .map(p => `${p.cluster}/${p.namespace} (${p.outcome})`)
            .join(', ')}`,
        );
        return result;
      },
    }),
  ];
}

/**
 * The deploy targets as a route group of the pipeline: the check's resource is the would-be
 * Component, looked up from the body (400 for a bad one), and its permission is decided on that Component (WouldBeEntityPermissions).
 */
export function deployTargetGroup(options: {
  targets: DeployTargets;
  logger: LoggerService;
  permissions: PermissionsService;
}): RouteGroup<WouldBeService> & { permissions: PermissionsService } {
  const { targets } = options;
  const permissions = new WouldBeEntityPermissions(options.permissions);
  const mayCreateFor = async (
    credentials: BackstageCredentials,
    group: string,
  ): Promise<boolean> => {
    const entity = wouldBeComponent('new-service', group);
    permissions.remember(credentials, entity);
    const [decision] = await permissions.authorize(
      [
        {
          permission: serviceCreatePermission,
          resourceRef: 'component:default/new-service',
        },
      ],
      { credentials },
    );
    return decision.result === AuthorizeResult.ALLOW;
  };
  return {
    routes: deployTargetRoutes({ ...options, mayCreateFor }),
    permissions,
    async lookup(
      req: express.Request,
      credentials: BackstageCredentials,
    ): Promise<WouldBeService> {
      const request = parseInput(
        newServiceCheckSchema,
        req.body,
        'new service',
      );
      const owner = groupRefOf(request.owner);
      const groups = await targets.groupsOf(credentials);
      // the policy decides on the would-be Component: its owner rule lets members, ops anyone
      const entity = wouldBeComponent(request.name, owner);
      permissions.remember(credentials, entity);
      return {
        entityRef: `component:default/${request.name}`,
        entity,
        request: { ...request, owner },
        member: groups.includes(owner),
      };
    },
    resourceRef: service => service.entityRef,
  };
}
