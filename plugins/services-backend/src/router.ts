import express from 'express';
import Router from 'express-promise-router';
import type {
  AuditorService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  ResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  configSchema,
  containerDebugPermission,
  debugSchema,
  historyQuerySchema,
  podTargetSchema,
  rollbackSchema,
  scaleSchema,
  syncSchema,
  targetSchema,
  upgradeSchema,
  containerDeletePermission,
  containerRemoveFromLoadBalancingPermission,
  DeploymentView,
  OperationResult,
  serviceReadPermission,
  serviceRestartPermission,
  serviceRollbackPermission,
  serviceScalePermission,
  serviceUpgradePermission,
  serviceConfigEditPermission,
  ServiceView,
} from '@internal/plugin-container-cloud-common';
import {
  ContainerCloudClusters,
  DeploymentConflictError,
  DeploymentOperations,
  ImageRegistries,
  PrometheusClient,
  readerCredentials,
  RouteAccess,
  routeCredentials,
  ServiceBinding,
  ServiceBindings,
  Target,
} from '@internal/plugin-container-cloud-node';
import { z } from 'zod';
import { PodHistoryStore } from './database/PodHistoryStore';
import { addContainerRoutes } from './containerRoutes';
import { addServiceListRoute } from './serviceListRoute';
import { addShellRoutes } from './shell/shellRoutes';
import { DEFAULT_NON_ROOT_USER, NonRootUser } from './shell/shellCommand';
import { addEveryClusterRoutes } from './everyCluster';
import { addImageTagsRoute } from './images/imageTags';
import { DEFAULT_DEBUG_IMAGES } from './lib/debug';
import {
  addContainerFileRoutes,
  DEFAULT_ALLOWED_PATHS,
  DEFAULT_MAX_FILE_BYTES,
} from './files/containerFiles';
import { ShellSessions } from './shell/ShellSessions';
import { ShellDirectory } from './shell/ShellDirectory';
import { FollowLimiter } from './services/FollowLimiter';
import { auditedBody } from './lib/auditedBody';
import { hideEnvValues } from './lib/hideEnvValues';
import { parseBody } from './lib/validation';

export interface RouterOptions {
  history: PodHistoryStore;
  clusters: ContainerCloudClusters;
  catalog: CatalogService;
  /** which workloads each entity controls (trusted origins, unique ids, placements) */
  bindings: ServiceBindings;
  permissions: PermissionsService;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  auditor: AuditorService;
  logger: LoggerService;
  maxReplicas: number;
  /** live log follows one user may hold open at once */
  maxFollowsPerUser: number;
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
}

/** One mutating route: its permission, its body and what it does in one cluster. */
interface Operation<T extends { cluster: string }> {
  path: string;
  eventId: string;
  permission:
    | ResourcePermission<'catalog-entity'>
    | ResourcePermission<'catalog-entity'>[];
  schema: z.ZodType<T>;
  /**
   * does the work; returns the response body (and what the audit event records). It reaches the
   * workloads' id only through `binding.idIn`, so a (cluster, namespace) outside the binding is
   * refused.
   */
  run(
    clusters: ContainerCloudClusters,
    binding: ServiceBinding,
    body: T,
  ): Promise<object>;
}

function deploymentTarget(
  binding: ServiceBinding,
  body: {
    cluster: string;
    namespace: string;
    deployment: string;
    resourceVersion?: string;
  },
): Target {
  return {
    namespace: body.namespace,
    name: body.deployment,
    kubernetesId: binding.idIn(body.cluster, body.namespace),
    resourceVersion: body.resourceVersion,
  };
}

/**
 * Runs a Deployment write and answers with the Deployment as it is now. Every (cluster, namespace)
 * the write touches (the target, and `alsoTouches`, e.g. a sync's source) is checked against the
 * binding before any cluster is looked up.
 */
function onDeployment<T extends z.infer<typeof targetSchema>>(
  write: (
    ops: DeploymentOperations,
    target: Target,
    body: T,
    all: ContainerCloudClusters,
    binding: ServiceBinding,
  ) => Promise<DeploymentView>,
  alsoTouches: (
    body: T,
  ) => Array<{ cluster: string; namespace: string }> = () => [],
) {
  return async (
    clusters: ContainerCloudClusters,
    binding: ServiceBinding,
    body: T,
  ): Promise<OperationResult> => {
    const target = deploymentTarget(binding, body);
    for (const pair of alsoTouches(body))
      binding.idIn(pair.cluster, pair.namespace);
    return {
      cluster: body.cluster,
      deployment: await write(
        clusters.operations(body.cluster),
        target,
        body,
        clusters,
        binding,
      ),
    };
  };
}

/**
 * The mutating routes, exported so the permission test can prove it covers every one of them.
 */
export function serviceOperations(
  maxReplicas: number,
  debugImages: string[] = DEFAULT_DEBUG_IMAGES,
) {
  return [
    {
      path: 'scale',
      eventId: 'service-scale',
      permission: serviceScalePermission,
      schema: scaleSchema(maxReplicas),
      run: onDeployment((ops, target, body) =>
        ops.scale(target, body.replicas),
      ),
    } satisfies Operation<z.infer<ReturnType<typeof scaleSchema>>>,
    {
      path: 'upgrade',
      eventId: 'service-upgrade',
      permission: serviceUpgradePermission,
      schema: upgradeSchema,
      run: onDeployment((ops, target, body) =>
        ops.upgrade(target, body.container, body.image),
      ),
    } satisfies Operation<z.infer<typeof upgradeSchema>>,
    {
      path: 'restart',
      eventId: 'service-restart',
      permission: serviceRestartPermission,
      schema: targetSchema,
      run: onDeployment((ops, target) => ops.restart(target)),
    } satisfies Operation<z.infer<typeof targetSchema>>,
    {
      path: 'rollback',
      eventId: 'service-rollback',
      permission: serviceRollbackPermission,
      schema: rollbackSchema,
      run: onDeployment((ops, target, body) =>
        ops.rollback(target, body.revision),
      ),
    } satisfies Operation<z.infer<typeof rollbackSchema>>,
    {
      path: 'config',
      eventId: 'service-config-edit',
      permission: serviceConfigEditPermission,
      schema: configSchema,
      run: onDeployment((ops, target, body) => {
        const { cluster, namespace, deployment, resourceVersion, ...change } =
          body;
        return ops.configure(target, change);
      }),
    } satisfies Operation<z.infer<typeof configSchema>>,
    {
      path: 'sync',
      eventId: 'service-sync',
      // a sync is a release: new images and new configuration
      permission: [serviceUpgradePermission, serviceConfigEditPermission],
      schema: syncSchema,
      run: onDeployment(
        async (ops, target, body, all, binding) => {
          // the source must be the service's own too: a sync copies images and configuration
          const sourceId = binding.idIn(body.from.cluster, body.from.namespace);
          const source = await all
            .operations(body.from.cluster)
            .portableConfig(
              body.from.namespace,
              body.from.deployment,
              sourceId,
            );
          return ops.syncFrom(target, source);
        },
        body => [body.from],
      ),
    } satisfies Operation<z.infer<typeof syncSchema>>,
    {
      path: 'containers/debug',
      eventId: 'container-debug',
      permission: containerDebugPermission,
      schema: debugSchema(debugImages),
      run: async (clusters, binding, body) => {
        const kubernetesId = binding.idIn(body.cluster, body.namespace);
        return {
          cluster: body.cluster,
          pod: body.pod,
          ...(await clusters.podDebug(body.cluster).add(
            {
              namespace: body.namespace,
              pod: body.pod,
              container: body.container,
              kubernetesId,
            },
            body.image,
          )),
        };
      },
    } satisfies Operation<z.infer<ReturnType<typeof debugSchema>>>,
    {
      path: 'containers/destroy',
      eventId: 'container-destroy',
      permission: containerDeletePermission,
      schema: podTargetSchema,
      run: async (clusters, binding, body) => {
        const kubernetesId = binding.idIn(body.cluster, body.namespace);
        await clusters
          .podOperations(body.cluster)
          .destroy({ namespace: body.namespace, name: body.pod, kubernetesId });
        return { cluster: body.cluster, pod: body.pod, destroyed: true };
      },
    } satisfies Operation<z.infer<typeof podTargetSchema>>,
    {
      path: 'containers/remove-from-lb',
      eventId: 'container-remove-from-lb',
      permission: containerRemoveFromLoadBalancingPermission,
      schema: podTargetSchema,
      run: async (clusters, binding, body) => {
        const kubernetesId = binding.idIn(body.cluster, body.namespace);
        const removedLabels = await clusters
          .podOperations(body.cluster)
          .removeFromLoadBalancing({
            namespace: body.namespace,
            name: body.pod,
            kubernetesId,
          });
        return { cluster: body.cluster, pod: body.pod, removedLabels };
      },
    } satisfies Operation<z.infer<typeof podTargetSchema>>,
  ] as Operation<any>[];
}

export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const {
    clusters,
    catalog,
    permissions,
    httpAuth,
    auditor,
    maxReplicas,
    history,
    maxFollowsPerUser,
  } = options;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));

  /** The Component behind `/services/:namespace/:name`, read with the caller's own rights. */
  async function loadService(req: express.Request, access: RouteAccess) {
    const credentials = await routeCredentials(httpAuth, req, access);
    const entityRef = stringifyEntityRef({
      kind: 'component',
      namespace: req.params.namespace,
      name: req.params.name,
    });
    const entity = await catalog.getEntityByRef(entityRef, { credentials });
    if (!entity)
      throw new NotFoundError(`no service ${entityRef} in the catalog`);
    // not the annotation alone: where the entity comes from, and who else claims the id
    const binding = await options.bindings.resolve(entity);
    return { credentials, entityRef, binding };
  }

  /** Every one of `required` must be allowed on the entity; the first refusal is the answer. */
  /**
   * Authorizes every `required` permission on the entity (a 403 in words when one is refused) and
   * answers whether each `asked` one is allowed, in one round trip to the permission backend.
   */
  async function authorizeAndAsk(
    required: ResourcePermission<'catalog-entity'>[],
    asked: ResourcePermission<'catalog-entity'>[],
    entityRef: string,
    credentials: Awaited<ReturnType<typeof loadService>>['credentials'],
  ): Promise<boolean[]> {
    const decisions = await permissions.authorize(
      [...required, ...asked].map(permission => ({
        permission,
        resourceRef: entityRef,
      })),
      { credentials },
    );
    required.forEach((permission, i) => {
      if (decisions[i].result !== AuthorizeResult.ALLOW) {
        throw new NotAllowedError(
          `you may not ${permission.name.replace(
            'container-cloud.',
            '',
          )} ${entityRef}: only its owners and ops admins may`,
        );
      }
    });
    return decisions
      .slice(required.length)
      .map(decision => decision.result === AuthorizeResult.ALLOW);
  }

  async function authorize(
    required:
      | ResourcePermission<'catalog-entity'>
      | ResourcePermission<'catalog-entity'>[],
    entityRef: string,
    credentials: Awaited<ReturnType<typeof loadService>>['credentials'],
  ) {
    await authorizeAndAsk([required].flat(), [], entityRef, credentials);
  }

  // shells and file downloads in root containers switch to this user where the image allows
  const nonRootUser =
    options.shellNonRootUser === false
      ? undefined
      : options.shellNonRootUser ?? DEFAULT_NON_ROOT_USER;

  router.get('/health', async (req, res) => {
    await readerCredentials(httpAuth, req);
    res.json({ clusters: clusters.health() });
  });

  router.get('/services/:namespace/:name', async (req, res) => {
    const { credentials, entityRef, binding } = await loadService(req, 'read');
    // env values are for those who may edit them (owners and ops), and never for a service
    // principal, which the permission client would allow without asking the policy
    const [mayEdit] = await authorizeAndAsk(
      [serviceReadPermission],
      [serviceConfigEditPermission],
      entityRef,
      credentials,
    );
    // only what the entity controls: an impostor sees nothing, a service only its placements
    const views = clusters.serviceView(
      binding.kubernetesId,
      binding.visiblePlacements(),
    );
    const view: ServiceView = {
      entityRef,
      kubernetesId: binding.kubernetesId,
      ...(binding.reported() ? { binding: binding.reported() } : {}),
      clusters:
        (credentials.principal as { type?: string }).type === 'user' && mayEdit
          ? views
          : hideEnvValues(views),
    };
    res.json(view);
  });

  router.get('/services/:namespace/:name/diagnosis', async (req, res) => {
    const { credentials, entityRef, binding } = await loadService(req, 'read');
    await authorize(serviceReadPermission, entityRef, credentials);
    res.json(
      await clusters.diagnose(
        binding.kubernetesId,
        binding.visiblePlacements(),
      ),
    );
  });

  router.get('/services/:namespace/:name/history', async (req, res) => {
    const { credentials, entityRef, binding } = await loadService(req, 'read');
    await authorize(serviceReadPermission, entityRef, credentials);
    const query = parseBody(historyQuerySchema, req.query);
    res.json(
      await history.list({
        kubernetesId: binding.kubernetesId,
        placements: binding.visiblePlacements(),
        ...query,
      }),
    );
  });

  addContainerFileRoutes(router, {
    clusters,
    auditor,
    allowedPaths: options.files?.allowedPaths ?? DEFAULT_ALLOWED_PATHS,
    maxBytes: options.files?.maxBytes ?? DEFAULT_MAX_FILE_BYTES,
    allowedOrigins: options.allowedOrigins ?? [],
    nonRootUser,
    loadService,
    authorize,
  });

  addImageTagsRoute(router, {
    clusters,
    registries: options.registries ?? new ImageRegistries([]),
    loadService,
    authorize,
  });

  addShellRoutes(router, {
    clusters,
    auditor,
    sessions: options.shellSessions ?? new ShellSessions(),
    directory: options.shellDirectory,
    logger: options.logger,
    allowedOrigins: options.allowedOrigins ?? [],
    nonRootUser,
    loadService,
    authorize,
  });

  addServiceListRoute(router, {
    clusters,
    catalog,
    bindings: options.bindings,
    httpAuth,
    permissions,
    userInfo: options.userInfo,
  });

  addContainerRoutes(router, {
    clusters,
    auditor,
    followLimiter: new FollowLimiter(maxFollowsPerUser),
    history,
    prometheus: options.prometheus,
    loadService,
    authorize,
  });

  const debugImages = options.debugImages ?? DEFAULT_DEBUG_IMAGES;
  router.get('/services/:namespace/:name/debug-images', async (req, res) => {
    const { credentials, entityRef } = await loadService(req, 'read');
    await authorize(serviceReadPermission, entityRef, credentials);
    res.json({ images: debugImages });
  });

  addEveryClusterRoutes(router, {
    operations: serviceOperations(maxReplicas, debugImages),
    clusters,
    auditor,
    loadService,
    authorize,
  });

  for (const op of serviceOperations(maxReplicas, debugImages)) {
    router.post(`/services/:namespace/:name/${op.path}`, async (req, res) => {
      const { credentials, entityRef, binding } = await loadService(
        req,
        'operate',
      );
      const event = await auditor.createEvent({
        eventId: op.eventId,
        severityLevel: 'medium',
        request: req,
        meta: {
          entityRef,
          // env values stay out of the audit log
          ...(auditedBody(req.body) ? { request: auditedBody(req.body) } : {}),
        },
      });
      try {
        await authorize(op.permission, entityRef, credentials);
        const body = parseBody(op.schema, req.body);
        const result = await op.run(clusters, binding, body);
        await event.success({ meta: { cluster: body.cluster } });
        res.json(result);
      } catch (error) {
        await event.fail({ error: error as Error });
        if (error instanceof DeploymentConflictError) {
          // the user sees what they would have overwritten
          res.status(409).json({
            error: { name: 'ConflictError', message: error.message },
            current: error.current,
          });
          return;
        }
        throw error;
      }
    });
  }

  return router;
}
