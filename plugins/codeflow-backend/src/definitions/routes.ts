import type express from 'express';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { ConflictError, InputError, NotAllowedError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  buildImageListSchema,
  CodeflowDefinition,
  codeflowCredentialListSchema,
  codeflowDefinitionSchema,
  codeflowDeleteQuerySchema,
  codeflowDockerfileSchema,
  codeflowEditPermission,
  codeflowListSchema,
  codeflowParamsSchema,
  codeflowServiceParamsSchema,
  codeflowUpdateSchema,
  codeflowViewSchema,
} from '@internal/plugin-container-cloud-common';
import {
  AuditMeta,
  defineRoute,
  describePlacements,
  parseInput,
  RouteGroup,
  RoutePermission,
  RouteSpec,
  ServiceBinding,
  serviceEntityOf,
} from '@internal/plugin-container-cloud-node';
import type { CodeflowDeps } from '../deps';
import {
  BUILD_ARGS,
  DockerfileValueError,
  generateDockerfile,
  preprocessingDockerfile,
  preprocessingImageKey,
} from '../dockerfile';
import {
  CodeflowConfig,
  readCodeflowConfig,
  repositoryHostRefusal,
} from './codeflowConfig';
import { CodeflowStore, codeflowView, StoredCodeflow } from './CodeflowStore';

/** The service a route under `/services/:namespace/:name/codeflows` is about. */
export interface CodeflowService {
  entityRef: string;
  entity: Entity;
  binding: ServiceBinding;
}

export type CodeflowRoute = RouteSpec<CodeflowService>;
const route = defineRoute<CodeflowService>();

const LIST_PATH = '/services/:namespace/:name/codeflows';
const ONE_PATH = `${LIST_PATH}/:id`;

/** What the routes need (the route table is listed with stand-ins in tests). */
export interface DefinitionRouteOptions {
  store: CodeflowStore;
  config: CodeflowConfig;
  /** checks a definition before it is saved: throws a 400/403 in words */
  check(
    service: CodeflowService,
    definition: CodeflowDefinition,
    credentials: BackstageCredentials,
  ): Promise<void>;
}

/** The user a save acts for (the pipeline lets only users mutate). */
function userOf(credentials: BackstageCredentials): string {
  return (credentials.principal as { userEntityRef: string }).userEntityRef;
}

/** The Dockerfile(s) a codeflow builds with, as the page shows them. */
export function codeflowDockerfile(
  config: CodeflowConfig,
  codeflow: Pick<StoredCodeflow, 'id' | 'definition'>,
) {
  const d = codeflow.definition;
  if (d.customDockerfile !== undefined) {
    return {
      dockerfile: d.customDockerfile,
      generated: false,
      buildArgs: [],
      preprocessing: null,
    };
  }
  const buildImage = config.buildImages.find(b => b.id === d.buildImage);
  if (!buildImage) {
    throw new ConflictError(
      `the build image ${d.buildImage} of codeflow ${
        d.name
      } is no longer offered (there are ${config.buildImages
        .map(b => b.id)
        .join(', ')}): edit the codeflow and choose one`,
    );
  }
  const preprocessing = d.preprocessingScript?.length
    ? {
        key: preprocessingImageKey(
          buildImage.runtimeImage,
          d.preprocessingScript,
        ),
        dockerfile: preprocessingDockerfile(
          buildImage.runtimeImage,
          d.preprocessingScript,
        ),
      }
    : null;
  return {
    dockerfile: generateDockerfile({
      codeflowId: codeflow.id,
      definition: d,
      baseImage: preprocessing
        ? `${config.preprocessingRepository}:${preprocessing.key.slice(0, 32)}`
        : buildImage.runtimeImage,
    }),
    generated: true,
    buildArgs: Object.values(BUILD_ARGS),
    preprocessing,
  };
}

const EDIT_ERRORS = {
  409: 'the codeflow changed since it was loaded, or the service has a codeflow of that name (`current`)',
};

/** The codeflow definitions' route table (the router, the permission test and the OpenAPI document read it). */
export function definitionRouteTable(
  options: DefinitionRouteOptions,
): CodeflowRoute[] {
  const { store, config, check } = options;
  return [
    route({
      method: 'get',
      path: LIST_PATH,
      summary: "A service's codeflows",
      access: 'read',
      request: {
        params: codeflowServiceParamsSchema,
        names: { params: 'service' },
      },
      response: {
        description: 'the live codeflows, by name',
        schema: codeflowListSchema,
      },
      handler: async ({ resource }) => ({
        items: (await store.list(resource.entityRef)).map(codeflowView),
      }),
    }),
    route({
      method: 'post',
      path: LIST_PATH,
      summary:
        'Create a codeflow: how the service is built into an image and rolled out',
      description:
        'Every field is checked: the build image and the credentials reference are among the configured ones, the Dockerfile can be generated, each target is a service the caller may edit the codeflows of, and each of its placements one its binding covers (a 400 or 403 names the target).',
      access: 'operate',
      permission: codeflowEditPermission,
      audit: { eventId: 'codeflow-create' },
      request: {
        params: codeflowServiceParamsSchema,
        body: codeflowDefinitionSchema,
        names: { params: 'service', body: 'codeflow' },
      },
      response: {
        status: 201,
        description: 'the codeflow, at version 1',
        schema: codeflowViewSchema,
        errors: EDIT_ERRORS,
      },
      handler: async ({ resource, body, credentials, audit }) => {
        await check(resource, body, credentials);
        const created = await store.create(
          resource.entityRef,
          body,
          userOf(credentials),
        );
        audit.meta.result = { id: created.id, version: created.version };
        return codeflowView(created);
      },
    }),
    route({
      method: 'get',
      path: ONE_PATH,
      summary: 'One codeflow of a service',
      access: 'read',
      request: { params: codeflowParamsSchema, names: { params: 'codeflow' } },
      response: { description: 'the codeflow', schema: codeflowViewSchema },
      handler: async ({ resource, params }) =>
        codeflowView(await store.getOf(resource.entityRef, params.id)),
    }),
    route({
      method: 'put',
      path: ONE_PATH,
      summary:
        'Edit a codeflow (the whole definition, from the version it was loaded at)',
      description:
        'The body names the version it edits; a stale one saves nothing: 409 with the codeflow as it is now (`current`). Checked as a create is.',
      access: 'operate',
      permission: codeflowEditPermission,
      audit: { eventId: 'codeflow-update' },
      request: {
        params: codeflowParamsSchema,
        body: codeflowUpdateSchema,
        names: { params: 'codeflow', body: 'codeflow' },
      },
      response: {
        description: 'the codeflow at its new version',
        schema: codeflowViewSchema,
        errors: EDIT_ERRORS,
      },
      handler: async ({ resource, params, body, credentials, audit }) => {
        const { version, ...definition } = body;
        await store.getOf(resource.entityRef, params.id);
        await check(resource, definition, credentials);
        const saved = await store.update(
          resource.entityRef,
          params.id,
          definition,
          version,
          userOf(credentials),
        );
        audit.meta.result = { id: saved.id, version: saved.version };
        return codeflowView(saved);
      },
    }),
    route({
      method: 'delete',
      path: ONE_PATH,
      summary: 'Delete a codeflow (its runs stay in the history)',
      description:
        'With `?version=`, only that version is deleted (a stale one: 409 with `current`).',
      access: 'operate',
      permission: codeflowEditPermission,
      audit: { eventId: 'codeflow-delete', severityLevel: 'high' },
      request: {
        params: codeflowParamsSchema,
        query: codeflowDeleteQuerySchema,
        names: { params: 'codeflow', query: 'delete' },
      },
      response: {
        description: 'deleted',
        errors: { 409: 'the codeflow changed since it was loaded (`current`)' },
      },
      handler: async ({ resource, params, query, credentials, audit }) => {
        const deleted = await store.delete(
          resource.entityRef,
          params.id,
          query.version,
          userOf(credentials),
        );
        audit.meta.result = {
          id: deleted.id,
          name: deleted.definition.name,
          version: deleted.version,
        };
      },
    }),
    route({
      method: 'get',
      path: `${ONE_PATH}/dockerfile`,
      summary:
        'The Dockerfile a codeflow builds with: generated from its fields, or its custom one',
      description:
        'A generated Dockerfile reads the build arguments in `buildArgs` (commit, time, build id), set per run. With a pre-processing script, its image’s Dockerfile and key (the image is reused while the key is the same).',
      access: 'read',
      request: { params: codeflowParamsSchema, names: { params: 'codeflow' } },
      response: {
        description: 'the Dockerfile text and how it was made',
        schema: codeflowDockerfileSchema,
        errors: {
          409: 'the codeflow’s build image is no longer offered',
        },
      },
      handler: async ({ resource, params }) =>
        codeflowDockerfile(
          config,
          await store.getOf(resource.entityRef, params.id),
        ),
    }),
    route({
      method: 'get',
      path: '/build-images',
      summary:
        'The build images a codeflow may choose (JDK, Node, Python, Go, plain)',
      access: 'read',
      resource: false,
      response: {
        description: 'the configured build images',
        schema: buildImageListSchema,
      },
      handler: async () => ({ items: config.buildImages }),
    }),
    route({
      method: 'get',
      path: '/credentials',
      summary:
        'The credentials a codeflow may reference for its repository: names and what they are for, never their values',
      access: 'read',
      resource: false,
      response: {
        description: 'the configured credentials’ names',
        schema: codeflowCredentialListSchema,
      },
      handler: async () => ({
        items: config.credentials.map(c => ({
          name: c.name,
          description: c.description,
        })),
      }),
    }),
  ];
}

/** The refusal of a permission on a service, in words. */
function refusal(permission: RoutePermission, entityRef?: string): string {
  return permission.name === codeflowEditPermission.name
    ? `you may not edit the codeflows of ${entityRef}: only its owners and ops admins may`
    : `you may not ${permission.name} ${entityRef}`;
}

/**
 * The checks a definition passes before it is saved, beyond its schema: the build image and the
 * credentials reference are configured ones, the Dockerfile can be generated, and each target
 * is a Component the caller may edit the codeflows of, in placements its binding covers, in
 * clusters the platform knows.
 */
export function definitionChecks(
  deps: Pick<CodeflowDeps, 'catalog' | 'bindings' | 'permissions' | 'clusters'>,
  config: CodeflowConfig,
) {
  return async (
    service: CodeflowService,
    d: CodeflowDefinition,
    credentials: BackstageCredentials,
  ): Promise<void> => {
    const invalid = (message: string) =>
      new InputError(`invalid codeflow: ${message}`);
    const hostRefused = repositoryHostRefusal(
      d.repositoryUrl,
      config.repositoryHosts,
    );
    if (hostRefused) throw invalid(hostRefused);
    if (!config.buildImages.some(b => b.id === d.buildImage)) {
      throw invalid(
        `buildImage: there is no build image ${
          d.buildImage
        } (there are ${config.buildImages.map(b => b.id).join(', ')})`,
      );
    }
    if (
      d.credentials !== null &&
      !config.credentials.some(c => c.name === d.credentials)
    ) {
      throw invalid(
        `credentials: there is no credential named ${d.credentials} (${
          config.credentials.length
            ? `there are ${config.credentials.map(c => c.name).join(', ')}`
            : 'none is configured: containerCloud.codeflow.credentials'
        })`,
      );
    }
    if (d.customDockerfile !== undefined && d.preprocessingScript?.length) {
      throw invalid(
        'preprocessingScript: a custom Dockerfile replaces the generated one and its pre-processing: leave one of them out',
      );
    }
    try {
      codeflowDockerfile(config, {
        id: 'cf-000000000000000000000000',
        definition: d,
      });
    } catch (error) {
      if (error instanceof DockerfileValueError) {
        throw invalid(`the Dockerfile cannot be generated: ${error.message}`);
      }
      throw error;
    }
    const clusterNames = new Set(deps.clusters.names);
    for (const [i, target] of d.targets.entries()) {
      const field = `targets.${i}`;
      const entityRef = target.service.toLocaleLowerCase('en-US');
      const entity =
        entityRef === service.entityRef.toLocaleLowerCase('en-US')
          ? service.entity
          : await deps.catalog.getEntityByRef(entityRef, { credentials });
      if (!entity) {
        throw invalid(
          `${field}.service: there is no service ${target.service} in the catalog`,
        );
      }
      if (entity !== service.entity) {
        const [decision] = await deps.permissions.authorize(
          [{ permission: codeflowEditPermission, resourceRef: entityRef }],
          { credentials },
        );
        if (decision.result !== AuthorizeResult.ALLOW) {
          throw new NotAllowedError(
            `${field}: you may not roll ${target.service} from a codeflow: only its owners and ops admins may`,
          );
        }
      }
      const binding =
        entity === service.entity
          ? service.binding
          : await deps.bindings.resolve(entity);
      if (binding.status.state !== 'bound') {
        throw invalid(
          `${field}: ${target.service} controls no workloads: ${binding.status.message}`,
        );
      }
      for (const [j, p] of target.placements.entries()) {
        if (!clusterNames.has(p.cluster)) {
          throw invalid(
            `${field}.placements.${j}.cluster: there is no cluster ${
              p.cluster
            } (there are ${[...clusterNames].join(', ') || 'none'})`,
          );
        }
        if (!binding.covers(p.cluster, p.namespace)) {
          throw invalid(
            `${field}.placements.${j}: ${target.service} may not run in ${
              p.cluster
            }/${p.namespace}: its workloads are only in ${describePlacements(
              binding.status.placements ?? [],
            )}`,
          );
        }
      }
    }
  };
}

/** The route group's resource: the Component, read with the caller's rights, and its binding. */
function lookupService(deps: Pick<CodeflowDeps, 'catalog' | 'bindings'>) {
  return async (
    req: express.Request,
    credentials: BackstageCredentials,
  ): Promise<CodeflowService> => {
    const params = parseInput(
      codeflowServiceParamsSchema,
      req.params,
      'service',
    );
    const { entityRef, entity } = await serviceEntityOf(
      deps.catalog,
      params,
      credentials,
    );
    return { entityRef, entity, binding: await deps.bindings.resolve(entity) };
  };
}

/** The request as the audit event keeps it: a custom Dockerfile by its size, not its text. */
function auditedRequest(input: unknown): AuditMeta | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const { customDockerfile, ...rest } = input as Record<string, unknown>;
  return {
    ...(rest as AuditMeta),
    ...(typeof customDockerfile === 'string'
      ? { customDockerfile: { bytes: Buffer.byteLength(customDockerfile) } }
      : {}),
  };
}

/** The codeflow definitions' routes: a service's codeflows (CRUD) and their generated Dockerfile. */
export async function definitionRoutes(
  deps: CodeflowDeps,
): Promise<RouteGroup> {
  const config = readCodeflowConfig(deps.config);
  const store = new CodeflowStore(deps.knex);
  return {
    routes: definitionRouteTable({
      store,
      config,
      check: definitionChecks(deps, config),
    }),
    lookup: lookupService(deps),
    resourceRef: service => service.entityRef,
    auditMeta: service => ({ entityRef: service.entityRef }),
    auditedRequest,
    refusal,
  };
}
