import express from 'express';
import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  DomainView,
  domainListSchema,
  domainSaveSchema,
  nginxClusterListSchema,
  nginxClusterQuerySchema,
  nginxDiffQuerySchema,
  nginxDomainEditPermission,
  nginxDomainParamsSchema,
  nginxDomainsQuerySchema,
  nginxEntityQuerySchema,
  nginxPublishPermission,
  nginxPublishSchema,
  nginxRollbackSchema,
  nginxUpstreamEditPermission,
  nginxVersionParamsSchema,
  publishResultSchema,
  renderedDomainSchema,
  rollbackResultSchema,
  testEnvironmentSyncResultSchema,
  upstreamMembersChangeSchema,
  upstreamMembersResultSchema,
  versionDiffSchema,
  versionListSchema,
  versionSchema,
} from '@internal/plugin-container-cloud-common';
import {
  AuditMeta,
  defineRoute,
  moduleRouter,
  openApiDocument,
  parseInput,
  RouteAudit,
  RouteSpec,
} from '@internal/plugin-container-cloud-node';
import type { NginxService } from './services/NginxService';
import type { TestEnvironments } from './services/TestEnvironments';
import {
  checkOwnerMemberNames,
  checkOwnerMembers,
  DEFAULT_FORBIDDEN_RANGES,
  ForbiddenMembers,
  forbiddenMembers as forbiddenMembersOf,
} from './services/memberPolicy';
import { OwnerSourceCheck, refuseOwnerSources } from './services/ownerSources';

export interface RouterOptions {
  nginx: NginxService;
  /** set when `containerCloud.nginx.testEnvironments` is configured */
  testEnvironments?: TestEnvironments;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  /**
   * What the owners of a domain may not point its upstreams at (ops admins may); default
   * DEFAULT_FORBIDDEN_RANGES and no apiservers.
   */
  forbiddenMembers?: ForbiddenMembers;
  /**
   * Which Kubernetes sources the owners of a domain may add (ops admins may add any): their own
   * service's, by its binding (ownerSourceCheck). Default: none.
   */
  ownerSources?: OwnerSourceCheck;
}

/**
 * One route of the nginx backend. Its resource, on the routes under `/domains/:cluster/:name`,
 * is that domain; the other routes are about no one resource (`resource: false`).
 */
export type NginxRoute = RouteSpec<DomainView>;
const route = defineRoute<DomainView>();

const DOMAIN_PATH = '/domains/:cluster/:name';
const OPS = 'only ops admins may';

/** The 403 of an ops-only route: "you may not <action>: only ops admins may". */
const opsOnly = (action: string) => () => `you may not ${action}: ${OPS}`;

/** What an audit event keeps of a result: never whole config texts. */
function summarize(result: object): AuditMeta {
  const { text, domain, ...rest } = result as {
    text?: string;
    domain?: { name: string; cluster: string };
  };
  return JSON.parse(
    JSON.stringify(
      domain ? { ...rest, domain: `${domain.cluster}/${domain.name}` } : rest,
    ),
  );
}

/**
 * Records a mutation's result in its audit event; a delivery some nodes did not take is a failure
 * there, while the caller still gets the result (200) with each node's outcome.
 */
async function recordResult<T extends object>(
  audit: RouteAudit,
  result: T,
): Promise<T> {
  const failedDelivery =
    ('ok' in result && result.ok === false) ||
    ('publish' in result &&
      (result.publish as { ok?: boolean } | undefined)?.ok === false);
  if (failedDelivery) {
    await audit.fail(new Error('delivery failed on some nodes'), {
      result: summarize(result),
    });
  } else {
    audit.meta.result = summarize(result);
  }
  return result;
}

/** The domain of `/domains/:cluster/:name`; 400 for names that cannot be one, 404 for none. */
async function lookupDomain(nginx: NginxService, req: express.Request) {
  const params = parseInput(nginxDomainParamsSchema, req.params, 'domain');
  return nginx.getDomainView(params.cluster, params.name);
}

/** The cluster and domain a request names, from its path or its body, for its audit event. */
function auditContext(req: express.Request): AuditMeta {
  const params = req.params as Record<string, string | undefined>;
  const body = (typeof req.body === 'object' && req.body) || {};
  const text = (value: unknown) =>
    typeof value === 'string' ? value.slice(0, 100) : undefined;
  const context: AuditMeta = {};
  const cluster = text(params.cluster ?? body.cluster);
  const domain = text(params.name ?? body.name);
  if (cluster !== undefined) context.cluster = cluster;
  if (domain !== undefined) context.domain = domain;
  return context;
}

/**
 * The nginx backend's route table, every route as data (see container-cloud-node's
 * `addRoutes`): the router, the permission tests and the OpenAPI document read it.
 */
export function nginxRouteTable(options: RouterOptions): NginxRoute[] {
  const { nginx } = options;
  const forbiddenMembers =
    options.forbiddenMembers ??
    forbiddenMembersOf(DEFAULT_FORBIDDEN_RANGES, []);
  const ownerSources = options.ownerSources ?? refuseOwnerSources;
  return [
    route({
      method: 'get',
      path: '/clusters',
      summary: 'The nginx clusters, with each node’s last delivery',
      access: 'read',
      resource: false,
      response: { description: 'the clusters', schema: nginxClusterListSchema },
      handler: async () => ({ items: await nginx.listClusters() }),
    }),
    route({
      method: 'get',
      path: '/domains',
      summary: 'The domains of every cluster, or of one',
      access: 'read',
      resource: false,
      request: { query: nginxDomainsQuerySchema, names: { query: 'query' } },
      response: { description: 'the domains', schema: domainListSchema },
      handler: async ({ query }) => ({
        items: await nginx.listDomainViews(query.cluster),
      }),
    }),
    route({
      method: 'get',
      path: DOMAIN_PATH,
      summary: 'One domain, with the conf.d text it renders to now',
      access: 'read',
      request: {
        params: nginxDomainParamsSchema,
        names: { params: 'domain' },
      },
      response: { description: 'the domain', schema: renderedDomainSchema },
      handler: async ({ resource: domain }) => {
        const { version: _version, ...definition } = domain;
        const rendered = await nginx.render([definition]);
        return { domain, text: Object.values(rendered.files)[0] };
      },
    }),
    route({
      method: 'get',
      path: '/entity-domains',
      summary: 'The domains a catalog Component owns',
      access: 'read',
      resource: false,
      request: { query: nginxEntityQuerySchema, names: { query: 'query' } },
      response: { description: 'its domains', schema: domainListSchema },
      handler: async ({ query }) => ({
        items: await nginx.domainsOwnedBy(query.entityRef),
      }),
    }),
    route({
      method: 'get',
      path: '/versions',
      summary: 'The versions of a cluster’s configuration, newest first',
      access: 'read',
      resource: false,
      request: { query: nginxClusterQuerySchema, names: { query: 'query' } },
      response: { description: 'the versions', schema: versionListSchema },
      handler: async ({ query }) => ({
        items: await nginx.listVersions(query.cluster),
      }),
    }),
    route({
      method: 'get',
      path: '/versions/:id',
      summary: 'One version, with its files and domains',
      access: 'read',
      resource: false,
      request: {
        params: nginxVersionParamsSchema,
        query: nginxClusterQuerySchema,
        names: { params: 'version', query: 'query' },
      },
      response: { description: 'the version', schema: versionSchema },
      handler: async ({ params, query }) =>
        nginx.getVersion(query.cluster, params.id),
    }),
    route({
      method: 'get',
      path: '/diff',
      summary: 'What changed from one version of a cluster to another',
      access: 'read',
      resource: false,
      request: { query: nginxDiffQuerySchema, names: { query: 'query' } },
      response: { description: 'file by file', schema: versionDiffSchema },
      handler: async ({ query }) =>
        nginx.diff(query.cluster, query.from, query.to),
    }),
    route({
      method: 'post',
      path: '/domains',
      summary: 'Save a whole domain (a draft until the cluster is published)',
      description:
        'The body carries the version of the domain the edit was made from (0 for a new domain). When the saved domain has another version, nothing is saved: 409 with the domain as it is now (`current`; null when it no longer exists).',
      access: 'operate',
      resource: false,
      permission: nginxDomainEditPermission,
      refusal: opsOnly('save domains'),
      audit: { eventId: 'nginx-domain-save' },
      request: { body: domainSaveSchema, names: { body: 'domain' } },
      response: {
        description:
          'the domain with its new version, and the text it renders to',
        schema: renderedDomainSchema,
      },
      handler: async ({ body, credentials, audit }) => {
        const { version, ...domain } = body;
        return recordResult(
          audit,
          await nginx.saveDomain(domain, userOf(credentials), version),
        );
      },
    }),
    route({
      method: 'post',
      path: `${DOMAIN_PATH}/members`,
      summary:
        'Change the members of some upstreams of a domain (published at once when it is live)',
      description:
        "A domain's owners (the owners of its Component) may, within the platform's member policy; ops admins may on any domain. The body carries the version of the domain the change was made from; when the saved domain has another, nothing changes: 409 with the domain as it is now (`current`).",
      access: 'operate',
      permission: [nginxUpstreamEditPermission, nginxDomainEditPermission],
      // an owned domain is its owners' (and ops'), one without an owner ops' only
      permissionFor: domain =>
        domain.owner ? nginxUpstreamEditPermission : nginxDomainEditPermission,
      refusal: (_permission, domain) =>
        `you may not edit the upstream members of domain '${domain.name}': ${
          domain.owner
            ? `only the owners of ${domain.owner} and ops admins may`
            : OPS
        }`,
      // whether the caller is an ops admin, who may point members anywhere
      ask: [nginxDomainEditPermission],
      audit: { eventId: 'nginx-upstream-members-edit' },
      request: {
        params: nginxDomainParamsSchema,
        body: upstreamMembersChangeSchema,
        names: { params: 'domain', body: 'upstream members' },
      },
      response: {
        description: 'the domain, and the publish when it was live',
        schema: upstreamMembersResultSchema,
      },
      handler: async ({
        resource: domain,
        body,
        asked,
        credentials,
        audit,
      }) => {
        const [isOps] = asked;
        // owners publish at once: their members may not lead a public domain inside the
        // platform, nor to another service's pods
        if (!isOps) {
          checkOwnerMembers(body.upstreams, forbiddenMembers);
          // names resolved now, every address checked; a name that does not resolve is ops'
          await checkOwnerMemberNames(body.upstreams, forbiddenMembers);
          await ownerSources(domain.owner!, body.upstreams);
        }
        return recordResult(
          audit,
          await nginx.updateMembers(
            domain.cluster,
            domain.name,
            body,
            userOf(credentials),
          ),
        );
      },
    }),
    route({
      method: 'post',
      path: '/publish',
      summary:
        'Publish a cluster: its domains as they are now become its next version',
      access: 'operate',
      resource: false,
      permission: nginxPublishPermission,
      refusal: opsOnly('publish'),
      audit: { eventId: 'nginx-publish' },
      request: { body: nginxPublishSchema, names: { body: 'publish request' } },
      response: {
        description: 'the version and how each node took it',
        schema: publishResultSchema,
      },
      handler: async ({ body, credentials, audit }) =>
        recordResult(
          audit,
          await nginx.publish(
            body.cluster,
            body.message ?? '',
            userOf(credentials),
          ),
        ),
    }),
    route({
      method: 'post',
      path: '/rollback',
      summary:
        "Roll a cluster back: an earlier version's domains, with today's Kubernetes endpoints, become its next version",
      description:
        'The saved domains the rollback changes become the old definitions, except those with an unpublished draft: those drafts stay, and the answer names them (`keptDrafts`).',
      access: 'operate',
      resource: false,
      permission: nginxPublishPermission,
      refusal: opsOnly('roll back'),
      audit: { eventId: 'nginx-rollback' },
      request: {
        body: nginxRollbackSchema,
        names: { body: 'rollback request' },
      },
      response: {
        description:
          'the version, how each node took it, and the drafts it kept',
        schema: rollbackResultSchema,
      },
      handler: async ({ body, credentials, audit }) =>
        recordResult(
          audit,
          await nginx.rollback(
            body.cluster,
            body.version,
            body.message,
            userOf(credentials),
          ),
        ),
    }),
    route({
      method: 'post',
      path: '/test-environments/sync',
      summary:
        'Publish the test environments now: a domain per service found in the clusters',
      access: 'operate',
      resource: false,
      permission: nginxPublishPermission,
      refusal: opsOnly('publish test environments'),
      audit: { eventId: 'nginx-test-environments-sync' },
      response: {
        description: 'the test domains added, updated and removed',
        schema: testEnvironmentSyncResultSchema,
      },
      handler: async ({ audit }) => {
        if (!options.testEnvironments) {
          throw new NotFoundError(
            'test environments are not configured (containerCloud.nginx.testEnvironments)',
          );
        }
        return recordResult(audit, await options.testEnvironments.sync());
      },
    }),
  ];
}

/** The user a mutation acts for (the pipeline lets only users mutate). */
function userOf(credentials: BackstageCredentials): string {
  return (credentials.principal as { userEntityRef: string }).userEntityRef;
}

/** What the OpenAPI document says of the nginx backend as a whole. */
const NGINX_API = {
  title: 'Container Cloud nginx',
  version: '1',
  description:
    "Nginx domains, versions and publishing. Every route but this document's needs a Backstage token.",
  serverUrl: '/api/nginx',
};

/** The OpenAPI document of the nginx backend, from its route table. */
export function nginxOpenApi(options: RouterOptions) {
  return openApiDocument(NGINX_API, nginxRouteTable(options));
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { nginx, httpAuth, permissions, auditor } = options;
  return moduleRouter({
    info: NGINX_API,
    groups: [
      {
        routes: nginxRouteTable(options),
        lookup: req => lookupDomain(nginx, req),
        // an owned domain's permission is checked on its Component
        resourceRef: domain => domain.owner,
        auditContext,
        // the request bodies stay out of the audit log, as the results' config texts do
        auditedRequest: () => undefined,
      },
    ],
    httpAuth,
    permissions,
    auditor,
  });
}
