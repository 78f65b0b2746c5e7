import type {
  AuditorService,
  AuditorServiceCreateEventOptions,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import type {
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { RouteAccess } from '../auth/principals';
import type { SerializedJson } from './serializedJson';
import type { ReadDecisionCache } from './ReadDecisionCache';

/** What an audit event's metadata holds (Backstage's JsonObject). @public */
export type AuditMeta = NonNullable<AuditorServiceCreateEventOptions['meta']>;

/** @public */
export type RouteMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** A permission a route checks: on the route's resource, or a basic one. @public */
export type RoutePermission = ResourcePermission<string> | BasicPermission;

/** The schemas a request is parsed with; what a route leaves out is not read. @public */
export interface RouteRequestSchemas {
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /**
   * What a 400 calls each part ("invalid <name>: ..."), when "request" says too little, e.g.
   * `{ body: 'domain' }`.
   */
  names?: { params?: string; query?: string; body?: string };
}

/**
 * What a handler receives for one part of a request: the output of its schema, or `Otherwise`
 * when the route declares no schema for that part.
 *
 * @public
 */
export type ParsedRouteInput<S, Otherwise> = S extends z.ZodType
  ? z.output<S>
  : Otherwise;

/**
 * A handler's answer when it wrote the response itself (a stream, a download): the pipeline then
 * sends nothing. @public
 */
export const ANSWERED: unique symbol = Symbol('answered');

/** The request's audit event, as a handler may use it. @public */
export interface RouteAudit {
  /**
   * Records the success now, e.g. before a stream starts (a failing audit call then still stops
   * it). Once an outcome is recorded, later calls, and the pipeline's own, record nothing.
   */
  success(meta?: AuditMeta): Promise<void>;
  /** Records a failure now, for an answer that is no error (a 207, a stream cut short). */
  fail(error: Error, meta?: AuditMeta): Promise<void>;
  /** What the pipeline adds to the outcome it records after the handler returned. */
  meta: AuditMeta;
}

/** What a route's handler gets: the caller, the resource, and the parsed request. @public */
export interface RouteContext<TResource, TParams, TQuery, TBody> {
  req: Request;
  res: Response;
  credentials: BackstageCredentials;
  /** what the plugin's lookup found; undefined on routes declared `resource: false` */
  resource: TResource;
  params: TParams;
  query: TQuery;
  body: TBody;
  /** whether each of the route's `ask` permissions is allowed, in order */
  asked: boolean[];
  /** the request's audit event (does nothing on a route that is not audited) */
  audit: RouteAudit;
  /** the status to answer with, when it depends on the outcome (e.g. 207) */
  status?: number;
}

/**
 * One route, declared as data: the pipeline reads the caller's credentials, looks the resource
 * up, authorizes, parses, audits and answers; the handler does the route's own work, with its
 * input typed by the request schemas and its answer by the response schema.
 * @public
 */
export interface RouteSpec<
  TResource = unknown,
  TRequest extends RouteRequestSchemas = RouteRequestSchemas,
  TResponse extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: RouteMethod;
  /** the express path, e.g. `/services/:namespace/:name/scale` */
  path: string;
  /** one line for the OpenAPI document */
  summary: string;
  description?: string;
  /**
   * Who may call it: 'read' (users and services) or 'operate' (users only; every route that is
   * not a GET must be 'operate'). See READ_PRINCIPALS.
   */
  access: RouteAccess;
  /** a read that needs a person, e.g. "my services" (services get Backstage's 403) */
  usersOnly?: boolean;
  /** false: the route is about no one resource, and the plugin's lookup does not run */
  resource?: false;
  /**
   * What the caller must be allowed (every one of them) on the resource; a refusal is a 403 in
   * words. Required on 'operate' routes.
   */
  permission?: RoutePermission | RoutePermission[];
  /**
   * When the resource decides which of `permission` applies (e.g. a domain with an owner is its
   * owners' to edit, one without ops'): the ones to check on this resource, each one of
   * `permission`, which then lists every permission the route may check.
   */
  permissionFor?(resource: TResource): RoutePermission | RoutePermission[];
  /**
   * The words of this route's 403, when they depend on the route or its resource; default the
   * pipeline's `refusal`.
   */
  refusal?(
    permission: RoutePermission,
    resource: TResource,
    resourceRef: string | undefined,
  ): string;
  /** permissions asked about in the same round trip, answered in `asked` (not required) */
  ask?: RoutePermission[];
  /**
   * The audit event every call records, refusals and bad requests included (after the caller
   * and the resource are known). Routes that are not GETs must have one, or say in
   * `notAudited` why not.
   */
  audit?: {
    eventId: string;
    severityLevel?: AuditorServiceCreateEventOptions['severityLevel'];
  };
  /** why a route that changes something records no audit event of its own */
  notAudited?: string;
  request?: TRequest;
  response: {
    /** 200 unless said; 204 when there is neither a schema nor a content type */
    status?: number;
    schema?: TResponse;
    description: string;
    /**
     * The handler answers with a `SerializedJson` (serialised once for many callers): the answer
     * carries an ETag, and a request whose `If-None-Match` names it gets a 304 without a body.
     */
    conditional?: boolean;
    /** a handler that answers itself (`ANSWERED`) says here what it sends */
    contentType?: string;
    /** other answers that are no error, e.g. `{ 207: 'some clusters failed' }` */
    otherStatuses?: Record<number, string>;
    /**
     * Error answers this route gives beyond the ones every route may give (400, 401, 403, 404),
     * e.g. `{ 409: 'the Deployment changed since it was loaded', 503: 'the cluster is down' }`;
     * a 409's body carries the resource as it is now (`current`).
     */
    errors?: Record<number, string>;
  };
  handler(
    ctx: RouteContext<
      TResource,
      ParsedRouteInput<TRequest['params'], Record<string, string>>,
      ParsedRouteInput<TRequest['query'], undefined>,
      ParsedRouteInput<TRequest['body'], undefined>
    >,
  ): Promise<
    | (TResponse extends z.ZodType ? z.input<TResponse> : void)
    | typeof ANSWERED
    | SerializedJson
  >;
}

/**
 * Declares a route with its handler typed by its schemas. Routes of different shapes go into
 * one table (`RouteSpec<TResource>[]`) as they are.
 * @public
 */
export function defineRoute<TResource>() {
  return <
    TRequest extends RouteRequestSchemas,
    TResponse extends z.ZodType | undefined = undefined,
  >(
    spec: RouteSpec<TResource, TRequest, TResponse>,
  ): RouteSpec<TResource, TRequest, TResponse> => spec;
}

/** What the pipeline needs from the plugin. @public */
export interface RoutePipelineOptions<TResource> {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  /**
   * Finds the route's resource with the caller's credentials (e.g. a catalog entity, read with
   * the caller's rights, and what it controls); throws NotFoundError when there is none.
   */
  lookup?(req: Request, credentials: BackstageCredentials): Promise<TResource>;
  /**
   * the resource's reference, for resource permissions (undefined: it has none, and a route may
   * check only basic permissions on it, see `permissionFor`)
   */
  resourceRef?(resource: TResource): string | undefined;
  /** what the audit events of requests about the resource record of it, e.g. `{ entityRef }` */
  auditMeta?(resource: TResource): AuditMeta;
  /**
   * The request as the audit event keeps it (the body, or the query of a GET), e.g. without
   * secrets; undefined leaves it out. Default: as it came.
   */
  auditedRequest?(input: unknown): AuditMeta | undefined;
  /**
   * What every audit event records of the request itself, beside the resource's `auditMeta`,
   * e.g. the names in its path or body, whatever the route and whether it has a resource.
   */
  auditContext?(req: Request): AuditMeta;
  /**
   * Remembers users' reads for a few seconds (the lookup and the decisions of GET routes of
   * access 'read'; see `ReadDecisionCache` for the trade). Only for a lookup that depends on the
   * path parameters and the caller alone, and returns nothing that changes faster than the
   * cache's lifetime matters for. Default: none, every request is looked up and authorized.
   */
  readDecisions?: ReadDecisionCache<TResource>;
  /** the words of a 403; default "you may not <permission> <resource>" */
  refusal?(
    permission: RoutePermission,
    resourceRef: string | undefined,
  ): string;
}
