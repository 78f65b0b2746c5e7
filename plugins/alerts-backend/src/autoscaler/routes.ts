import type express from 'express';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  autoscalingEditPermission,
  autoscalingParamsSchema,
  autoscalingSaveSchema,
  autoscalingSettingsViewSchema,
  autoscalingViewSchema,
} from '@internal/plugin-container-cloud-common';
import {
  defineRoute,
  parseInput,
  PrometheusClient,
  RouteGroup,
  RoutePermission,
  RouteSpec,
  ServiceBinding,
  serviceEntityOf,
} from '@internal/plugin-container-cloud-node';
import type { AlertsDeps } from '../deps';
import { Autoscaler } from './Autoscaler';
import { AutoscalerConfig, readAutoscalerConfig } from './autoscalerConfig';
import { AutoscalingStore } from './AutoscalingStore';
import {
  hpaRefusal,
  hpaTargeting,
  horizontalPodAutoscalers,
} from './horizontalPodAutoscalers';

/** The service a route under `/autoscaling/:namespace/:name` is about. */
export interface AutoscaledService {
  entityRef: string;
  binding: ServiceBinding;
}

export type AutoscalingRoute = RouteSpec<AutoscaledService>;
const route = defineRoute<AutoscaledService>();

const SERVICE_PATH = '/autoscaling/:namespace/:name';
/** how long a save waits for a cluster's HPA list before it refuses */
const HPA_SYNC_MS = 5_000;

/** What the routes need (the route table is listed with stand-ins in tests). */
export interface AutoscalingRouteOptions {
  store: AutoscalingStore;
  clusters: AlertsDeps['clusters'];
  intervalSeconds: number;
  /** how the loop splits a new total across clusters (shown on the card) */
  split?: 'share' | 'free-capacity';
}

/** The user a save acts for (the pipeline lets only users mutate). */
function userOf(credentials: BackstageCredentials): string {
  return (credentials.principal as { userEntityRef: string }).userEntityRef;
}

/** The Deployments of the service the binding covers, by cluster. */
function deploymentsOf(
  clusters: AlertsDeps['clusters'],
  binding: ServiceBinding,
) {
  if (binding.status.state !== 'bound') return [];
  return clusters
    .serviceView(binding.kubernetesId, binding.visiblePlacements())
    .flatMap(view =>
      view.deployments
        .filter(d => binding.covers(view.cluster, d.namespace))
        .map(d => ({
          cluster: view.cluster,
          namespace: d.namespace,
          name: d.name,
        })),
    );
}

/**
 * Before autoscaling is turned on: the Deployment is the service's, in a cluster its binding
 * covers, and no HorizontalPodAutoscaler scales it.
 */
async function checkEnabling(
  clusters: AlertsDeps['clusters'],
  service: AutoscaledService,
  deployment: string,
) {
  const { binding } = service;
  if (binding.status.state !== 'bound') {
    throw new NotAllowedError(binding.status.message);
  }
  const all = deploymentsOf(clusters, binding);
  const targets = all.filter(d => d.name === deployment);
  if (targets.length === 0) {
    const names = [...new Set(all.map(d => d.name))];
    throw new InputError(
      `invalid autoscaling settings: deployment: ${
        service.entityRef
      } has no Deployment '${deployment}' in any cluster it may run in${
        names.length ? ` (it has ${names.join(', ')})` : ''
      }`,
    );
  }
  for (const t of targets) {
    const hpas = clusters.watchKind(t.cluster, horizontalPodAutoscalers);
    try {
      await hpas.whenSynced(HPA_SYNC_MS);
    } catch (error) {
      throw new ServiceUnavailableError(
        `the HorizontalPodAutoscalers of cluster ${
          t.cluster
        } could not be read, so autoscaling cannot be turned on safely: ${
          (error as Error).message
        }`,
      );
    }
    const hpa = hpaTargeting(hpas, t.namespace, t.name);
    if (hpa)
      throw new ConflictError(hpaRefusal(t.cluster, t.namespace, t.name, hpa));
  }
}

/** The autoscaling route table (the router, the permission test and the OpenAPI document read it). */
export function autoscalingRouteTable(
  options: AutoscalingRouteOptions,
): AutoscalingRoute[] {
  const { store, clusters } = options;
  return [
    route({
      method: 'get',
      path: SERVICE_PATH,
      summary:
        "A service's autoscaling settings and the autoscaler's recent decisions",
      access: 'read',
      request: {
        params: autoscalingParamsSchema,
        names: { params: 'service' },
      },
      response: {
        description:
          'the settings (null when none were saved), the decisions, newest first',
        schema: autoscalingViewSchema,
      },
      handler: async ({ resource }) => {
        const settings = await store.getSettings(resource.entityRef);
        return {
          entityRef: resource.entityRef,
          settings: settings
            ? autoscalingSettingsViewSchema.parse(settings)
            : null,
          decisions: await store.listDecisions(resource.entityRef, 20),
          deployments: [
            ...new Set(
              deploymentsOf(clusters, resource.binding).map(d => d.name),
            ),
          ].sort(),
          intervalSeconds: options.intervalSeconds,
          split: options.split ?? 'share',
        };
      },
    }),
    route({
      method: 'put',
      path: SERVICE_PATH,
      summary:
        "Save a service's autoscaling settings (metric, target, min and max, on or off)",
      description:
        'The body carries the version of the settings the edit was made from (0 when there were none). A stale version saves nothing: 409 with the settings as they are now (`current`). Turning autoscaling on for a Deployment a HorizontalPodAutoscaler scales is refused (409). The autoscaler then acts on these settings as the system, naming the user who saved them in its audit events.',
      access: 'operate',
      permission: autoscalingEditPermission,
      audit: { eventId: 'autoscaling-settings-save' },
      request: {
        params: autoscalingParamsSchema,
        body: autoscalingSaveSchema,
        names: { params: 'service', body: 'autoscaling settings' },
      },
      response: {
        description: 'the saved settings with their new version',
        schema: autoscalingSettingsViewSchema,
        errors: {
          409: 'the settings changed since they were loaded (`current`), or an HPA scales the Deployment',
          503: "a cluster's HorizontalPodAutoscalers could not be read",
        },
      },
      handler: async ({ resource, body, credentials, audit }) => {
        const { version, ...settings } = body;
        if (settings.enabled) {
          await checkEnabling(clusters, resource, settings.deployment);
        }
        const saved = await store.saveSettings(
          resource.entityRef,
          settings,
          version,
          userOf(credentials),
        );
        audit.meta.result = { version: saved.version, enabled: saved.enabled };
        return saved;
      },
    }),
  ];
}

/** The route group's resource: the Component, read with the caller's rights, and its binding. */
function lookupService(deps: Pick<AlertsDeps, 'catalog' | 'bindings'>) {
  return async (
    req: express.Request,
    credentials: BackstageCredentials,
  ): Promise<AutoscaledService> => {
    const params = parseInput(autoscalingParamsSchema, req.params, 'service');
    const { entityRef, entity } = await serviceEntityOf(
      deps.catalog,
      params,
      credentials,
    );
    return { entityRef, binding: await deps.bindings.resolve(entity) };
  };
}

/** The Prometheus clients the loop queries. */
function prometheusClients(config: AutoscalerConfig) {
  return config.prometheus.map(p => ({
    name: p.name,
    clusters: p.clusters,
    client: new PrometheusClient({ url: p.url, clusterLabel: p.clusterLabel }),
  }));
}

/** The autoscaler part of the alerts API: autoscaling settings and decisions (the loop itself runs under the scheduler). */
export async function autoscalingRoutes(deps: AlertsDeps): Promise<RouteGroup> {
  const config = readAutoscalerConfig(deps.config);
  const store = new AutoscalingStore(deps.knex);
  if (config.enabled) {
    const autoscaler = new Autoscaler({
      store,
      clusters: deps.clusters,
      bindings: deps.bindings,
      catalog: deps.catalog,
      auth: deps.auth,
      auditor: deps.auditor,
      logger: deps.logger.child({ part: 'autoscaler' }),
      prometheus: prometheusClients(config),
      config,
    });
    // the watches start in the background: a cluster that is down must not hold up the backend
    deps.clusters
      .start()
      .catch(error =>
        deps.logger.error(`cluster watches failed to start: ${error}`),
      );
    // one replica at a time runs a cycle (the scheduler's lock in the database)
    await deps.scheduler.scheduleTask({
      id: 'alerts-autoscaler',
      frequency: { seconds: config.intervalSeconds },
      timeout: { seconds: Math.max(60, config.intervalSeconds * 4) },
      initialDelay: { seconds: Math.min(10, config.intervalSeconds) },
      fn: async () => {
        await autoscaler.runCycle();
      },
    });
  }
  const refusal = (permission: RoutePermission, entityRef?: string) =>
    permission.name === autoscalingEditPermission.name
      ? `you may not edit the autoscaling of ${entityRef}: only its owners and ops admins may`
      : `you may not ${permission.name} ${entityRef}`;
  return {
    routes: autoscalingRouteTable({
      store,
      clusters: deps.clusters,
      intervalSeconds: config.intervalSeconds,
      split: config.split,
    }),
    lookup: lookupService(deps),
    resourceRef: service => service.entityRef,
    auditMeta: service => ({ entityRef: service.entityRef }),
    refusal,
  };
}
