import express from 'express';
import Router from 'express-promise-router';
import type {
  AuditorService,
  BackstageCredentials,
  BackstageUserPrincipal,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  nginxDomainEditPermission,
  nginxPublishPermission,
  nginxUpstreamEditPermission,
} from '@internal/plugin-container-cloud-common';
import {
  operatorCredentials,
  readerCredentials,
} from '@internal/plugin-container-cloud-node';
import { z } from 'zod';
import { upstreamMembersSchema } from './render';
import { parseDomain, parseInput } from './services/parseInput';
import type { NginxService } from './services/NginxService';
import type { TestEnvironments } from './services/TestEnvironments';
import {
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

const slug = (what: string) =>
  z
    .string()
    .regex(
      /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
      `${what}: lowercase letters, digits and '-'`,
    );
const clusterName = slug('a cluster name');
const versionId = z.coerce.number().int().min(1);
const message = z
  .string()
  .max(1000, 'a message is at most 1000 characters')
  .refine(
    text => ![...text].some(c => c < ' ' && c !== '\t' && c !== '\n'),
    'a message holds no control characters',
  )
  .optional();

const publishSchema = z.strictObject({ cluster: clusterName, message });
const rollbackSchema = z.strictObject({
  cluster: clusterName,
  version: versionId,
  message,
});
const clusterQuery = z.object({ cluster: clusterName });
const domainsQuery = z.object({ cluster: clusterName.optional() });
const diffQuery = z.object({
  cluster: clusterName,
  from: versionId,
  to: versionId,
});
const domainParams = z.object({
  cluster: clusterName,
  name: slug('a domain name'),
});
const entityQuery = z.object({
  entityRef: z
    .string()
    .max(200)
    .regex(/^component:[^\s/]+\/[^\s/]+$/, 'a Component ref'),
});

type UserCredentials = BackstageCredentials<BackstageUserPrincipal>;

/** What a mutating route must be allowed to do, worked out from its request. */
interface Requirement {
  permission: BasicPermission | ResourcePermission<'catalog-entity'>;
  resourceRef?: string;
  /** what the refusal says the user may not do */
  action: string;
  /** who may, in the refusal */
  who: string;
}

/** A mutating route: the permission it needs and what it does. */
interface Mutation {
  path: string;
  eventId: string;
  /** every permission any request to the route may be checked against */
  permissions: Array<BasicPermission | ResourcePermission<'catalog-entity'>>;
  require(nginx: NginxService, req: express.Request): Promise<Requirement>;
  run(
    context: {
      nginx: NginxService;
      testEnvironments?: TestEnvironments;
      forbiddenMembers: ForbiddenMembers;
      ownerSources: OwnerSourceCheck;
      /** whether the caller is an ops admin (may edit whole domains) */
      isOps(): Promise<boolean>;
    },
    req: express.Request,
    user: string,
  ): Promise<object>;
}

const OPS = 'only ops admins may';

/** Every mutating route, exported so the permission test can prove it covers them all. */
export const nginxMutations: Mutation[] = [
  {
    path: 'domains',
    eventId: 'nginx-domain-save',
    permissions: [nginxDomainEditPermission],
    require: async () => ({
      permission: nginxDomainEditPermission,
      action: 'save domains',
      who: OPS,
    }),
    run: ({ nginx }, req, user) =>
      nginx.saveDomain(parseDomain(req.body), user),
  },
  {
    path: 'domains/:cluster/:name/members',
    eventId: 'nginx-upstream-members-edit',
    permissions: [nginxUpstreamEditPermission, nginxDomainEditPermission],
    async require(nginx, req) {
      const params = parseInput('domain', domainParams, req.params);
      const domain = await nginx.getDomain(params.cluster, params.name);
      const action = `edit the upstream members of domain '${domain.name}'`;
      if (!domain.owner) {
        return { permission: nginxDomainEditPermission, action, who: OPS };
      }
      return {
        permission: nginxUpstreamEditPermission,
        resourceRef: domain.owner,
        action,
        who: `only the owners of ${domain.owner} and ops admins may`,
      };
    },
    async run({ nginx, forbiddenMembers, ownerSources, isOps }, req, user) {
      const params = parseInput('domain', domainParams, req.params);
      const change = parseInput(
        'upstream members',
        upstreamMembersSchema,
        req.body,
      );
      // owners publish at once: their members may not lead a public domain inside the platform,
      // nor to another service's pods
      if (!(await isOps())) {
        checkOwnerMembers(change.upstreams, forbiddenMembers);
        const domain = await nginx.getDomain(params.cluster, params.name);
        await ownerSources(domain.owner!, change.upstreams);
      }
      return nginx.updateMembers(params.cluster, params.name, change, user);
    },
  },
  {
    path: 'publish',
    eventId: 'nginx-publish',
    permissions: [nginxPublishPermission],
    require: async () => ({
      permission: nginxPublishPermission,
      action: 'publish',
      who: OPS,
    }),
    run: ({ nginx }, req, user) => {
      const input = parseInput('publish request', publishSchema, req.body);
      return nginx.publish(input.cluster, input.message ?? '', user);
    },
  },
  {
    path: 'rollback',
    eventId: 'nginx-rollback',
    permissions: [nginxPublishPermission],
    require: async () => ({
      permission: nginxPublishPermission,
      action: 'roll back',
      who: OPS,
    }),
    run: ({ nginx }, req, user) => {
      const input = parseInput('rollback request', rollbackSchema, req.body);
      return nginx.rollback(input.cluster, input.version, input.message, user);
    },
  },
  {
    path: 'test-environments/sync',
    eventId: 'nginx-test-environments-sync',
    permissions: [nginxPublishPermission],
    require: async () => ({
      permission: nginxPublishPermission,
      action: 'publish test environments',
      who: OPS,
    }),
    run: async ({ testEnvironments }) => {
      if (!testEnvironments) {
        throw new NotFoundError(
          'test environments are not configured (containerCloud.nginx.testEnvironments)',
        );
      }
      return testEnvironments.sync();
    },
  },
];

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { nginx, httpAuth, permissions, auditor } = options;
  const forbiddenMembers =
    options.forbiddenMembers ??
    forbiddenMembersOf(DEFAULT_FORBIDDEN_RANGES, []);
  const router = Router();
  router.use(express.json({ limit: '256kb' }));

  const reader = (req: express.Request) => readerCredentials(httpAuth, req);

  router.get('/clusters', async (req, res) => {
    await reader(req);
    res.json({ items: await nginx.listClusters() });
  });

  router.get('/domains', async (req, res) => {
    await reader(req);
    const query = parseInput('query', domainsQuery, req.query);
    res.json({ items: await nginx.listDomains(query.cluster) });
  });

  router.get('/domains/:cluster/:name', async (req, res) => {
    await reader(req);
    const params = parseInput('domain', domainParams, req.params);
    const domain = await nginx.getDomain(params.cluster, params.name);
    const rendered = await nginx.render([domain]);
    res.json({ domain, text: Object.values(rendered.files)[0] });
  });

  router.get('/entity-domains', async (req, res) => {
    await reader(req);
    const query = parseInput('query', entityQuery, req.query);
    res.json({ items: await nginx.domainsOwnedBy(query.entityRef) });
  });

  router.get('/versions', async (req, res) => {
    await reader(req);
    const query = parseInput('query', clusterQuery, req.query);
    res.json({ items: await nginx.listVersions(query.cluster) });
  });

  router.get('/versions/:id', async (req, res) => {
    await reader(req);
    const query = parseInput('query', clusterQuery, req.query);
    res.json(
      await nginx.getVersion(
        query.cluster,
        parseInput('version', versionId, req.params.id),
      ),
    );
  });

  router.get('/diff', async (req, res) => {
    await reader(req);
    const query = parseInput('query', diffQuery, req.query);
    res.json(await nginx.diff(query.cluster, query.from, query.to));
  });

  for (const mutation of nginxMutations) {
    router.post(`/${mutation.path}`, async (req, res) => {
      // the suite's one rule (container-cloud-node's principals.ts): a mutation is a person's
      const credentials: UserCredentials = await operatorCredentials(
        httpAuth,
        req,
      );
      const event = await auditor.createEvent({
        eventId: mutation.eventId,
        severityLevel: 'medium',
        request: req,
        meta: auditMeta(req),
      });
      try {
        const need = await mutation.require(nginx, req);
        const [decision] = await permissions.authorize(
          [
            need.resourceRef
              ? {
                  permission:
                    need.permission as ResourcePermission<'catalog-entity'>,
                  resourceRef: need.resourceRef,
                }
              : { permission: need.permission as BasicPermission },
          ],
          { credentials },
        );
        if (decision.result !== AuthorizeResult.ALLOW) {
          throw new NotAllowedError(`you may not ${need.action}: ${need.who}`);
        }
        const result = await mutation.run(
          {
            nginx,
            testEnvironments: options.testEnvironments,
            forbiddenMembers,
            ownerSources: options.ownerSources ?? refuseOwnerSources,
            isOps: async () => {
              const [ops] = await permissions.authorize(
                [{ permission: nginxDomainEditPermission }],
                { credentials },
              );
              return ops.result === AuthorizeResult.ALLOW;
            },
          },
          req,
          credentials.principal.userEntityRef,
        );
        const failedDelivery =
          ('ok' in result && result.ok === false) ||
          ('publish' in result &&
            (result.publish as { ok?: boolean } | undefined)?.ok === false);
        if (failedDelivery) {
          await event.fail({
            error: new Error('delivery failed on some nodes'),
            meta: { result: summarize(result) },
          });
        } else {
          await event.success({ meta: { result: summarize(result) } });
        }
        res.json(result);
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
    });
  }

  return router;
}

/** The cluster and domain a mutation names, from its path or its body. */
function auditMeta(req: express.Request) {
  const params = req.params as Record<string, string | undefined>;
  const body = (typeof req.body === 'object' && req.body) || {};
  const text = (value: unknown) =>
    typeof value === 'string' ? value.slice(0, 100) : undefined;
  return {
    cluster: text(params.cluster ?? body.cluster),
    domain: text(params.name ?? body.name),
  };
}

/** What an audit event keeps of a result: never whole config texts. */
function summarize(result: object) {
  const { text, domain, ...rest } = result as {
    text?: string;
    domain?: { name: string; cluster: string };
  };
  return domain
    ? { ...rest, domain: `${domain.cluster}/${domain.name}` }
    : rest;
}
