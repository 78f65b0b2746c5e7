import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  meteringEntityParamsSchema,
  meteringExportQuerySchema,
  meteringRangeQuerySchema,
  meteringReadAllPermission,
  meteringSeriesSchema,
  meteringSummarySchema,
} from '@internal/plugin-container-cloud-common';
import {
  ANSWERED,
  defineRoute,
  PrometheusClient,
  RouteGroup,
  RouteSpec,
} from '@internal/plugin-container-cloud-node';
import type { ClustersDeps } from '../deps';
import { MeteringSampler, teamOf } from './MeteringSampler';
import {
  bucketStart,
  MeteringScope,
  MeteringStore,
  Resolution,
} from './MeteringStore';
import { readMeteringSettings, scheduleMetering } from './meteringTask';

const route = defineRoute<undefined>();
const DAY = 86_400_000;

/**
 * The range asked for (default: the last 24 hours), the resolution of its points (samples up to 2
 * days, hours up to 62, then days) and of its averages: over more than 7 days, the daily rows,
 * each the average of its day (a tenth of the rows to read for a month; the range's first and
 * last day count whole).
 */
export function rangeOf(
  query: { from?: string; to?: string },
  now = Date.now(),
) {
  const to = query.to ? Date.parse(query.to) : now;
  const from = query.from ? Date.parse(query.from) : to - DAY;
  const length = to - from;
  let resolution: Resolution = 'day';
  if (length <= 2 * DAY) resolution = 'sample';
  else if (length <= 62 * DAY) resolution = 'hour';
  const averagesResolution: Resolution = length > 7 * DAY ? 'day' : resolution;
  const averagesFrom =
    averagesResolution === 'day' ? bucketStart(from, 'day') : from;
  return { from, to, resolution, averagesResolution, averagesFrom };
}

const iso = (ms: number) => new Date(ms).toISOString();
const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

/** What the metering routes need besides the store. */
export interface MeteringRouteOptions {
  store: MeteringStore;
  /** the caller's user and groups (Backstage's userInfo ownership refs) */
  ownershipRefs(credentials: BackstageCredentials): Promise<string[]>;
  /** the team a service belongs to, read with the caller's rights; NotFoundError when none */
  teamOfService(
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<string>;
}

/**
 * The metering routes: every team's numbers and the top wasters for ops; a team's and a
 * service's numbers for that team's members and ops; the CSV export of either.
 */
export function meteringRouteTable(
  options: MeteringRouteOptions,
): RouteSpec<undefined>[] {
  const { store } = options;

  /** Ops (meteringReadAllPermission, asked with the route) or a member of the team. */
  async function mayRead(
    team: string,
    credentials: BackstageCredentials,
    isOps: boolean,
  ) {
    if (isOps) return;
    const refs = (await options.ownershipRefs(credentials)).map(lower);
    if (!refs.includes(lower(team))) {
      throw new NotAllowedError(
        `you may not read the metering of ${team}: only its members and ops admins may`,
      );
    }
  }

  async function series(
    scope: MeteringScope,
    query: { from?: string; to?: string },
  ) {
    const { from, to, resolution, averagesResolution, averagesFrom } =
      rangeOf(query);
    const [points, services] = await Promise.all([
      store.points(resolution, from, to, scope),
      store.averages(averagesResolution, averagesFrom, to, scope),
    ]);
    return { from: iso(from), to: iso(to), resolution, points, services };
  }

  const common = {
    access: 'read' as const,
    usersOnly: true,
    resource: false as const,
  };

  return [
    route({
      ...common,
      method: 'get',
      path: '/metering/summary',
      summary: "Every team's average usage over a range, and the top wasters",
      permission: meteringReadAllPermission,
      refusal: () =>
        "you may not read every team's metering: only ops admins may",
      request: { query: meteringRangeQuerySchema, names: { query: 'range' } },
      response: { description: 'the summary', schema: meteringSummarySchema },
      handler: async ({ query }) => {
        const { from, to, averagesResolution, averagesFrom } = rangeOf(query);
        const services = await store.averages(
          averagesResolution,
          averagesFrom,
          to,
          {},
        );
        const teams = new Map<string, ReturnType<typeof emptyTeam>>();
        function emptyTeam(team: string) {
          return {
            team,
            services: 0,
            cpuRequested: 0,
            cpuUsed: 0,
            memoryRequested: 0,
            memoryUsed: 0,
            replicas: 0,
          };
        }
        for (const s of services) {
          const t = teams.get(s.team) ?? emptyTeam(s.team);
          t.services += 1;
          t.cpuRequested += s.cpuRequested;
          t.cpuUsed += s.cpuUsed;
          t.memoryRequested += s.memoryRequested;
          t.memoryUsed += s.memoryUsed;
          t.replicas += s.replicas;
          teams.set(s.team, t);
        }
        const last = await store.lastSample();
        return {
          from: iso(from),
          to: iso(to),
          teams: [...teams.values()].sort((a, b) =>
            a.team.localeCompare(b.team),
          ),
          wasters: services
            .filter(s => s.cpuWaste > 0 || s.memoryWaste > 0)
            .sort(
              (a, b) =>
                b.cpuWaste - a.cpuWaste || b.memoryWaste - a.memoryWaste,
            )
            .slice(0, 10),
          lastSample: last === undefined ? null : iso(last),
        };
      },
    }),
    route({
      ...common,
      method: 'get',
      path: '/metering/teams/:namespace/:name',
      summary:
        "A team's usage over a range: sums per interval, and each service's averages",
      ask: [meteringReadAllPermission],
      request: {
        params: meteringEntityParamsSchema,
        query: meteringRangeQuerySchema,
        names: { params: 'team', query: 'range' },
      },
      response: {
        description: "the team's numbers",
        schema: meteringSeriesSchema,
      },
      handler: async ({ params, query, credentials, asked }) => {
        const team = stringifyEntityRef({ kind: 'group', ...params });
        await mayRead(team, credentials, asked[0]);
        return series({ team }, query);
      },
    }),
    route({
      ...common,
      method: 'get',
      path: '/metering/services/:namespace/:name',
      summary: "A service's usage over a range",
      ask: [meteringReadAllPermission],
      request: {
        params: meteringEntityParamsSchema,
        query: meteringRangeQuerySchema,
        names: { params: 'service', query: 'range' },
      },
      response: {
        description: "the service's numbers",
        schema: meteringSeriesSchema,
      },
      handler: async ({ params, query, credentials, asked }) => {
        const entityRef = stringifyEntityRef({ kind: 'component', ...params });
        const team = await options.teamOfService(entityRef, credentials);
        await mayRead(team, credentials, asked[0]);
        return series({ entityRef }, query);
      },
    }),
    route({
      ...common,
      method: 'get',
      path: '/metering/export.csv',
      summary:
        'The samples of a range as CSV: one team (its members and ops) or all (ops)',
      ask: [meteringReadAllPermission],
      request: { query: meteringExportQuerySchema, names: { query: 'export' } },
      response: {
        description: 'one row per service per interval',
        contentType: 'text/csv',
      },
      handler: async ({ query, credentials, asked, res }) => {
        if (query.team) {
          await mayRead(query.team, credentials, asked[0]);
        } else if (!asked[0]) {
          throw new NotAllowedError(
            "you may not export every team's metering: only ops admins may; name your team",
          );
        }
        const { from, to, resolution } = rangeOf(query);
        const rows = await store.rows(resolution, from, to, {
          team: query.team,
        });
        const cell = (value: string | number) =>
          typeof value === 'number'
            ? String(value)
            : `"${value.replace(/"/g, '""')}"`;
        const lines = [
          'interval_start,team,entity_ref,kubernetes_id,cpu_requested_cores,cpu_used_cores,memory_requested_bytes,memory_used_bytes,replicas',
          ...rows.map(r =>
            [
              iso(r.intervalStart),
              r.team,
              r.entityRef,
              r.kubernetesId,
              r.cpuRequested,
              r.cpuUsed,
              r.memoryRequested,
              r.memoryUsed,
              r.replicas,
            ]
              .map(cell)
              .join(','),
          ),
        ];
        res
          .status(200)
          .type('text/csv')
          .attachment(`metering-${resolution}-${iso(from).slice(0, 10)}.csv`)
          .send(`${lines.join('\n')}\n`);
        return ANSWERED;
      },
    }),
  ];
}

/**
 * The metering part of the clusters plugin: the sampling task (when Prometheus is configured and
 * `containerCloud.metering.intervalMinutes` is not 0) and the routes.
 */
export async function meteringRoutes(deps: ClustersDeps): Promise<RouteGroup> {
  const store = new MeteringStore(deps.knex);
  const settings = readMeteringSettings(deps.config);
  const prometheus = PrometheusClient.fromConfig(deps.config);
  if (!prometheus) {
    deps.logger.warn(
      'metering is off: it reads usage from Prometheus, and containerCloud.prometheus.url is not set',
    );
  } else if (settings.intervalMinutes > 0) {
    await deps.clusters.start();
    await scheduleMetering({
      scheduler: deps.scheduler,
      logger: deps.logger,
      store,
      settings,
      sampler: new MeteringSampler({ ...deps, prometheus }),
    });
  }
  return {
    routes: meteringRouteTable({
      store,
      async ownershipRefs(credentials) {
        const info = await deps.userInfo.getUserInfo(credentials);
        return info.ownershipEntityRefs;
      },
      async teamOfService(entityRef, credentials) {
        const entity = await deps.catalog.getEntityByRef(entityRef, {
          credentials,
        });
        if (!entity)
          throw new NotFoundError(`no service ${entityRef} in the catalog`);
        return teamOf(entity);
      },
    }),
  };
}
