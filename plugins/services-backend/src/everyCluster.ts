import type { AuditorService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  ClusterOutcome,
  OperationResult,
  everyClusterBodySchema,
  everyClusterResultSchema,
  everyClusterTargetsSchema,
} from '@internal/plugin-container-cloud-common';
import {
  ContainerCloudClusters,
  DeploymentConflictError,
  parseInput,
} from '@internal/plugin-container-cloud-node';
import { auditedBody } from './lib/auditedBody';
import { SERVICE_PATH, ServiceRoute, serviceRoute } from './lib/serviceRoutes';
import type { Operation } from './operations';

/** The operations that mean the same thing in every cluster (a revision number does not). */
export function everyClusterOperations(operations: Operation[]): string[] {
  return operations.filter(op => op.everyCluster).map(op => op.path);
}

export interface EveryClusterOptions {
  operations: Operation[];
  clusters: ContainerCloudClusters;
  auditor: AuditorService;
}

/**
 * One operation on the service's Deployment in several clusters at once, a route per operation
 * that means the same in every cluster (`POST every-cluster/<path>`). Every cluster's body is
 * checked before any cluster is touched (a 400 names the cluster and changes nothing). Then each
 * cluster's write runs on its own, with its own precondition: one cluster failing leaves the
 * others as they are (done, or untouched), and the answer says, cluster by cluster, what
 * happened (207 when not every cluster succeeded). Audited once per cluster, and as a request
 * whose outcome is recorded after every cluster answered (a failure naming the clusters that
 * failed), or at once for a refusal or a bad body.
 */
export function everyClusterRoutes(
  options: EveryClusterOptions,
): ServiceRoute[] {
  const { clusters, auditor } = options;
  return options.operations
    .filter(op => op.everyCluster)
    .map(op =>
      serviceRoute({
        method: 'post',
        path: `${SERVICE_PATH}/every-cluster/${op.path}`,
        summary: `${op.summary}, in several clusters at once`,
        access: 'operate',
        permission: op.permission,
        // the request as a whole (a refusal or a bad body changes nothing, and is recorded too);
        // then one event per cluster it ran in
        audit: { eventId: 'service-every-cluster' },
        request: { body: everyClusterBodySchema },
        response: {
          description: 'what happened in each cluster; 200 when all succeeded',
          schema: everyClusterResultSchema,
          otherStatuses: { 207: 'not every cluster succeeded' },
        },
        handler: async ctx => {
          const { resource, req, audit } = ctx;
          const { entityRef, binding } = resource;
          audit.meta.operation = op.path;
          const { targets, ...params } = ctx.body;
          const checkedTargets = parseInput(everyClusterTargetsSchema, targets);
          const bodies = checkedTargets.map(target => {
            try {
              return parseInput(op.schema, { ...params, ...target });
            } catch (error) {
              throw new InputError(
                `cluster ${target.cluster}: ${(error as Error).message}`,
              );
            }
          });
          // every target inside the binding before any cluster is touched (403 otherwise)
          for (const body of checkedTargets)
            binding.idIn(body.cluster, body.namespace);
          // and what the body refers to, in every cluster, before any cluster is written
          for (const body of bodies) {
            try {
              await op.check?.(clusters, resource, body);
            } catch (error) {
              if (!(error instanceof InputError)) throw error;
              throw new InputError(`cluster ${body.cluster}: ${error.message}`);
            }
          }
          const outcomes: ClusterOutcome[] = await Promise.all(
            bodies.map(async body => {
              const event = await auditor.createEvent({
                eventId: op.eventId,
                severityLevel: 'medium',
                request: req,
                meta: {
                  entityRef,
                  everyCluster: true,
                  request: auditedBody(body) ?? {},
                },
              });
              try {
                // every operation that runs in every cluster writes a Deployment
                const result = (await op.run(
                  clusters,
                  binding,
                  body,
                )) as OperationResult;
                await event.success({ meta: { cluster: body.cluster } });
                return { cluster: body.cluster, ok: true as const, result };
              } catch (error) {
                const e = error as Error;
                await event.fail({ error: e });
                return {
                  cluster: body.cluster,
                  ok: false as const,
                  error: { name: e.name, message: e.message },
                  ...(error instanceof DeploymentConflictError
                    ? { current: error.current }
                    : {}),
                };
              }
            }),
          );
          // the request's outcome is what happened, recorded after every cluster answered
          const perCluster = outcomes.map(o => ({
            cluster: o.cluster,
            ok: o.ok,
          }));
          const failed = outcomes.filter(o => !o.ok).map(o => o.cluster);
          if (failed.length === 0) {
            await audit.success({ clusters: perCluster });
          } else {
            await audit.fail(
              new Error(
                `failed in ${failed.length} of ${
                  outcomes.length
                } clusters: ${failed.join(', ')}`,
              ),
              { clusters: perCluster },
            );
            ctx.status = 207;
          }
          return { results: outcomes };
        },
      }),
    );
}
