import express from 'express';
import Router from 'express-promise-router';
import type {
  AuditorService,
  AuthService,
  BackstageCredentials,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { RELATION_OWNED_BY } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  debugImagesSchema,
  healthViewSchema,
  historyPageSchema,
  historyQuerySchema,
  serviceConfigEditPermission,
  serviceDiagnosisSchema,
  serviceReadPermission,
  serviceViewQuerySchema,
  serviceViewSchema,
} from '@internal/plugin-container-cloud-common';
import {
  addRoutes,
  ContainerCloudClusters,
  ImageRegistries,
  openApiDocument,
  PrometheusClient,
  ReadDecisionCache,
  routeCredentials,
  RoutePermission,
  ServiceBindings,
  serviceEntityOf,
} from '@internal/plugin-container-cloud-node';
import { PodHistoryStore } from './database/PodHistoryStore';
import { containerRoutes } from './containerRoutes';
import { serviceListRoute } from './serviceListRoute';
import {
  addShellMiddleware,
  shellRoutes,
  ShellRoutesOptions,
} from './shell/shellRoutes';
import { DEFAULT_NON_ROOT_USER, NonRootUser } from './shell/shellCommand';
import { everyClusterOperations, everyClusterRoutes } from './everyCluster';
import { imageTagsRoute } from './images/imageTags';
import { DEFAULT_DEBUG_IMAGES } from './lib/debug';
import {
  containerFileRoute,
  DEFAULT_ALLOWED_PATHS,
  DEFAULT_MAX_FILE_BYTES,
} from './files/containerFiles';
import { ShellSessions } from './shell/ShellSessions';
import { ShellDirectory } from './shell/ShellDirectory';
import { FollowLimiter, FollowSlots } from './services/FollowLimiter';
import { auditedBody } from './lib/auditedBody';
import { ServiceViewPages } from './services/ServiceViewPages';
import { requireOrigin } from './shell/origin';
import {
  LoadedService,
  SERVICE_PATH,
  ServiceAccess,
  ServiceRoute,
  serviceRoute,
} from './lib/serviceRoutes';
import { operationRoutes, serviceOperations } from './operations';
import { DeployTargets } from './services/targets/DeployTargets';
import {
  deployTargetGroup,
  deployTargetRoutes,
} from './services/targets/deployTargetRoutes';

export interface RouterOptions {
  history: PodHistoryStore;
  clusters: ContainerCloudClusters;
  catalog: CatalogService;
  /** which workloads each entity controls (trusted origins, unique ids, placements) */
  bindings: ServiceBindings;
  permissions: PermissionsService;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  /** the plugin's own credentials, to read the catalog as the plugin (deploy targets) */
  auth: AuthService;
  auditor: AuditorService;
  logger: LoggerService;
  maxReplicas: number;
  /** live log follows one user may hold open at once */
  maxFollowsPerUser: number;
  /**
   * the live log follows open at once over every replica (FollowDirectory, the plugin's
   * database); default: this process's own count, maxFollowsPerUser per user
   */
  followLimiter?: FollowSlots;
  /** where container metrics are; none: the metrics route answers 503 */
  prometheus?: PrometheusClient;
  /** the open web shells (default: one registry with the default limits) */
  shellSessions?: ShellSessions;
  /** which replica holds each shell, when the backend runs as several (see ShellDirectory) */
  shellDirectory?: ShellDirectory;
  /** files that may be downloaded from inside containers */
  files?: { allowedPaths?: string[]; maxBytes?: number };
  /** registries whose tags the upgrade dialog offers (default: none) */
  registries?: ImageRegistries;
  /** tools images debug containers may run (default: DEFAULT_DEBUG_IMAGES) */
  debugImages?: string[];
  /** browser origins shells and file downloads may come from (default: none but same-origin) */
  allowedOrigins?: string[];
  /**
   * The user shells into root containers switch to where the image allows (default:
   * DEFAULT_NON_ROOT_USER); false keeps the container's user.
   */
  shellNonRootUser?: NonRootUser | false;
  /** the service view's serialised pages (default: kept per router, see ServiceViewPages) */
  viewPages?: ServiceViewPages;
  /**
   * how long a person's read of a service (lookup and decisions) is remembered; 0 or none:
   * every read is looked up and authorized (see ReadDecisionCache)
   */
  readCacheSeconds?: number;
}

/** `containerCloud.services.readCacheSeconds` when unset. */
export const DEFAULT_READ_CACHE_SECONDS = 5;

export { serviceOperations };

/** Everything the route table needs, with the defaults filled in. */
function routeTable(
  options: RouterOptions,
  access: ServiceAccess,
): ServiceRoute[] {
  const { clusters, catalog, history, maxReplicas } = options;
  // shells and file downloads in root containers switch to this user where the image allows
  const nonRootUser =
    options.shellNonRootUser === false
      ? undefined
      : options.shellNonRootUser ?? DEFAULT_NON_ROOT_USER;
  const debugImages = options.debugImages ?? DEFAULT_DEBUG_IMAGES;
  const operations = serviceOperations(maxReplicas, debugImages);
  return [
    ...viewRoutes(options, debugImages),
    serviceListRoute({
      clusters,
      catalog,
      bindings: options.bindings,
      permissions: options.permissions,
      userInfo: options.userInfo,
    }),
    imageTagsRoute({
      clusters,
      registries: options.registries ?? new ImageRegistries([]),
    }),
    ...containerRoutes({
      clusters,
      followLimiter:
        options.followLimiter ?? new FollowLimiter(options.maxFollowsPerUser),
      history,
      prometheus: options.prometheus,
    }),
    containerFileRoute({
      clusters,
      allowedPaths: options.files?.allowedPaths ?? DEFAULT_ALLOWED_PATHS,
      maxBytes: options.files?.maxBytes ?? DEFAULT_MAX_FILE_BYTES,
      nonRootUser,
    }),
    ...shellRoutes(shellOptions(options, access, nonRootUser)),
    ...operationRoutes(operations, clusters),
    ...everyClusterRoutes({
      operations,
      clusters,
      auditor: options.auditor,
    }),
  ];
}

function shellOptions(
  options: RouterOptions,
  access: ServiceAccess,
  nonRootUser: NonRootUser | undefined,
): ShellRoutesOptions {
  return {
    ...access,
    clusters: options.clusters,
    auditor: options.auditor,
    sessions: options.shellSessions ?? new ShellSessions(),
    directory: options.shellDirectory,
    logger: options.logger,
    allowedOrigins: options.allowedOrigins ?? [],
    nonRootUser,
  };
}

/** The views of one service as a whole: its workloads, diagnosis, history, debug images. */
function viewRoutes(
  options: RouterOptions,
  debugImages: string[],
): ServiceRoute[] {
  const { clusters, history } = options;
  const viewPages = options.viewPages ?? new ServiceViewPages(clusters);
  return [
    serviceRoute({
      method: 'get',
      path: '/health',
      summary: "Every cluster's health",
      access: 'read',
      resource: false,
      response: { description: 'by cluster name', schema: healthViewSchema },
      handler: async () => ({ clusters: clusters.health() }),
    }),
    serviceRoute({
      method: 'get',
      path: SERVICE_PATH,
      summary: "A service's workloads in every cluster",
      access: 'read',
      permission: serviceReadPermission,
      // env values are for those who may edit them (owners and ops), and never for a service
      // principal, which the permission client would allow without asking the policy
      ask: [serviceConfigEditPermission],
      description:
        "Each cluster's Deployments, revisions, health and container counts whole, and a page of its containers (sorted by name). The answer is serialised once per change and shared by the readers who may see the same view; send its ETag back in If-None-Match to get a 304 while it is unchanged.",
      request: { query: serviceViewQuerySchema },
      response: {
        description: 'the service',
        schema: serviceViewSchema,
        conditional: true,
      },
      handler: async ({ resource, credentials, asked: [mayEdit], query }) => {
        if (query.cluster && !clusters.names.includes(query.cluster)) {
          throw new InputError(
            `no cluster named '${query.cluster}'; configured: ${
              clusters.names.join(', ') || 'none'
            }`,
          );
        }
        // only what the entity controls: an impostor sees nothing, a service only its placements
        return viewPages.page(
          {
            ...resource,
            showEnvValues:
              (credentials.principal as { type?: string }).type === 'user' &&
              mayEdit,
          },
          query,
        );
      },
    }),
    serviceRoute({
      method: 'get',
      path: `${SERVICE_PATH}/diagnosis`,
      summary: "What is wrong with a service's containers, in plain words",
      access: 'read',
      permission: serviceReadPermission,
      response: { description: 'findings', schema: serviceDiagnosisSchema },
      handler: async ({ resource: { binding } }) =>
        clusters.diagnose(binding.kubernetesId, binding.visiblePlacements()),
    }),
    serviceRoute({
      method: 'get',
      path: `${SERVICE_PATH}/history`,
      summary: 'The pods a service had, running or gone',
      access: 'read',
      permission: serviceReadPermission,
      request: { query: historyQuerySchema },
      response: { description: 'a page of pods', schema: historyPageSchema },
      handler: async ({ resource: { binding }, query }) =>
        history.list({
          kubernetesId: binding.kubernetesId,
          placements: binding.visiblePlacements(),
          ...query,
        }),
    }),
    serviceRoute({
      method: 'get',
      path: `${SERVICE_PATH}/debug-images`,
      summary: 'The tools images a debug container may run',
      access: 'read',
      permission: serviceReadPermission,
      response: { description: 'the images', schema: debugImagesSchema },
      handler: async () => ({ images: debugImages }),
    }),
  ];
}

/**
 * The services backend's route table, every route as data (see container-cloud-node's
 * `addRoutes`); the permission tests and the OpenAPI document read it.
 */
export function serviceRouteTable(options: RouterOptions): ServiceRoute[] {
  const unused = async () => {
    throw new Error('the route table is only read here');
  };
  return routeTable(options, { loadService: unused, authorize: unused });
}

/** Where teams may run new services (`/deploy-targets`). */
function deployTargets(options: RouterOptions): DeployTargets {
  return new DeployTargets({
    catalog: options.catalog,
    auth: options.auth,
    userInfo: options.userInfo,
    bindings: options.bindings,
    clusters: options.clusters,
  });
}

/** The OpenAPI document of the services backend, from its route tables. */
export function servicesOpenApi(options: RouterOptions) {
  return openApiDocument(
    {
      title: 'Container Cloud services',
      version: '1',
      description:
        "Run a service across clusters from its catalog page. Every route but this document's needs a Backstage token.",
      serverUrl: '/api/services',
    },
    [
      ...serviceRouteTable(options),
      ...deployTargetRoutes({
        targets: deployTargets(options),
        logger: options.logger,
      }),
    ],
  );
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { catalog, permissions, httpAuth, auditor } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));

  /** The Component behind `/services/:namespace/:name`, read with the caller's own rights. */
  async function lookup(
    req: express.Request,
    credentials: BackstageCredentials,
  ): Promise<LoadedService> {
    const { entityRef, entity } = await serviceEntityOf(
      catalog,
      req.params,
      credentials,
    );
    // not the annotation alone: where the entity comes from, and who else claims the id
    const binding = await options.bindings.resolve(entity);
    const owners = (entity.relations ?? [])
      .filter(r => r.type === RELATION_OWNED_BY)
      .map(r => r.targetRef);
    return { entityRef, binding, owners };
  }

  const refusal = (permission: RoutePermission, entityRef?: string) =>
    `you may not ${permission.name.replace(
      'container-cloud.',
      '',
    )} ${entityRef}: only its owners and ops admins may`;

  // the same checks for what is no route of the table (the shells' forwarding)
  const access: ServiceAccess = {
    async loadService(req, routeAccess) {
      const credentials = await routeCredentials(httpAuth, req, routeAccess);
      return { credentials, ...(await lookup(req, credentials)) };
    },
    async authorize(permission, entityRef, credentials) {
      const [decision] = await permissions.authorize(
        [{ permission, resourceRef: entityRef }],
        { credentials },
      );
      if (decision.result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(refusal(permission, entityRef));
      }
    },
  };

  const document = servicesOpenApi(options);
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });

  router.use(
    `${SERVICE_PATH}/containers/file`,
    requireOrigin(options.allowedOrigins ?? []),
  );
  const table = routeTable(options, access);
  addShellMiddleware(
    router,
    shellOptions(
      options,
      access,
      undefined /* the middleware opens no shell */,
    ),
  );
  addRoutes(router, table, {
    httpAuth,
    permissions,
    auditor,
    lookup,
    // the Service tab asks again and again (many viewers, live updates): its reads are
    // remembered for seconds, its operations never
    readDecisions: options.readCacheSeconds
      ? new ReadDecisionCache({ ttlMs: options.readCacheSeconds * 1000 })
      : undefined,
    resourceRef: service => service.entityRef,
    auditMeta: service => ({ entityRef: service.entityRef }),
    // env values stay out of the audit log
    auditedRequest: auditedBody,
    refusal,
  });
  // where teams may run new services: about no existing service, so a group of its own
  const { routes: targetRoutes, ...targetPipeline } = deployTargetGroup({
    targets: deployTargets(options),
    logger: options.logger,
    permissions,
  });
  addRoutes(router, targetRoutes, { ...targetPipeline, httpAuth, auditor });
  // an operation that does not run in every cluster (a revision number means nothing there)
  const everyCluster = everyClusterOperations(
    serviceOperations(options.maxReplicas, options.debugImages),
  );
  router.use(`${SERVICE_PATH}/every-cluster/:operation`, req => {
    throw new NotFoundError(
      `no operation '${
        req.params.operation
      }' runs in every cluster; these do: ${everyCluster.join(', ')}`,
    );
  });
  return router;
}
