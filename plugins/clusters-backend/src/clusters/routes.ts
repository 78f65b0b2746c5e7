import {
  clusterDetailSchema,
  clustersFailoverPermission,
  clustersReadPermission,
  clusterSummaryListSchema,
  failoverPreviewQuerySchema,
  failoverPreviewSchema,
  failoverRequestSchema,
  failoverRunListSchema,
  failoverRunParamsSchema,
  failoverRunSchema,
  opsClusterParamsSchema,
} from '@internal/plugin-container-cloud-common';
import {
  defineRoute,
  parseInput,
  RouteGroup,
  RouteSpec,
} from '@internal/plugin-container-cloud-node';
import type { ClustersDeps } from '../deps';
import { clusterParts, ClusterParts } from './clusterParts';

const route = defineRoute<undefined>();

const OPS = 'only ops admins may';
const opsOnly = (action: string) => () => `you may not ${action}: ${OPS}`;

const failoverErrors = {
  409: 'the run is not in a state that allows this, or another run is moving the same cluster (the body carries the run as it is now)',
  503: 'the target cluster is unreachable',
};

/** `a,b` → ids (each then checked as the request body's `services` is). */
function servicesList(text: string | undefined): string[] | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  return text
    .split(',')
    .map(s => s.trim())
    .filter(Boolean);
}

/**
 * The clusters page's and failover's route table (see container-cloud-node's `addRoutes`): every
 * route is for ops admins only, reads included (the page shows every team's services), and for
 * people only (a service token gets a 403).
 */
export function clusterRouteTable(
  parts: ClusterParts,
): RouteSpec<undefined, any, any>[] {
  const { inventory, failover } = parts;
  return [
    route({
      method: 'get',
      path: '/clusters',
      summary:
        'Every configured cluster: health, capacity, nodes, pods and services',
      access: 'read',
      usersOnly: true,
      resource: false,
      permission: clustersReadPermission,
      refusal: opsOnly('see the clusters'),
      response: {
        description: 'the clusters',
        schema: clusterSummaryListSchema,
      },
      handler: async () => ({ items: await inventory.summaries() }),
    }),
    route({
      method: 'get',
      path: '/clusters/:cluster',
      summary: 'One cluster with its nodes and its heaviest services',
      access: 'read',
      usersOnly: true,
      resource: false,
      permission: clustersReadPermission,
      refusal: opsOnly('see the clusters'),
      request: { params: opsClusterParamsSchema, names: { params: 'cluster' } },
      response: { description: 'the cluster', schema: clusterDetailSchema },
      handler: async ({ params }) => inventory.detail(params.cluster),
    }),
    route({
      method: 'get',
      path: '/failover/preview',
      summary: 'What moving the services off a cluster would do',
      access: 'read',
      usersOnly: true,
      resource: false,
      permission: clustersFailoverPermission,
      refusal: opsOnly('fail clusters over'),
      request: { query: failoverPreviewQuerySchema, names: { query: 'query' } },
      response: { description: 'the plan', schema: failoverPreviewSchema },
      handler: async ({ query }) => {
        const request = parseInput(
          failoverRequestSchema,
          {
            source: query.source,
            target: query.target,
            services: servicesList(query.services),
          },
          'query',
        );
        return failover.preview(request);
      },
    }),
    route({
      method: 'get',
      path: '/failover/runs',
      summary: 'The failover runs, newest first, with each service’s progress',
      access: 'read',
      usersOnly: true,
      resource: false,
      permission: clustersFailoverPermission,
      refusal: opsOnly('fail clusters over'),
      response: { description: 'the runs', schema: failoverRunListSchema },
      handler: async () => ({ items: await failover.list() }),
    }),
    route({
      method: 'get',
      path: '/failover/runs/:id',
      summary: 'One failover run',
      access: 'read',
      usersOnly: true,
      resource: false,
      permission: clustersFailoverPermission,
      refusal: opsOnly('fail clusters over'),
      request: { params: failoverRunParamsSchema, names: { params: 'run' } },
      response: { description: 'the run', schema: failoverRunSchema },
      handler: async ({ params }) => failover.get(params.id),
    }),
    route({
      method: 'post',
      path: '/failover/runs',
      summary:
        'Move the services off a cluster: scale up in the target, then down in the source',
      access: 'operate',
      resource: false,
      permission: clustersFailoverPermission,
      refusal: opsOnly('fail clusters over'),
      audit: { eventId: 'cluster-failover-start', severityLevel: 'high' },
      request: { body: failoverRequestSchema, names: { body: 'failover' } },
      response: {
        status: 201,
        description: 'the run, started',
        schema: failoverRunSchema,
        errors: failoverErrors,
      },
      handler: async ({ body, credentials, audit }) => {
        const run = await failover.start(
          body,
          (credentials.principal as { userEntityRef: string }).userEntityRef,
        );
        audit.meta.runId = run.id;
        audit.meta.target = run.target;
        return run;
      },
    }),
    route({
      method: 'post',
      path: '/failover/runs/:id/stop',
      summary: 'Stop a run between steps (it can be resumed)',
      access: 'operate',
      resource: false,
      permission: clustersFailoverPermission,
      refusal: opsOnly('fail clusters over'),
      audit: { eventId: 'cluster-failover-stop' },
      request: { params: failoverRunParamsSchema, names: { params: 'run' } },
      response: {
        description: 'the run, stopping',
        schema: failoverRunSchema,
        errors: failoverErrors,
      },
      handler: async ({ params }) => failover.stop(params.id),
    }),
    route({
      method: 'post',
      path: '/failover/runs/:id/resume',
      summary: 'Resume a stopped run from where it stopped',
      access: 'operate',
      resource: false,
      permission: clustersFailoverPermission,
      refusal: opsOnly('fail clusters over'),
      audit: { eventId: 'cluster-failover-resume' },
      request: { params: failoverRunParamsSchema, names: { params: 'run' } },
      response: {
        description: 'the run, running',
        schema: failoverRunSchema,
        errors: failoverErrors,
      },
      handler: async ({ params }) => failover.resume(params.id),
    }),
  ];
}

/** The cluster and run a request names, for its audit event. */
function auditContext(req: { params: Record<string, string>; body?: any }) {
  const text = (value: unknown) =>
    typeof value === 'string' ? value.slice(0, 100) : undefined;
  const context: Record<string, string> = {};
  const cluster = text(req.params.cluster ?? req.body?.source);
  if (cluster) context.cluster = cluster;
  const run = text(req.params.id);
  if (run) context.runId = run;
  return context;
}

/** The clusters page's and failover's routes. */
export async function clusterRoutes(deps: ClustersDeps): Promise<RouteGroup> {
  const parts = await clusterParts(deps);
  return { routes: clusterRouteTable(parts), auditContext };
}
