import type express from 'express';
import type { ServiceRouteContext } from './lib/serviceRoutes';
import type { AuditorService } from '@backstage/backend-plugin-api';
import { InputError, NotFoundError } from '@backstage/errors';
import type { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  ContainerCloudClusters,
  DeploymentConflictError,
  ServiceBinding,
} from '@internal/plugin-container-cloud-node';
import { z } from 'zod';
import { parseBody } from './lib/validation';
import { auditedBody } from './lib/auditedBody';

/** The operations that mean the same thing in every cluster (a revision number does not). */
export const EVERY_CLUSTER_OPERATIONS = [
  'scale',
  'upgrade',
  'restart',
  'config',
] as const;

interface EveryClusterOperation {
  path: string;
  eventId: string;
  permission:
    | ResourcePermission<'catalog-entity'>
    | ResourcePermission<'catalog-entity'>[];
  schema: z.ZodType<any>;
  run(
    clusters: ContainerCloudClusters,
    binding: ServiceBinding,
    body: any,
  ): Promise<object>;
}

export interface EveryClusterOptions extends ServiceRouteContext {
  operations: EveryClusterOperation[];
  clusters: ContainerCloudClusters;
  auditor: AuditorService;
}

const targetsSchema = z
  .array(
    z.object({
      cluster: z.string().min(1, 'name the cluster'),
      namespace: z.string(),
      deployment: z.string(),
      resourceVersion: z.string().optional(),
    }),
  )
  .min(1, 'name at least one cluster')
  .max(50, 'at most 50 clusters at once')
  .refine(
    targets => new Set(targets.map(t => t.cluster)).size === targets.length,
    'each cluster at most once',
  );

/** What happened in one cluster. */
export type ClusterOutcome =
  | { cluster: string; ok: true; result: object }
  | {
      cluster: string;
      ok: false;
      error: { name: string; message: string };
      current?: object;
    };

/**
 * One operation on the service's Deployment in several clusters at once. Every cluster's body is
 * checked before any cluster is touched (a 400 names the cluster and changes nothing). Then each
 * cluster's write runs on its own, with its own precondition: one cluster failing leaves the
 * others as they are (done, or untouched), and the answer says, cluster by cluster, what
 * happened (207 when not every cluster succeeded). Audited once per cluster, and as a request
 * whose outcome is recorded after every cluster answered (a failure naming the clusters that
 * failed), or at once for a refusal or a bad body.
 */
export function addEveryClusterRoutes(
  router: express.Router,
  options: EveryClusterOptions,
) {
  const { clusters, auditor, loadService, authorize } = options;
  router.post(
    '/services/:namespace/:name/every-cluster/:operation',
    async (req, res) => {
      const op = options.operations.find(
        o =>
          o.path === req.params.operation &&
          (EVERY_CLUSTER_OPERATIONS as readonly string[]).includes(o.path),
      );
      if (!op) {
        throw new NotFoundError(
          `no operation '${
            req.params.operation
          }' runs in every cluster; these do: ${EVERY_CLUSTER_OPERATIONS.join(
            ', ',
          )}`,
        );
      }
      const { credentials, entityRef, binding } = await loadService(
        req,
        'operate',
      );
      // the request as a whole (a refusal or a bad body changes nothing, and is recorded too);
      // then one event per cluster it ran in
      const request = await auditor.createEvent({
        eventId: 'service-every-cluster',
        severityLevel: 'medium',
        request: req,
        meta: {
          entityRef,
          operation: op.path,
          // env values stay out of the audit log
          ...(auditedBody(req.body) ? { request: auditedBody(req.body) } : {}),
        },
      });
      let bodies: Array<{ cluster: string }>;
      try {
        await authorize(op.permission, entityRef, credentials);
        const { targets, ...params } = (req.body ?? {}) as {
          targets?: unknown;
        } & Record<string, unknown>;
        const checkedTargets = parseBody(targetsSchema, targets);
        bodies = checkedTargets.map(target => {
          try {
            return parseBody(op.schema, { ...params, ...target });
          } catch (error) {
            throw new InputError(
              `cluster ${target.cluster}: ${(error as Error).message}`,
            );
          }
        });
        // every target inside the binding before any cluster is touched (403 otherwise)
        for (const body of checkedTargets)
          binding.idIn(body.cluster, body.namespace);
      } catch (error) {
        await request.fail({ error: error as Error });
        throw error;
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
            const result = await op.run(clusters, binding, body);
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
      const perCluster = outcomes.map(o => ({ cluster: o.cluster, ok: o.ok }));
      const failed = outcomes.filter(o => !o.ok).map(o => o.cluster);
      if (failed.length === 0) {
        await request.success({ meta: { clusters: perCluster } });
      } else {
        await request.fail({
          error: new Error(
            `failed in ${failed.length} of ${
              outcomes.length
            } clusters: ${failed.join(', ')}`,
          ),
          meta: { clusters: perCluster },
        });
      }
      res.status(failed.length === 0 ? 200 : 207).json({ results: outcomes });
    },
  );
}
