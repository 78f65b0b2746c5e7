import type express from 'express';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  appStoreAdminPermission,
  appStoreDeletePermission,
  appStoreInstallPermission,
  appStoreOwnerSchema,
  appStoreRevealPermission,
  appStoreUpgradePermission,
  installTargetsSchema,
  instanceDetailSchema,
  instanceInstallSchema,
  instanceListQuerySchema,
  instanceListSchema,
  instanceParamsSchema,
  instanceRevealSchema,
  instanceRollbackSchema,
  instanceUpgradeSchema,
} from '@internal/plugin-container-cloud-common';
import {
  AuditMeta,
  defineRoute,
  parseInput,
  RouteGroup,
  RoutePermission,
  RouteSpec,
} from '@internal/plugin-container-cloud-node';
import type { AppStoreDeps } from '../deps';
import { appStoreCore } from './core';
import type { Authority, OwnerResource } from './authority';
import type { InstanceService } from './InstanceService';
import type { InstanceRecord } from './InstanceStore';

/**
 * What the routes under `/instances/:cluster/:namespace/:name` (and an install, by its body's
 * owner) are about: the owner entity, and the live instance record when there is one.
 * @public
 */
export interface InstanceResource extends OwnerResource {
  instance?: InstanceRecord;
}

const route = defineRoute<InstanceResource>();
const INSTANCE_PATH = '/instances/:cluster/:namespace/:name';

/**
 * The permission a route checks on an instance's owner: a Component's through the policy's owner
 * rule (the resource permission); a Group's members by their ownership claims (no further check:
 * the catalog's owner condition cannot match a Group), anyone else only as ops (admin).
 */
function forOwner(permission: RoutePermission) {
  return (resource: InstanceResource): RoutePermission[] => {
    if (resource.kind === 'component') return [permission];
    return resource.callerIsMember ? [] : [appStoreAdminPermission];
  };
}

function refusal(action: string) {
  return (permission: RoutePermission, resource: InstanceResource): string =>
    permission.name === appStoreAdminPermission.name
      ? `you may not ${action} for ${resource.ownerRef}: only its members and ops admins may`
      : `you may not ${action} for ${resource.ownerRef}: only its owners and ops admins may`;
}

/** The request as audit events keep it: never a password. */
function auditedRequest(input: unknown): AuditMeta | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const { password, values, ...rest } = input as Record<string, unknown>;
  return JSON.parse(
    JSON.stringify({
      ...rest,
      ...(password !== undefined ? { password: '(given)' } : {}),
      ...(values !== undefined ? { values: '(given)' } : {}),
    }),
  );
}

function auditContext(req: express.Request): AuditMeta {
  const params = req.params as Record<string, string | undefined>;
  const body = (typeof req.body === 'object' && req.body) || {};
  const text = (v: unknown) =>
    typeof v === 'string' ? v.slice(0, 100) : undefined;
  const meta: AuditMeta = {};
  for (const key of ['cluster', 'namespace', 'name'] as const) {
    const v = text(params[key] ?? body[key]);
    if (v !== undefined) meta[key] = v;
  }
  return meta;
}

/** What the instance routes are built from. @public */
export interface InstanceRouteParts {
  instances: InstanceService;
  authority: Authority;
}

/** The instance route table (the router, the permission matrix and the OpenAPI test read it). @public */
export function instanceRouteTable(
  parts: InstanceRouteParts,
): RouteSpec<InstanceResource, any, any>[] {
  const { instances, authority } = parts;
  const live = (resource: InstanceResource) => resource.instance!;
  return [
    route({
      method: 'get',
      path: '/targets',
      summary:
        'Where the caller may install: the owners they belong to, with their placements',
      access: 'read',
      usersOnly: true,
      resource: false,
      response: {
        description: 'the install targets',
        schema: installTargetsSchema,
      },
      handler: async ({ credentials }) => ({
        items: await authority.targets(credentials),
      }),
    }),
    route({
      method: 'get',
      path: '/instances',
      summary:
        'The instances, newest first, paged (filter by owner, cluster, chart)',
      access: 'read',
      resource: false,
      request: { query: instanceListQuerySchema, names: { query: 'query' } },
      response: {
        description: 'a page of instances',
        schema: instanceListSchema,
      },
      handler: async ({ query }) => instances.list(query),
    }),
    route({
      method: 'post',
      path: '/instances',
      summary:
        'Install a chart as an instance (202: Helm runs; progress from the detail)',
      description:
        'The values are checked against the chart’s values.schema.json before anything is installed (400 naming the field). The owner’s binding must cover the placement. An instance of that name living there: 409 with it (`current`). `dryRun`: the apiserver’s dry run, nothing recorded (200).',
      access: 'operate',
      permission: [appStoreInstallPermission, appStoreAdminPermission],
      permissionFor: forOwner(appStoreInstallPermission),
      refusal: refusal('install instances'),
      audit: { eventId: 'app-store-instance-install' },
      request: { body: instanceInstallSchema, names: { body: 'request' } },
      response: {
        status: 202,
        description: 'the instance, installing',
        schema: instanceDetailSchema,
        otherStatuses: { 200: 'a dry run: what would be installed' },
        errors: {
          409: 'an instance or Helm release of that name lives there',
          502: 'Helm failed',
        },
      },
      handler: async ctx => {
        const { detail, dryRun } = await instances.install(
          ctx.body,
          ctx.resource,
          ctx.credentials,
        );
        if (dryRun) ctx.status = 200;
        ctx.audit.meta.result = { phase: detail.phase, dryRun };
        return detail;
      },
    }),
    route({
      method: 'get',
      path: INSTANCE_PATH,
      summary:
        'One instance: phase and progress (Helm, then its pods), connection, history',
      access: 'read',
      request: { params: instanceParamsSchema, names: { params: 'instance' } },
      response: { description: 'the instance', schema: instanceDetailSchema },
      handler: async ({ resource }) => instances.detail(live(resource)),
    }),
    route({
      method: 'post',
      path: `${INSTANCE_PATH}/upgrade`,
      summary: 'Upgrade to another chart version and/or other values',
      access: 'operate',
      permission: [appStoreUpgradePermission, appStoreAdminPermission],
      permissionFor: forOwner(appStoreUpgradePermission),
      refusal: refusal('upgrade instances'),
      audit: { eventId: 'app-store-instance-upgrade' },
      request: {
        params: instanceParamsSchema,
        body: instanceUpgradeSchema,
        names: { params: 'instance', body: 'request' },
      },
      response: {
        description: 'the instance, upgrading',
        schema: instanceDetailSchema,
        errors: {
          409: 'another Helm operation is in progress',
          502: 'Helm failed',
        },
      },
      handler: async ({ resource, body }) =>
        instances.upgrade(live(resource), resource, body),
    }),
    route({
      method: 'post',
      path: `${INSTANCE_PATH}/rollback`,
      summary: 'Roll back to an earlier revision of the release',
      access: 'operate',
      permission: [appStoreUpgradePermission, appStoreAdminPermission],
      permissionFor: forOwner(appStoreUpgradePermission),
      refusal: refusal('roll back instances'),
      audit: { eventId: 'app-store-instance-rollback' },
      request: {
        params: instanceParamsSchema,
        body: instanceRollbackSchema,
        names: { params: 'instance', body: 'request' },
      },
      response: {
        description: 'the instance, rolled back',
        schema: instanceDetailSchema,
        errors: {
          409: 'another Helm operation is in progress',
          502: 'Helm failed',
        },
      },
      handler: async ({ resource, body }) =>
        instances.rollback(live(resource), resource, body.revision),
    }),
    route({
      method: 'delete',
      path: INSTANCE_PATH,
      summary:
        'Uninstall the instance (its record is kept, marked uninstalled)',
      access: 'operate',
      permission: [appStoreDeletePermission, appStoreAdminPermission],
      permissionFor: forOwner(appStoreDeletePermission),
      refusal: refusal('uninstall instances'),
      audit: { eventId: 'app-store-instance-uninstall' },
      request: { params: instanceParamsSchema, names: { params: 'instance' } },
      response: {
        description: 'uninstalled',
        errors: { 502: 'Helm failed' },
      },
      handler: async ({ resource, credentials }) => {
        await instances.uninstall(live(resource), resource, credentials);
      },
    }),
    route({
      method: 'post',
      path: `${INSTANCE_PATH}/reveal`,
      summary: 'Reveal the instance’s password (audited)',
      access: 'operate',
      permission: [appStoreRevealPermission, appStoreAdminPermission],
      permissionFor: forOwner(appStoreRevealPermission),
      refusal: refusal('reveal passwords'),
      audit: { eventId: 'app-store-instance-reveal', severityLevel: 'high' },
      request: { params: instanceParamsSchema, names: { params: 'instance' } },
      response: { description: 'the password', schema: instanceRevealSchema },
      handler: async ({ resource, audit }) => {
        const password = await instances.reveal(live(resource), resource);
        audit.meta.revealed = true;
        return { password };
      },
    }),
  ];
}

/** The owner and instance a request names: by its path, or an install's by its body's owner. */
export async function lookupInstance(
  parts: InstanceRouteParts,
  req: express.Request,
  credentials: BackstageCredentials,
): Promise<InstanceResource> {
  const params = req.params as Record<string, string>;
  if (params.cluster !== undefined) {
    const p = parseInput(instanceParamsSchema, params, 'instance');
    const instance = await parts.instances.record(p);
    const owner = await parts.authority.owner(instance.owner, credentials);
    return { ...owner, instance };
  }
  const body = (typeof req.body === 'object' && req.body) || {};
  if (body.owner === undefined) {
    throw new InputError('invalid request: owner is required');
  }
  const owner = parseInput(appStoreOwnerSchema, body.owner, 'owner');
  return parts.authority.owner(owner, credentials);
}

/** The app store's instances routes: install, status and progress, upgrade, rollback, uninstall, connection details and reveal of one instance, and the user's instances and install targets. */
export async function instanceRoutes(deps: AppStoreDeps): Promise<RouteGroup> {
  const { instances, authority } = appStoreCore(deps);
  const parts = { instances, authority };
  return {
    routes: instanceRouteTable(parts),
    lookup: (req, credentials) => lookupInstance(parts, req, credentials),
    resourceRef: resource => resource.ownerRef,
    auditMeta: resource => ({
      owner: resource.ownerRef,
      ...(resource.instance ? { chart: resource.instance.chart } : {}),
    }),
    auditedRequest,
    auditContext,
  };
}
