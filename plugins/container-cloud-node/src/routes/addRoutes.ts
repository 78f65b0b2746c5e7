import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import type { NextFunction, Request, Response, Router } from 'express';
import { routeCredentials } from '../auth/principals';
import { mapRouteError } from './errors';
import { parseInput } from './parseInput';
import { isSerializedJson, sendSerializedJson } from './serializedJson';
import {
  ANSWERED,
  AuditMeta,
  RouteAudit,
  RoutePermission,
  RoutePipelineOptions,
  RouteSpec,
} from './types';

/**
 * Checks what every route table must hold before any route is served: one declaration per method
 * and path, and the pipeline's rule for mutations.
 *
 * The rule: a route that changes anything (every method but GET) acts for a signed-in person
 * only (access 'operate': a service token gets a 403 in words), checks a permission, and records
 * an audit event or says why it does not. Backstage's permission client allows every service
 * principal without asking the policy, so a mutation open to service tokens would let any backend
 * secret operate every workload; a plugin acting for a person sends that person's token.
 * @public
 */
export function checkRouteTable(routes: readonly RouteSpec<any>[]): void {
  const seen = new Set<string>();
  for (const route of routes) {
    const key = `${route.method.toUpperCase()} ${route.path}`;
    if (seen.has(key)) throw new Error(`${key} is declared twice`);
    seen.add(key);
    if (route.method !== 'get' && route.access !== 'operate') {
      throw new Error(
        `${key} changes something: its access must be 'operate' (users only)`,
      );
    }
    if (route.access === 'operate' && !route.permission) {
      throw new Error(`${key} operates: it must check a permission`);
    }
    if (route.method !== 'get' && !route.audit && !route.notAudited) {
      throw new Error(
        `${key} changes something: it must record an audit event, or say in notAudited why not`,
      );
    }
    const resourcePermissions = [route.permission ?? [], route.ask ?? []]
      .flat()
      .filter(p => isResourcePermission(p));
    if (route.resource === false && resourcePermissions.length > 0) {
      throw new Error(
        `${key} has no resource to check ${resourcePermissions[0].name} on`,
      );
    }
    if (route.resource === false && route.permissionFor) {
      throw new Error(`${key} has no resource to choose its permission by`);
    }
  }
}

function defaultRefusal(
  permission: RoutePermission,
  resourceRef: string | undefined,
): string {
  return `you may not ${permission.name}${
    resourceRef ? ` ${resourceRef}` : ''
  }`;
}

/** The request's audit event, recording one outcome at most; a no-op without an event id. */
async function openAudit<TResource>(
  route: RouteSpec<TResource>,
  options: RoutePipelineOptions<TResource>,
  req: Request,
  resource: TResource,
): Promise<RouteAudit & { ended: boolean }> {
  const event = route.audit
    ? await options.auditor.createEvent({
        eventId: route.audit.eventId,
        severityLevel: route.audit.severityLevel ?? 'medium',
        request: req,
        meta: auditStartMeta(route, options, req, resource),
      })
    : undefined;
  const audit = {
    ended: false,
    meta: {} as AuditMeta,
    async success(meta?: AuditMeta) {
      if (audit.ended) return;
      audit.ended = true;
      await event?.success({ meta: { ...audit.meta, ...meta } });
    },
    async fail(error: Error, meta?: AuditMeta) {
      if (audit.ended) return;
      audit.ended = true;
      await event?.fail({ error, meta: { ...audit.meta, ...meta } });
    },
  };
  return audit;
}

function auditStartMeta<TResource>(
  route: RouteSpec<TResource>,
  options: RoutePipelineOptions<TResource>,
  req: Request,
  resource: TResource,
): AuditMeta {
  const input = route.method === 'get' ? req.query : req.body;
  const request = options.auditedRequest
    ? options.auditedRequest(input)
    : (input as AuditMeta | undefined);
  return {
    ...options.auditContext?.(req),
    ...(route.resource !== false && options.auditMeta
      ? options.auditMeta(resource)
      : {}),
    ...(request ? { request } : {}),
  };
}

/**
 * Every required permission must be allowed (the first refusal is a 403 in words); answers the
 * asked ones, in one round trip to the permission backend.
 */
async function authorize<TResource>(
  route: RouteSpec<TResource>,
  options: RoutePipelineOptions<TResource>,
  resource: TResource,
  credentials: BackstageCredentials,
): Promise<boolean[]> {
  const required = requiredPermissions(route, resource);
  const asked = route.ask ?? [];
  if (required.length + asked.length === 0) return [];
  const resourceRef =
    route.resource === false ? undefined : options.resourceRef?.(resource);
  const decisions = await options.permissions.authorize(
    [...required, ...asked].map(permission => {
      if (!isResourcePermission(permission)) return { permission };
      if (resourceRef === undefined) {
        throw new Error(
          `${route.method.toUpperCase()} ${route.path}: ${
            permission.name
          } needs the pipeline's resourceRef`,
        );
      }
      return { permission, resourceRef };
    }),
    { credentials },
  );
  required.forEach((permission, i) => {
    if (decisions[i].result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        route.refusal
          ? route.refusal(permission, resource, resourceRef)
          : (options.refusal ?? defaultRefusal)(permission, resourceRef),
      );
    }
  });
  return decisions
    .slice(required.length)
    .map(decision => decision.result === AuthorizeResult.ALLOW);
}

/** The route's permissions, or those `permissionFor` chose for the resource among them. */
function requiredPermissions<TResource>(
  route: RouteSpec<TResource>,
  resource: TResource,
): RoutePermission[] {
  const declared = [route.permission ?? []].flat();
  if (!route.permissionFor) return declared;
  const chosen = [route.permissionFor(resource)].flat();
  for (const permission of chosen) {
    if (!declared.some(p => p.name === permission.name)) {
      throw new Error(
        `${route.method.toUpperCase()} ${route.path}: ${
          permission.name
        } is not one of the route's permissions`,
      );
    }
  }
  return chosen;
}

async function callerOf<TResource>(
  route: RouteSpec<TResource>,
  options: RoutePipelineOptions<TResource>,
  req: Request,
): Promise<BackstageCredentials> {
  if (route.usersOnly && route.access === 'read') {
    return options.httpAuth.credentials(req, { allow: ['user'] });
  }
  return routeCredentials(options.httpAuth, req, route.access);
}

/**
 * The one route pipeline: mounts every route of the table on the router, each as credentials →
 * resource lookup → audit event opened → authorize → parse → handler → audit outcome → answer,
 * with one error mapping (see `mapRouteError`; everything else goes on to Backstage's error
 * handler). Who may call what is `checkRouteTable`'s rule, checked here before anything mounts.
 *
 * A caller without credentials gets a 401 and a resource that is not theirs to see a 404, both
 * before an audit event exists; from the audit event on, every outcome is recorded: a refusal,
 * a bad request and a failure as failures, the answer as a success.
 * @public
 */
export function addRoutes<TResource>(
  router: Router,
  routes: readonly RouteSpec<TResource, any, any>[],
  options: RoutePipelineOptions<TResource>,
): void {
  checkRouteTable(routes);
  for (const route of routes) {
    const handle = async (req: Request, res: Response) => {
      const credentials = await callerOf(route, options, req);
      const readKey = options.readDecisions?.keyOf(route, req, credentials);
      const remembered =
        readKey === undefined ? undefined : options.readDecisions?.get(readKey);
      let resource = remembered?.resource as TResource;
      if (!remembered && route.resource !== false && options.lookup) {
        resource = await options.lookup(req, credentials);
      }
      const audit = await openAudit(route, options, req, resource);
      const request = { method: req.method, url: req.originalUrl };
      try {
        const asked = remembered
          ? remembered.asked
          : await authorize(route, options, resource, credentials);
        if (readKey !== undefined && !remembered) {
          options.readDecisions?.set(readKey, { resource, asked });
        }
        const ctx = {
          req,
          res,
          credentials,
          resource,
          asked,
          audit,
          status: undefined as number | undefined,
          params: route.request?.params
            ? parseInput(
                route.request.params,
                req.params,
                route.request.names?.params,
              )
            : req.params,
          query: route.request?.query
            ? parseInput(
                route.request.query,
                req.query,
                route.request.names?.query,
              )
            : undefined,
          body: route.request?.body
            ? parseInput(
                route.request.body,
                req.body,
                route.request.names?.body,
              )
            : undefined,
        };
        const answer = await route.handler(ctx);
        await audit.success();
        if (answer === ANSWERED) return;
        if (isSerializedJson(answer)) {
          // serialised once for many callers: a 304 to a caller that holds it already
          await sendSerializedJson(
            req,
            res,
            ctx.status ?? route.response.status ?? 200,
            answer,
          );
          return;
        }
        if (route.response.schema) {
          res.status(ctx.status ?? route.response.status ?? 200).json(answer);
        } else {
          res.status(ctx.status ?? route.response.status ?? 204).end();
        }
      } catch (error) {
        await audit.fail(error as Error);
        const mapped = mapRouteError(error, request);
        if ('answer' in mapped && !res.headersSent) {
          res.status(mapped.answer.status).json(mapped.answer.body);
          return;
        }
        throw 'rethrow' in mapped ? mapped.rethrow : error;
      }
    };
    // errors go on to the router's error handler (Backstage's), whatever router this is
    router[route.method](
      route.path,
      (req: Request, res: Response, next: NextFunction) => {
        handle(req, res).catch(next);
      },
    );
  }
}
