import {
  configSchema,
  containerDebugPermission,
  containerDeletePermission,
  containerRemoveFromLoadBalancingPermission,
  debugResultSchema,
  debugSchema,
  DeploymentView,
  destroyResultSchema,
  OperationResult,
  operationResultSchema,
  podTargetSchema,
  removeFromLoadBalancingResultSchema,
  rollbackSchema,
  scaleSchema,
  serviceConfigEditPermission,
  serviceRestartPermission,
  serviceRollbackPermission,
  serviceCreatePermission,
  serviceCreateResultSchema,
  serviceCreateSchema,
  serviceScalePermission,
  serviceUpgradePermission,
  syncSchema,
  targetSchema,
  upgradeSchema,
} from '@internal/plugin-container-cloud-common';
import type {
  ContainerCloudClusters,
  DeploymentOperations,
  ServiceBinding,
  Target,
} from '@internal/plugin-container-cloud-node';
import type { ResourcePermission } from '@backstage/plugin-permission-common';
import type { z } from 'zod';
import { DEFAULT_DEBUG_IMAGES } from './lib/debug';
import {
  LoadedService,
  SERVICE_PATH,
  ServiceRoute,
  serviceRoute,
} from './lib/serviceRoutes';
import { assertAppStoreSecrets } from './services/config/appStoreSecrets';
import { secretReader } from './services/config/secretReader';
import { ServiceCreator } from './services/create/ServiceCreator';

/**
 * One operation on a service's workloads in one cluster: its route (`POST <path>`), permission,
 * audit event, body and answer, and what it does. It reaches the workloads' id only through
 * `binding.idIn`, so a (cluster, namespace) outside the binding is refused.
 */
export interface Operation<
  TBody extends z.ZodType<{ cluster: string }> = z.ZodType<{
    cluster: string;
  }>,
  TResult extends z.ZodType = z.ZodType,
> {
  path: string;
  summary: string;
  eventId: string;
  permission:
    | ResourcePermission<'catalog-entity'>
    | ResourcePermission<'catalog-entity'>[];
  schema: TBody;
  result: TResult;
  /** it means the same in every cluster (a revision number does not): `every-cluster/<path>` */
  everyCluster: boolean;
  /** what its 409 means, when not a stale `resourceVersion` */
  conflict?: string;
  /**
   * Checks what the body refers to beyond its schema (a 400 in words), before anything is
   * written; in every cluster first, when the operation runs in every cluster.
   */
  check?(
    clusters: ContainerCloudClusters,
    service: LoadedService,
    body: z.output<TBody>,
  ): Promise<void>;
  run(
    clusters: ContainerCloudClusters,
    binding: ServiceBinding,
    body: z.output<TBody>,
  ): Promise<z.input<TResult>>;
}

function operation<
  TBody extends z.ZodType<{ cluster: string }>,
  TResult extends z.ZodType,
>(op: Operation<TBody, TResult>): Operation<TBody, TResult> {
  return op;
}

function deploymentTarget(
  binding: ServiceBinding,
  body: z.output<typeof targetSchema>,
): Target {
  return {
    namespace: body.namespace,
    name: body.deployment,
    kubernetesId: binding.idIn(body.cluster, body.namespace),
    resourceVersion: body.resourceVersion,
    generation: body.generation,
  };
}

/**
 * Runs a Deployment write and answers with the Deployment as it is now. Every (cluster, namespace)
 * the write touches (the target, and `alsoTouches`, e.g. a sync's source) is checked against the
 * binding before any cluster is looked up.
 */
function onDeployment<T extends z.output<typeof targetSchema>>(
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
 * The operations, the one list of them: their one-cluster routes, the every-cluster routes and
 * the permission tests all read it.
 */
export function serviceOperations(
  maxReplicas: number,
  debugImages: string[] = DEFAULT_DEBUG_IMAGES,
): Operation[] {
  return [
    operation({
      path: 'create',
      summary:
        "Create the service's Deployment and ClusterIP Service in one cluster and namespace (idempotent; `dryRun` stores nothing)",
      eventId: 'service-create',
      permission: serviceCreatePermission,
      schema: serviceCreateSchema(maxReplicas),
      result: serviceCreateResultSchema,
      // each cluster its own replicas: the scaffolder action sends one request per placement
      everyCluster: false,
      conflict:
        "a Deployment or Service of that name is there with another spec, or is not this service's: nothing is changed; the answer carries the Deployment as it is (`current`)",
      run: async (clusters, binding, body) => {
        // the pair checked against the binding before the cluster is looked up
        const kubernetesId = binding.idIn(body.cluster, body.namespace);
        return new ServiceCreator(clusters.connection(body.cluster)).create(
          body,
          kubernetesId,
        );
      },
    }),
    operation({
      path: 'scale',
      summary: 'Scale a Deployment to a number of replicas',
      eventId: 'service-scale',
      permission: serviceScalePermission,
      schema: scaleSchema(maxReplicas),
      result: operationResultSchema,
      everyCluster: true,
      run: onDeployment((ops, target, body) =>
        ops.scale(target, body.replicas),
      ),
    }),
    operation({
      path: 'upgrade',
      summary: "Change a container's image",
      eventId: 'service-upgrade',
      permission: serviceUpgradePermission,
      schema: upgradeSchema,
      result: operationResultSchema,
      everyCluster: true,
      run: onDeployment((ops, target, body) =>
        ops.upgrade(target, body.container, body.image),
      ),
    }),
    operation({
      path: 'restart',
      summary: "Restart a Deployment's pods, one by one",
      eventId: 'service-restart',
      permission: serviceRestartPermission,
      schema: targetSchema,
      result: operationResultSchema,
      everyCluster: true,
      run: onDeployment((ops, target) => ops.restart(target)),
    }),
    operation({
      path: 'rollback',
      summary: 'Roll a Deployment back to a revision',
      eventId: 'service-rollback',
      permission: serviceRollbackPermission,
      schema: rollbackSchema,
      result: operationResultSchema,
      everyCluster: false,
      run: onDeployment((ops, target, body) =>
        ops.rollback(target, body.revision),
      ),
    }),
    operation({
      path: 'config',
      summary:
        "Edit a container's configuration: what the body names is replaced",
      eventId: 'service-config-edit',
      permission: serviceConfigEditPermission,
      schema: configSchema,
      result: operationResultSchema,
      everyCluster: true,
      // a variable from a Secret: only one the app store made for the service's owner
      check: async (clusters, service, body) => {
        service.binding.idIn(body.cluster, body.namespace);
        await assertAppStoreSecrets(
          secretReader(clusters, body.cluster),
          body,
          body.env,
          { entityRef: service.entityRef, owners: service.owners ?? [] },
        );
      },
      run: onDeployment((ops, target, body) => {
        const {
          cluster,
          namespace,
          deployment,
          resourceVersion,
          generation,
          ...change
        } = body;
        return ops.configure(target, change);
      }),
    }),
    operation({
      path: 'sync',
      summary:
        "Give a Deployment another one's images and configuration (sync to production)",
      eventId: 'service-sync',
      // a sync is a release: new images and new configuration
      permission: [serviceUpgradePermission, serviceConfigEditPermission],
      schema: syncSchema,
      result: operationResultSchema,
      everyCluster: false,
      run: onDeployment(
        async (ops, target, body, all, binding) => {
          // the source must be the service's own too (a sync copies images and configuration),
          // and as the page showed it: a source changed since is a 409, not a silent copy
          const source = await all
            .operations(body.from.cluster)
            .portableConfig({
              namespace: body.from.namespace,
              name: body.from.deployment,
              kubernetesId: binding.idIn(
                body.from.cluster,
                body.from.namespace,
              ),
              resourceVersion: body.from.resourceVersion,
              generation: body.from.generation,
            });
          return ops.syncFrom(target, source);
        },
        body => [body.from],
      ),
    }),
    operation({
      path: 'containers/debug',
      summary: 'Add a debug container (a tools image) to a pod',
      eventId: 'container-debug',
      permission: containerDebugPermission,
      schema: debugSchema(debugImages),
      result: debugResultSchema,
      everyCluster: false,
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
    }),
    operation({
      path: 'containers/destroy',
      summary: 'Delete a pod (its ReplicaSet starts another)',
      eventId: 'container-destroy',
      permission: containerDeletePermission,
      schema: podTargetSchema,
      result: destroyResultSchema,
      everyCluster: false,
      run: async (clusters, binding, body) => {
        const kubernetesId = binding.idIn(body.cluster, body.namespace);
        await clusters
          .podOperations(body.cluster)
          .destroy({ namespace: body.namespace, name: body.pod, kubernetesId });
        return {
          cluster: body.cluster,
          pod: body.pod,
          destroyed: true as const,
        };
      },
    }),
    operation({
      path: 'containers/remove-from-lb',
      summary:
        "Take a pod out of its Services' endpoints and its ReplicaSet, for diagnosis",
      eventId: 'container-remove-from-lb',
      permission: containerRemoveFromLoadBalancingPermission,
      schema: podTargetSchema,
      result: removeFromLoadBalancingResultSchema,
      everyCluster: false,
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
    }),
  ];
}

/** The operations' one-cluster routes: `POST /services/:namespace/:name/<path>`. */
export function operationRoutes(
  operations: Operation[],
  clusters: ContainerCloudClusters,
): ServiceRoute[] {
  return operations.map(op =>
    serviceRoute({
      method: 'post',
      path: `${SERVICE_PATH}/${op.path}`,
      summary: op.summary,
      access: 'operate',
      permission: op.permission,
      audit: { eventId: op.eventId },
      request: { body: op.schema },
      response: {
        description: 'done',
        schema: op.result,
        errors: {
          409:
            op.conflict ??
            "the Deployment (or a sync's source) changed since the page loaded it (`resourceVersion`, required); the answer carries it as it is now (`current`)",
          502: 'the cluster refused the write',
          503: 'the cluster cannot be reached',
        },
      },
      handler: async ({ resource, body, audit }) => {
        audit.meta.cluster = body.cluster;
        await op.check?.(clusters, resource, body);
        return op.run(clusters, resource.binding, body);
      },
    }),
  );
}
