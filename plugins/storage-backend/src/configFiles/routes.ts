import type express from 'express';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { z } from 'zod';
import type {
  ConfigFileRollout,
  ConfigFileSaveResult,
} from '@internal/plugin-container-cloud-common';
import {
  configFileDiffQuerySchema,
  configFileDiffSchema,
  configFileMountSchema,
  configFileRollbackSchema,
  configFileRolloutSchema,
  configFileSaveResultSchema,
  configFileSaveSchema,
  configFilesDeletePermission,
  configFilesEditPermission,
  configFileSetCreateSchema,
  configFileSetListSchema,
  configFileSetParamsSchema,
  configFileSetSchema,
  configFilesMountPermission,
  configFilesSecretReadPermission,
  configFileUnmountQuerySchema,
  configFileVersionPageSchema,
  configFileVersionParamsSchema,
  configFileVersionSchema,
  configFileVersionsQuerySchema,
  serviceReadPermission,
} from '@internal/plugin-container-cloud-common';
import {
  AuditMeta,
  defineRoute,
  RouteGroup,
  RoutePermission,
  RouteSpec,
  serviceEntityOf,
  SecretBox,
} from '@internal/plugin-container-cloud-node';
import type { StorageDeps } from '../deps';
import { ConfigFileOwner, ConfigFileService } from './ConfigFileService';
import { ConfigFileStore } from './ConfigFileStore';

/** One route about a service's config files. */
export type ConfigFileRoute = RouteSpec<ConfigFileOwner>;
const route = defineRoute<ConfigFileOwner>();

/** The path of every route about a service's config files. */
export const CONFIG_FILES_PATH = '/services/:namespace/:name/config-files';
const SET_PATH = `${CONFIG_FILES_PATH}/:set`;

const serviceParamsSchema = z.object({
  namespace: z.string(),
  name: z.string(),
});

const EDIT_ERRORS = {
  409: 'the set changed since it was loaded (body: `current`, the set as it is now), or a cluster refused (what each cluster holds)',
  502: 'a cluster refused the write; the message says which cluster holds which version',
  503: 'a cluster did not answer; the message says which cluster holds which version',
};

function actorOf(credentials: BackstageCredentials): string {
  return (
    (credentials.principal as { userEntityRef?: string }).userEntityRef ??
    'unknown'
  );
}

/** What an audit event records of a save: the version, and where each cluster stands. */
function savedMeta(result: ConfigFileSaveResult): AuditMeta {
  return {
    version: result.set.currentVersion,
    clusters: result.set.clusters.map(
      c => `${c.cluster}/${c.namespace}: ${c.version ?? 'none'}`,
    ),
  };
}

/** What an audit event records of a rollout: each Deployment and whether it changed. */
function rolloutMeta(result: ConfigFileRollout): AuditMeta {
  return {
    deployments: result.deployments.map(
      d =>
        `${d.cluster}/${d.namespace}/${d.deployment}${
          d.changed ? '' : ' (unchanged)'
        }`,
    ),
  };
}

/**
 * What an audit event keeps of a request: names, sizes and versions, never a file's text (a
 * secret's least of all).
 */
export function auditedConfigRequest(input: unknown): AuditMeta | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const { files, ...rest } = input as { files?: unknown };
  const meta: AuditMeta = JSON.parse(JSON.stringify(rest));
  if (Array.isArray(files)) {
    meta.files = files.map(f => {
      const { name, content } = (f ?? {}) as {
        name?: unknown;
        content?: unknown;
      };
      return {
        name: typeof name === 'string' ? name.slice(0, 253) : null,
        bytes: typeof content === 'string' ? Buffer.byteLength(content) : null,
      };
    });
  }
  return meta;
}

/** The routes of a service's config file sets, as data. */
export function configFileRouteTable(
  service: ConfigFileService,
): ConfigFileRoute[] {
  const setParams = {
    params: configFileSetParamsSchema,
    names: { params: 'file set' },
  };
  return [
    route({
      method: 'get',
      path: CONFIG_FILES_PATH,
      summary:
        "A service's config file sets, where each cluster holds them and who mounts them",
      description:
        'Labelled ConfigMaps the database has no set for are adopted as version 1 ("found in the cluster").',
      access: 'read',
      permission: serviceReadPermission,
      request: { params: serviceParamsSchema },
      response: { description: 'the sets', schema: configFileSetListSchema },
      handler: async ({ resource }) => service.list(resource),
    }),
    route({
      method: 'post',
      path: CONFIG_FILES_PATH,
      summary:
        'Create a file set (version 1) and write it to every cluster the service runs in',
      access: 'operate',
      permission: configFilesEditPermission,
      audit: { eventId: 'config-files-create' },
      request: {
        params: serviceParamsSchema,
        body: configFileSetCreateSchema,
        names: { body: 'file set' },
      },
      response: {
        status: 201,
        description: 'the set, and how it reaches the containers',
        schema: configFileSaveResultSchema,
        errors: EDIT_ERRORS,
      },
      handler: async ({ resource, credentials, body, audit }) => {
        const result = await service.create(
          resource,
          actorOf(credentials),
          body,
        );
        Object.assign(audit.meta, savedMeta(result));
        return result;
      },
    }),
    route({
      method: 'get',
      path: SET_PATH,
      summary:
        'One file set: its current files (names and checksums), clusters and mounts',
      access: 'read',
      permission: serviceReadPermission,
      request: setParams,
      response: { description: 'the set', schema: configFileSetSchema },
      handler: async ({ resource, params }) =>
        service.view(resource, params.set),
    }),
    route({
      method: 'put',
      path: SET_PATH,
      summary:
        'Save a new version of a file set, based on the version the editor loaded',
      access: 'operate',
      permission: configFilesEditPermission,
      audit: { eventId: 'config-files-save' },
      request: {
        ...setParams,
        body: configFileSaveSchema,
        names: { ...setParams.names, body: 'save' },
      },
      response: {
        description:
          'the new version, and which Deployments need a restart to run it',
        schema: configFileSaveResultSchema,
        errors: EDIT_ERRORS,
      },
      handler: async ({ resource, credentials, params, body, audit }) => {
        const result = await service.save(
          resource,
          actorOf(credentials),
          params.set,
          body,
        );
        Object.assign(audit.meta, savedMeta(result));
        return result;
      },
    }),
    route({
      method: 'delete',
      path: SET_PATH,
      summary:
        'Delete a file set no Deployment mounts, in every cluster, with its versions',
      access: 'operate',
      permission: configFilesDeletePermission,
      audit: { eventId: 'config-files-delete' },
      request: setParams,
      response: {
        description: 'deleted',
        errors: { 409: 'Deployments mount it (named in the message)' },
      },
      handler: async ({ resource, params }) =>
        service.remove(resource, params.set),
    }),
    route({
      method: 'get',
      path: `${SET_PATH}/versions`,
      summary: 'A page of versions, newest first, without their text',
      access: 'read',
      permission: serviceReadPermission,
      request: { ...setParams, query: configFileVersionsQuerySchema },
      response: { description: 'a page', schema: configFileVersionPageSchema },
      handler: async ({ resource, params, query }) =>
        service.versions(resource, params.set, query),
    }),
    route({
      method: 'get',
      path: `${SET_PATH}/versions/:version`,
      summary:
        "One version with its files' text (a secret set's text is left out)",
      access: 'read',
      permission: serviceReadPermission,
      request: {
        params: configFileVersionParamsSchema,
        names: { params: 'version' },
      },
      response: { description: 'the version', schema: configFileVersionSchema },
      handler: async ({ resource, params }) =>
        service.version(resource, params.set, params.version, false),
    }),
    route({
      method: 'get',
      path: `${SET_PATH}/versions/:version/secret`,
      summary: "One version of a secret set with its files' text",
      description:
        'Its own permission, for people only; every read is audited.',
      access: 'read',
      usersOnly: true,
      permission: configFilesSecretReadPermission,
      audit: { eventId: 'config-files-secret-read' },
      request: {
        params: configFileVersionParamsSchema,
        names: { params: 'version' },
      },
      response: {
        description: 'the version with its text',
        schema: configFileVersionSchema,
      },
      handler: async ({ resource, params }) =>
        service.version(resource, params.set, params.version, true),
    }),
    route({
      method: 'get',
      path: `${SET_PATH}/diff`,
      summary:
        'What changed between two versions, file by file (a secret set: file names only)',
      access: 'read',
      permission: serviceReadPermission,
      request: { ...setParams, query: configFileDiffQuerySchema },
      response: { description: 'the diff', schema: configFileDiffSchema },
      handler: async ({ resource, params, query }) =>
        service.diff(resource, params.set, query.from, query.to),
    }),
    route({
      method: 'post',
      path: `${SET_PATH}/rollback`,
      summary:
        "Roll back: a new version with an old version's text, written to every cluster",
      access: 'operate',
      permission: configFilesEditPermission,
      audit: { eventId: 'config-files-rollback' },
      request: {
        ...setParams,
        body: configFileRollbackSchema,
        names: { ...setParams.names, body: 'rollback' },
      },
      response: {
        description: 'the new version',
        schema: configFileSaveResultSchema,
        errors: EDIT_ERRORS,
      },
      handler: async ({ resource, credentials, params, body, audit }) => {
        const result = await service.rollback(
          resource,
          actorOf(credentials),
          params.set,
          body,
        );
        Object.assign(audit.meta, savedMeta(result));
        return result;
      },
    }),
    route({
      method: 'post',
      path: `${SET_PATH}/mounts`,
      summary:
        "Mount a file set into the service's Deployments in every cluster",
      description:
        "mode 'folder': one directory, updated in place by the kubelet; 'files': each file by subPath, never updated in a running container (restart after a save).",
      access: 'operate',
      permission: configFilesMountPermission,
      audit: { eventId: 'config-files-mount' },
      request: {
        ...setParams,
        body: configFileMountSchema,
        names: { ...setParams.names, body: 'mount' },
      },
      response: {
        description: 'what each Deployment did',
        schema: configFileRolloutSchema,
        errors: {
          ...EDIT_ERRORS,
          409: 'a Deployment changed meanwhile (`current`), or a cluster refused the file set',
        },
      },
      handler: async ({ resource, params, body, audit }) => {
        const result = await service.mount(resource, params.set, body);
        Object.assign(audit.meta, rolloutMeta(result));
        return result;
      },
    }),
    route({
      method: 'delete',
      path: `${SET_PATH}/mounts`,
      summary:
        "Unmount a file set from the service's Deployments in every cluster",
      access: 'operate',
      permission: configFilesMountPermission,
      audit: { eventId: 'config-files-unmount' },
      request: { ...setParams, query: configFileUnmountQuerySchema },
      response: {
        description: 'what each Deployment did',
        schema: configFileRolloutSchema,
        errors: { 409: 'a Deployment changed meanwhile (`current`)' },
      },
      handler: async ({ resource, params, query, audit }) => {
        const result = await service.unmount(resource, params.set, query.path);
        Object.assign(audit.meta, rolloutMeta(result));
        return result;
      },
    }),
    route({
      method: 'post',
      path: `${SET_PATH}/restart`,
      summary:
        'Rolling restart of the Deployments that mount the set, so they run its current version',
      description:
        "Patches the pod template's config-files.container-cloud.io/<set> annotation (version:checksum); needed for files (subPath) mounts, which Kubernetes never updates.",
      access: 'operate',
      permission: configFilesMountPermission,
      audit: { eventId: 'config-files-restart' },
      request: setParams,
      response: {
        description: 'what each Deployment did',
        schema: configFileRolloutSchema,
        errors: { 409: 'a Deployment changed meanwhile (`current`)' },
      },
      handler: async ({ resource, params, audit }) => {
        const result = await service.restart(resource, params.set);
        Object.assign(audit.meta, rolloutMeta(result));
        return result;
      },
    }),
  ];
}

/** The service behind `/services/:namespace/:name/...`, read with the caller's own rights. */
function lookupService(deps: StorageDeps) {
  return async (
    req: express.Request,
    credentials: BackstageCredentials,
  ): Promise<ConfigFileOwner> => {
    const { entityRef, entity } = await serviceEntityOf(
      deps.catalog,
      req.params,
      credentials,
    );
    // not the label alone: where the entity comes from, who else claims the id, its placements
    return { entityRef, binding: await deps.bindings.resolve(entity) };
  };
}

/** The service that backs the routes, from the plugin's parts. */
export function configFileService(deps: StorageDeps): ConfigFileService {
  return new ConfigFileService(
    new ConfigFileStore(deps.knex),
    deps.clusters,
    deps.logger.child({ part: 'config-files' }),
    SecretBox.fromConfig(
      deps.config,
      'containerCloud.storage.configFiles.encryptionKey',
    ),
  );
}

/** The config files part of the storage API. */
export async function configFileRoutes(deps: StorageDeps): Promise<RouteGroup> {
  return {
    routes: configFileRouteTable(configFileService(deps)),
    lookup: lookupService(deps),
    resourceRef: owner => owner.entityRef,
    auditMeta: owner => ({ entityRef: owner.entityRef }),
    auditedRequest: auditedConfigRequest,
    auditContext: req => {
      const set = (req.params as Record<string, string | undefined>).set;
      return set ? { fileSet: set.slice(0, 63) } : {};
    },
    refusal: (permission: RoutePermission, entityRef?: string) =>
      `you may not ${permission.name.replace(
        'container-cloud.storage.',
        '',
      )} of ${entityRef}: only its owners and ops admins may`,
  };
}
