import type express from 'express';
import type { DiscoveryService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import type { NotificationService } from '@backstage/plugin-notifications-node';
import {
  adminInstanceListSchema,
  adminInstanceQuerySchema,
  appStoreAdminPermission,
  appStoreRevealPermission,
  appStoreUpgradePermission,
  instanceAttachResultSchema,
  instanceAttachSchema,
  instanceBulkResultSchema,
  instanceBulkSchema,
  instanceDetailSchema,
  instanceExtendSchema,
  instanceParamsSchema,
} from '@internal/plugin-container-cloud-common';
import {
  AuditMeta,
  defineRoute,
  RouteGroup,
  RoutePermission,
  RouteSpec,
} from '@internal/plugin-container-cloud-node';
import type { AppStoreDeps } from '../deps';
import { appStoreCore, type AppStoreCore } from '../instances/core';
import { lookupInstance, type InstanceResource } from '../instances/routes';
import { AdminView } from './adminView';
import { Attacher } from './attach';
import { markInstanceSecrets } from '../instances/secretMarks';
import { ExpiryStore } from './ExpiryStore';
import { ExpiryTask } from './ExpiryTask';
import { durationMs, readExpiryConfig } from './expiryConfig';

/**
 * What the lifecycle part needs beyond the plugin's common deps: the notifications service (the
 * expiry warnings) and discovery (attach calls the services backend).
 */
export interface LifecycleExtras {
  notifications?: NotificationService;
  discovery?: DiscoveryService;
}

const route = defineRoute<InstanceResource>();
const INSTANCE_PATH = '/instances/:cluster/:namespace/:name';
const DAY_MS = 86_400_000;
const ADMIN_REFUSAL = () =>
  'you may not administer app store instances: only ops admins may';

/** A Component's owners by the policy; a Group's members by their claims, anyone else as ops. */
function forOwner(permission: RoutePermission) {
  return (resource: InstanceResource): RoutePermission[] => {
    if (resource.kind === 'component') return [permission];
    return resource.callerIsMember ? [] : [appStoreAdminPermission];
  };
}

function refusal(action: string) {
  return (permission: RoutePermission, resource: InstanceResource): string =>
    permission.name === appStoreAdminPermission.name
      ? `you may not ${action} ${resource.ownerRef}'s instances: only its members and ops admins may`
      : `you may not ${action} ${resource.ownerRef}'s instances: only its owners and ops admins may`;
}

function userRefOf(credentials: { principal: unknown }): string {
  return (
    (credentials.principal as { userEntityRef?: string }).userEntityRef ??
    'unknown'
  );
}

/** The lifecycle route table (the router, the permission matrix and the OpenAPI test read it). */
export function lifecycleRouteTable(parts: {
  core: AppStoreCore;
  expiry: ExpiryStore;
  admin: AdminView;
  attacher: Attacher;
  auditor: AppStoreDeps['auditor'];
  now: () => Date;
}): RouteSpec<InstanceResource, any, any>[] {
  const { core, expiry, admin, attacher, auditor, now } = parts;

  /** Extends one live instance; the refusal in words. */
  async function extend(
    p: { cluster: string; namespace: string; name: string },
    days: number,
  ) {
    const at = now();
    const refused = await expiry.extend(
      p,
      new Date(at.getTime() + days * DAY_MS),
      at,
    );
    if (refused === 'production') {
      throw new InputError(
        `instance '${p.name}' runs in production: production instances never expire, there is nothing to extend`,
      );
    }
    if (refused === 'deleting') {
      throw new ConflictError(
        `instance '${p.name}' is being uninstalled: it can no longer be extended`,
      );
    }
    if (refused === 'gone') {
      throw new ConflictError(`instance '${p.name}' no longer exists`);
    }
  }

  /** One audit event per instance of a bulk action, then the action. */
  async function bulk(
    req: express.Request,
    eventId: string,
    instances: Array<{ cluster: string; namespace: string; name: string }>,
    act: (p: {
      cluster: string;
      namespace: string;
      name: string;
    }) => Promise<string>,
  ) {
    const results = [];
    // one at a time: a bulk delete runs Helm, and 200 at once would swamp the apiservers
    for (const p of instances) {
      const event = await auditor.createEvent({
        eventId,
        severityLevel: 'medium',
        request: req,
        meta: { instance: `${p.cluster}/${p.namespace}/${p.name}` },
      });
      try {
        const message = await act(p);
        await event.success({ meta: { message } });
        results.push({ ...p, ok: true, message });
      } catch (error) {
        await event.fail({ error: error as Error });
        results.push({ ...p, ok: false, message: (error as Error).message });
      }
    }
    return { results };
  }

  return [
    route({
      method: 'post',
      path: `${INSTANCE_PATH}/extend`,
      summary: 'Extend a test instance’s expiry, counted from now',
      description:
        'Production instances never expire: 400. The owner is warned again before the new time.',
      access: 'operate',
      permission: [appStoreUpgradePermission, appStoreAdminPermission],
      permissionFor: forOwner(appStoreUpgradePermission),
      refusal: refusal('extend'),
      audit: { eventId: 'app-store-instance-extend' },
      request: {
        params: instanceParamsSchema,
        body: instanceExtendSchema,
        names: { params: 'instance', body: 'extension' },
      },
      response: {
        description: 'the instance, with its new expiry',
        schema: instanceDetailSchema,
        errors: { 409: 'the instance is being uninstalled' },
      },
      handler: async ({ resource, body }) => {
        const record = resource.instance!;
        await core.authority.assertCovers(
          resource,
          record.cluster,
          record.namespace,
        );
        await extend(record, body.days);
        return core.instances.detail(await core.instances.record(record));
      },
    }),
    route({
      method: 'post',
      path: `${INSTANCE_PATH}/attach`,
      summary:
        'Put an instance’s connection details into a service’s environment',
      description:
        'Sets <PREFIX>HOST, <PREFIX>PORT and <PREFIX>USER on the service’s Deployment in the instance’s cluster and namespace, through the services backend’s configuration operation, as the caller (its permission check and audit apply), and <PREFIX>PASSWORD as a reference to the instance’s Secret (valueFrom.secretKeyRef; the Secret is marked with the instance’s owner, which the services backend requires), never as a value. A service with no Deployment there: 400.',
      access: 'operate',
      permission: [appStoreRevealPermission, appStoreAdminPermission],
      permissionFor: forOwner(appStoreRevealPermission),
      refusal: refusal('attach'),
      audit: { eventId: 'app-store-instance-attach', severityLevel: 'high' },
      request: {
        params: instanceParamsSchema,
        body: instanceAttachSchema,
        names: { params: 'instance', body: 'attach request' },
      },
      response: {
        description: 'what was set',
        schema: instanceAttachResultSchema,
        errors: {
          409: 'the Deployment changed since it was read, or the instance is not ready',
        },
      },
      handler: async ({ resource, body, credentials, audit }) => {
        const record = resource.instance!;
        await core.authority.assertCovers(
          resource,
          record.cluster,
          record.namespace,
        );
        const detail = await core.instances.detail(record);
        const result = await attacher.attach(
          credentials,
          record,
          detail.connection,
          body,
        );
        audit.meta.deployment = `${result.cluster}/${result.namespace}/${result.deployment}`;
        audit.meta.variables = result.variables;
        return result;
      },
    }),
    route({
      method: 'get',
      path: '/admin/instances',
      summary:
        'Every instance in every cluster, with owner, age, expiry and resource use (ops)',
      access: 'read',
      usersOnly: true,
      resource: false,
      permission: appStoreAdminPermission,
      refusal: ADMIN_REFUSAL,
      request: { query: adminInstanceQuerySchema, names: { query: 'query' } },
      response: {
        description: 'a page of instances',
        schema: adminInstanceListSchema,
      },
      handler: async ({ query }) => admin.list(query),
    }),
    route({
      method: 'post',
      path: '/admin/instances/extend',
      summary: 'Extend many test instances at once (ops)',
      description:
        'Each instance’s outcome in `results` (a production or vanished one is a failure there, the others still extended); one audit event per instance.',
      access: 'operate',
      resource: false,
      permission: appStoreAdminPermission,
      refusal: ADMIN_REFUSAL,
      audit: { eventId: 'app-store-admin-bulk-extend' },
      request: { body: instanceBulkSchema, names: { body: 'bulk request' } },
      response: {
        description: 'per instance',
        schema: instanceBulkResultSchema,
      },
      handler: async ({ req, body }) => {
        const { days } = body;
        if (days === undefined) {
          throw new InputError('invalid bulk request: days is required');
        }
        return bulk(
          req,
          'app-store-instance-extend',
          body.instances,
          async p => {
            await extend(p, days);
            return `extended by ${days} day${days === 1 ? '' : 's'}`;
          },
        );
      },
    }),
    route({
      method: 'post',
      path: '/admin/instances/delete',
      summary: 'Uninstall many instances at once (ops)',
      description:
        'Each instance is uninstalled with Helm and its record kept (deleted_reason uninstalled); each outcome in `results`, one audit event per instance.',
      access: 'operate',
      resource: false,
      permission: appStoreAdminPermission,
      refusal: ADMIN_REFUSAL,
      audit: { eventId: 'app-store-admin-bulk-delete', severityLevel: 'high' },
      request: { body: instanceBulkSchema, names: { body: 'bulk request' } },
      response: {
        description: 'per instance',
        schema: instanceBulkResultSchema,
      },
      handler: async ({ req, body, credentials }) =>
        bulk(req, 'app-store-instance-uninstall', body.instances, async p => {
          const record = await core.instances.record(p);
          await core.store.update(record, { phase: 'deleting' });
          try {
            await core.helm.uninstall(
              { cluster: record.cluster, namespace: record.namespace },
              record.name,
            );
          } catch (error) {
            await core.store.update(record, { phase: record.phase });
            throw error;
          }
          await core.store.markDeleted(
            record,
            'uninstalled',
            userRefOf(credentials),
          );
          return 'uninstalled';
        }),
    }),
  ];
}

/** What every audit event of the group records of the request itself. */
function auditContext(req: express.Request): AuditMeta {
  const params = req.params as Record<string, string | undefined>;
  const meta: AuditMeta = {};
  for (const key of ['cluster', 'namespace', 'name'] as const) {
    const v = params[key];
    if (typeof v === 'string') meta[key] = v.slice(0, 100);
  }
  return meta;
}

/**
 * Schedules the expiry task (`containerCloud.appStore.expiry.frequency`, default every 5
 * minutes) under the scheduler, so one replica runs it at a time.
 */
async function scheduleExpiry(
  deps: AppStoreDeps & LifecycleExtras,
  core: AppStoreCore,
  expiry: ExpiryStore,
) {
  const config = readExpiryConfig(deps.config);
  const task = new ExpiryTask({
    expiry,
    store: core.store,
    helm: core.helm,
    notifications: deps.notifications,
    catalog: deps.catalog,
    auth: deps.auth,
    auditor: deps.auditor,
    logger: deps.logger,
    noticeMs: config.noticeMs,
    now: deps.now,
  });
  await deps.scheduler.scheduleTask({
    id: 'app-store-expiry',
    frequency: config.frequency,
    timeout: { minutes: 30 },
    // at most 30 s after start (a shorter frequency, in tests, starts sooner)
    initialDelay: {
      milliseconds: Math.min(30_000, durationMs(config.frequency)),
    },
    fn: async () => {
      const result = await task.run();
      if (
        result.notified.length +
        result.expired.length +
        result.failed.length
      ) {
        deps.logger.info(
          `app store expiry: warned ${result.notified.length}, uninstalled ${result.expired.length}, failed ${result.failed.length}`,
        );
      }
    },
  });
}

/** The app store's lifecycle routes: expiry (extend, the scheduled uninstall of expired instances, notifications), the admin view and bulk actions, and attaching an instance to a service. */
export async function lifecycleRoutes(
  deps: AppStoreDeps & LifecycleExtras,
): Promise<RouteGroup> {
  const core = appStoreCore(deps);
  const expiry = new ExpiryStore(deps.knex);
  const now = deps.now;
  await scheduleExpiry(deps, core, expiry);
  const parts = { instances: core.instances, authority: core.authority };
  return {
    routes: lifecycleRouteTable({
      core,
      expiry,
      admin: new AdminView({ store: core.store, clusters: deps.clusters, now }),
      attacher: new Attacher({
        auth: deps.auth,
        discovery: deps.discovery,
        markSecrets: record =>
          markInstanceSecrets(deps.clusters.connection(record.cluster), record),
      }),
      auditor: deps.auditor,
      now,
    }),
    lookup: (req, credentials) => lookupInstance(parts, req, credentials),
    resourceRef: resource => resource.ownerRef,
    auditMeta: resource => ({
      owner: resource.ownerRef,
      ...(resource.instance ? { chart: resource.instance.chart } : {}),
    }),
    auditContext,
  };
}
