import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type express from 'express';
import {
  adminVolumeListSchema,
  serviceReadPermission,
  storageAdminPermission,
  volumeChangeResultSchema,
  volumeCreatePermission,
  volumeCreateSchema,
  volumeDeletePermission,
  volumeDeleteResultSchema,
  volumeListSchema,
  volumeMountPermission,
  volumeMountSchema,
  volumeParamsSchema,
  volumeResizePermission,
  volumeResizeSchema,
  volumeUnmountSchema,
} from '@internal/plugin-container-cloud-common';
import {
  AuditMeta,
  defineRoute,
  PrometheusClient,
  RouteAudit,
  RouteGroup,
  RoutePermission,
  RouteSpec,
  serviceEntityOf,
} from '@internal/plugin-container-cloud-node';
import type { StorageDeps } from '../deps';
import { readStorageTypes } from './storageTypes';
import { LoadedService, VolumeService } from './VolumeService';

/** One route of the volumes part; its resource is the service of `/services/:namespace/:name`. */
export type VolumeRoute = RouteSpec<LoadedService>;
const route = defineRoute<LoadedService>();

const SERVICE_PATH = '/services/:namespace/:name';
const VOLUME_PATH = `${SERVICE_PATH}/volumes/:volume`;

const conflicts = {
  409: 'the Deployment or the volume changed, or the volume is in use: the body says which, with its current state',
};

/** The user a mutation acts for (the pipeline lets only users mutate). */
function userOf(credentials: BackstageCredentials): string {
  return (credentials.principal as { userEntityRef: string }).userEntityRef;
}

/** Records what happened in each cluster; a change left half-way is a failure there. */
async function recordOutcome<T extends { ok: boolean; outcomes: unknown[] }>(
  audit: RouteAudit,
  result: T,
): Promise<T> {
  const meta: AuditMeta = {
    outcomes: JSON.parse(JSON.stringify(result.outcomes)),
  };
  if (!result.ok) {
    await audit.fail(new Error('not every cluster holds the change'), meta);
  } else {
    Object.assign(audit.meta, meta);
  }
  return result;
}

/** The volume routes' table, built on the volume service. */
export function volumeRouteTable(volumes: VolumeService): VolumeRoute[] {
  return [
    route({
      method: 'get',
      path: `${SERVICE_PATH}/volumes`,
      summary:
        "A service's volumes in every cluster it runs in, with status, capacity, use and mounts",
      access: 'read',
      permission: serviceReadPermission,
      response: { description: 'the volumes', schema: volumeListSchema },
      handler: async ({ resource }) => volumes.list(resource),
    }),
    route({
      method: 'post',
      path: `${SERVICE_PATH}/volumes`,
      summary:
        'Create a volume in every cluster the service runs in (a claim; on a static NFS export also its PersistentVolume)',
      access: 'operate',
      permission: volumeCreatePermission,
      audit: { eventId: 'storage-volume-create' },
      request: { body: volumeCreateSchema, names: { body: 'volume' } },
      response: {
        status: 201,
        description: 'the volume, claim by claim',
        schema: volumeChangeResultSchema,
        otherStatuses: {
          207: 'created in some clusters and not removable from them: see each outcome',
        },
        errors: { 409: 'a claim of that name exists already' },
      },
      handler: async ctx => {
        const result = await volumes.create(
          ctx.resource,
          ctx.body,
          userOf(ctx.credentials),
        );
        if (!result.ok) ctx.status = 207;
        return recordOutcome(ctx.audit, result);
      },
    }),
    route({
      method: 'post',
      path: `${VOLUME_PATH}/mount`,
      summary:
        "Mount a volume into every Deployment of the service (its claim made first where missing), each guarded by the Deployment's resourceVersion",
      access: 'operate',
      permission: volumeMountPermission,
      audit: { eventId: 'storage-volume-mount' },
      request: {
        params: volumeParamsSchema,
        body: volumeMountSchema,
        names: { params: 'volume', body: 'mount' },
      },
      response: {
        description: 'every Deployment mounts it',
        schema: volumeChangeResultSchema,
        otherStatuses: {
          207: 'one cluster failed and another could not be put back: see each outcome',
        },
        errors: conflicts,
      },
      handler: async ctx => {
        const { result, status } = await volumes.mount(
          ctx.resource,
          ctx.params.volume,
          ctx.body,
          userOf(ctx.credentials),
        );
        ctx.status = status;
        return recordOutcome(ctx.audit, result);
      },
    }),
    route({
      method: 'post',
      path: `${VOLUME_PATH}/unmount`,
      summary: 'Unmount a volume from every Deployment of the service',
      access: 'operate',
      permission: volumeMountPermission,
      audit: { eventId: 'storage-volume-unmount' },
      request: {
        params: volumeParamsSchema,
        body: volumeUnmountSchema,
        names: { params: 'volume', body: 'unmount' },
      },
      response: {
        description: 'no Deployment of the service mounts it',
        schema: volumeChangeResultSchema,
        otherStatuses: {
          207: 'one cluster failed and another could not be put back: see each outcome',
        },
        errors: conflicts,
      },
      handler: async ctx => {
        const { result, status } = await volumes.unmount(
          ctx.resource,
          ctx.params.volume,
          ctx.body,
        );
        ctx.status = status;
        return recordOutcome(ctx.audit, result);
      },
    }),
    route({
      method: 'post',
      path: `${VOLUME_PATH}/resize`,
      summary:
        'Grow a volume in every cluster, where its StorageClass allows expansion',
      access: 'operate',
      permission: volumeResizePermission,
      audit: { eventId: 'storage-volume-resize' },
      request: {
        params: volumeParamsSchema,
        body: volumeResizeSchema,
        names: { params: 'volume', body: 'resize' },
      },
      response: {
        description: 'the new size is requested everywhere',
        schema: volumeChangeResultSchema,
        otherStatuses: { 207: 'grown in some clusters only' },
      },
      handler: async ctx => {
        const { result, status } = await volumes.resize(
          ctx.resource,
          ctx.params.volume,
          ctx.body.size,
        );
        ctx.status = status;
        return recordOutcome(ctx.audit, result);
      },
    }),
    route({
      method: 'delete',
      path: VOLUME_PATH,
      summary:
        'Delete a volume no Deployment mounts, in every cluster; says what its reclaim policy does to the data',
      access: 'operate',
      permission: volumeDeletePermission,
      audit: { eventId: 'storage-volume-delete', severityLevel: 'high' },
      request: { params: volumeParamsSchema, names: { params: 'volume' } },
      response: {
        description: 'deleted, with each cluster’s reclaim policy',
        schema: volumeDeleteResultSchema,
        otherStatuses: { 207: 'deleted in some clusters only' },
        errors: {
          409: 'a Deployment mounts it: the message names them, the body has the volume',
        },
      },
      handler: async ctx => {
        const { result, status } = await volumes.delete(
          ctx.resource,
          ctx.params.volume,
        );
        ctx.status = status;
        return recordOutcome(ctx.audit, result);
      },
    }),
    route({
      method: 'get',
      path: '/admin/volumes',
      summary:
        'Every volume in every cluster, with owner, size, use, mounts and orphan flag (ops only)',
      access: 'read',
      usersOnly: true,
      resource: false,
      permission: storageAdminPermission,
      refusal: () =>
        'you may not see every volume: only ops admins may (container-cloud.storage.admin)',
      response: { description: 'every volume', schema: adminVolumeListSchema },
      handler: async () => volumes.adminList(),
    }),
  ];
}

/** The Component behind `/services/:namespace/:name`, read with the caller's own rights. */
function serviceLookup(deps: StorageDeps) {
  return async (
    req: express.Request,
    credentials: BackstageCredentials,
  ): Promise<LoadedService> => {
    const { entityRef, entity } = await serviceEntityOf(
      deps.catalog,
      req.params,
      credentials,
    );
    // not the label alone: where the entity comes from, who else claims the id, placements
    return { entityRef, binding: await deps.bindings.resolve(entity) };
  };
}

/** The volume service of the plugin, from its config. */
export function volumeService(deps: StorageDeps): VolumeService {
  return new VolumeService({
    clusters: deps.clusters,
    types: readStorageTypes(deps.config, deps.clusters.names),
    prometheus: PrometheusClient.fromConfig(deps.config),
    catalog: deps.catalog,
    auth: deps.auth,
    logger: deps.logger.child({ part: 'volumes' }),
  });
}

/** The volumes part of the storage API. */
export async function volumeRoutes(deps: StorageDeps): Promise<RouteGroup> {
  // the watches start in the background: a cluster that is down must not hold up the backend
  deps.clusters
    .start()
    .catch(error =>
      deps.logger.error(`cluster watches failed to start: ${error}`),
    );
  return {
    routes: volumeRouteTable(volumeService(deps)),
    lookup: serviceLookup(deps),
    resourceRef: (service: LoadedService) => service.entityRef,
    auditMeta: (service: LoadedService) => ({ entityRef: service.entityRef }),
    auditContext: req => {
      const params = req.params as Record<string, string | undefined>;
      return params.volume ? { volume: params.volume.slice(0, 100) } : {};
    },
    refusal: (permission: RoutePermission, entityRef?: string) =>
      `you may not ${permission.name.replace(
        'container-cloud.',
        '',
      )} ${entityRef}: only its owners and ops admins may`,
  };
}
