import express from 'express';
import Router from 'express-promise-router';
import {
  resolvePackagePath,
  type AuditorService,
  type DatabaseService,
  type HttpAuthService,
  type HttpRouterService,
  type PermissionsService,
} from '@backstage/backend-plugin-api';
import { addRoutes } from './addRoutes';
import {
  OpenApiDocument,
  OpenApiInfo,
  openApiDocument,
} from './openApiDocument';
import type { RoutePipelineOptions, RouteSpec } from './types';

/**
 * One part of a plugin's API (e.g. a storage plugin's volumes and its config files): its route
 * table, and how the pipeline finds and names the resource its routes are about.
 * @public
 */
export interface RouteGroup<TResource = any>
  extends Omit<
    RoutePipelineOptions<TResource>,
    'httpAuth' | 'permissions' | 'auditor'
  > {
  routes: readonly RouteSpec<TResource, any, any>[];
}

/** What `moduleRouter` needs. @public */
export interface ModuleRouterOptions {
  /** the OpenAPI document's title, version and base path */
  info: OpenApiInfo;
  groups: readonly RouteGroup[];
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  /** the largest JSON body accepted (express.json's `limit`); default 256kb */
  jsonLimit?: string;
  /**
   * Paths the plugin serves itself, outside the pipeline (e.g. a webhook that authenticates
   * with its own secret, not a Backstage token), added to the document as given (OpenAPI path
   * items, e.g. with `security: []`). The plugin mounts them and declares their auth policy.
   */
  documentedPaths?: OpenApiDocument['paths'];
}

/**
 * The router of a plugin built from route groups: JSON bodies, the public `/openapi.json`
 * generated from every group's table, and each group's routes through `addRoutes`. The plugin
 * still declares `/openapi.json` unauthenticated with its `httpRouter.addAuthPolicy`.
 * @public
 */
export function moduleRouter(options: ModuleRouterOptions): express.Router {
  const { groups, httpAuth, permissions, auditor } = options;
  const router = Router();
  router.use(express.json({ limit: options.jsonLimit ?? '256kb' }));
  const document = openApiDocument(
    options.info,
    groups.flatMap(group => group.routes),
  );
  for (const [path, item] of Object.entries(options.documentedPaths ?? {})) {
    document.paths[path] = { ...document.paths[path], ...item };
  }
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  for (const { routes, ...pipeline } of groups) {
    addRoutes(router, routes, { ...pipeline, httpAuth, permissions, auditor });
  }
  return router;
}

/**
 * Serves a module on its plugin's HTTP router: the router `moduleRouter` builds from its groups,
 * and its OpenAPI document without a token, as Backstage's own backends serve theirs.
 * @public
 */
export function serveModule(
  httpRouter: HttpRouterService,
  options: ModuleRouterOptions,
): void {
  httpRouter.addAuthPolicy({ path: '/openapi.json', allow: 'unauthenticated' });
  httpRouter.use(moduleRouter(options));
}

/**
 * The plugin's database with every migration in its package's `migrations` folder applied
 * (unless the backend is told to skip migrations).
 * @public
 */
export async function migratedDatabase(
  database: DatabaseService,
  packageName: string,
): Promise<Awaited<ReturnType<DatabaseService['getClient']>>> {
  const knex = await database.getClient();
  if (!database.migrations?.skip) {
    await knex.migrate.latest({
      directory: resolvePackagePath(packageName, 'migrations'),
    });
  }
  return knex;
}
