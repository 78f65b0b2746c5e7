import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  KUBERNETES_ID_LABEL,
  parseQuantity,
  type ClusterServiceView,
} from '@internal/plugin-container-cloud-common';
import {
  ContainerCloudClustersService,
  PrometheusClient,
  promString,
  ServiceBindings,
} from '@internal/plugin-container-cloud-node';
import type { ServiceSample } from './MeteringStore';

/** CPU (cores) and memory (bytes) used, per `namespace/pod`, in one cluster. */
type PodUsage = Map<string, { cpu: number; memory: number }>;

/** The team a service belongs to: its catalog owner, as a full ref (a bare name is a group). */
export function teamOf(entity: Entity): string {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || !owner) return 'unowned';
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    );
  } catch {
    return 'unowned';
  }
}

/** What one cluster's view of a service requests: replicas × each container's requests. */
export function requestedIn(view: ClusterServiceView) {
  let cpu = 0;
  let memory = 0;
  let replicas = 0;
  for (const deployment of view.deployments) {
    const desired = deployment.replicas.desired;
    replicas += desired;
    for (const container of deployment.config.containers) {
      cpu += desired * (parseQuantity(container.resources.requests?.cpu) ?? 0);
      memory +=
        desired * (parseQuantity(container.resources.requests?.memory) ?? 0);
    }
  }
  return { cpu, memory, replicas };
}

/**
 * Takes one metering sample of every bound service: requests and replicas from the watch caches
 * (inside the service's binding only), usage from Prometheus (one query per cluster and
 * resource, summed per pod). A cluster that is not reachable, or whose usage Prometheus cannot
 * give, is left out of this sample rather than counted as idle.
 */
export class MeteringSampler {
  constructor(
    private readonly deps: {
      catalog: CatalogService;
      auth: AuthService;
      bindings: ServiceBindings;
      clusters: ContainerCloudClustersService;
      prometheus: PrometheusClient;
      logger: LoggerService;
    },
  ) {}

  async sample(now: Date): Promise<ServiceSample[]> {
    const { catalog, auth, bindings, clusters } = this.deps;
    const credentials = await auth.getOwnServiceCredentials();
    const { items } = await catalog.getEntities(
      { filter: { kind: 'Component' } },
      { credentials },
    );
    const services = items.filter(
      entity => entity.metadata.annotations?.[KUBERNETES_ID_LABEL],
    );
    const usage = new Map<string, PodUsage | undefined>();
    const usageIn = async (cluster: string) => {
      if (!usage.has(cluster)) {
        usage.set(cluster, await this.podUsage(cluster, now));
      }
      return usage.get(cluster);
    };
    const samples: ServiceSample[] = [];
    for (const entity of services) {
      const binding = await bindings.resolve(entity);
      if (binding.status.state !== 'bound') continue;
      const views = clusters.serviceView(
        binding.kubernetesId,
        binding.visiblePlacements(),
      );
      const sample: ServiceSample = {
        entityRef: stringifyEntityRef(entity),
        kubernetesId: binding.kubernetesId,
        team: teamOf(entity),
        cpuRequested: 0,
        cpuUsed: 0,
        memoryRequested: 0,
        memoryUsed: 0,
        replicas: 0,
      };
      let measured = false;
      for (const view of views) {
        if (!view.health.reachable) continue;
        if (view.deployments.length === 0 && view.pods.length === 0) continue;
        const used = await usageIn(view.cluster);
        if (!used) continue;
        measured = true;
        const requested = requestedIn(view);
        sample.cpuRequested += requested.cpu;
        sample.memoryRequested += requested.memory;
        sample.replicas += requested.replicas;
        for (const pod of view.pods) {
          const podUsage = used.get(`${pod.namespace}/${pod.name}`);
          sample.cpuUsed += podUsage?.cpu ?? 0;
          sample.memoryUsed += podUsage?.memory ?? 0;
        }
      }
      if (measured) samples.push(sample);
    }
    return samples;
  }

  /** Every pod's CPU and memory in one cluster now; undefined when Prometheus cannot say. */
  private async podUsage(
    cluster: string,
    now: Date,
  ): Promise<PodUsage | undefined> {
    const { prometheus, logger } = this.deps;
    const label = `${prometheus.settings.clusterLabel}=${promString(cluster)}`;
    const matchers = `${label},container!="",container!="POD"`;
    const end = Math.floor(now.getTime() / 1000);
    const range = { start: end, end, step: 60 };
    try {
      const [cpu, memory] = await Promise.all([
        prometheus.queryRange(
          `sum by (namespace, pod) (rate(container_cpu_usage_seconds_total{${matchers}}[2m]))`,
          range,
        ),
        prometheus.queryRange(
          `sum by (namespace, pod) (container_memory_working_set_bytes{${matchers}})`,
          range,
        ),
      ]);
      const pods: PodUsage = new Map();
      const at = (key: string) => {
        if (!pods.has(key)) pods.set(key, { cpu: 0, memory: 0 });
        return pods.get(key)!;
      };
      const last = (values: Array<[number, number]>) =>
        values.length ? values[values.length - 1][1] : 0;
      for (const series of cpu) {
        at(`${series.metric.namespace}/${series.metric.pod}`).cpu = last(
          series.values,
        );
      }
      for (const series of memory) {
        at(`${series.metric.namespace}/${series.metric.pod}`).memory = last(
          series.values,
        );
      }
      return pods;
    } catch (error) {
      logger.warn(
        `metering: no usage from Prometheus for cluster ${cluster}, left out of this sample: ${
          (error as Error).message
        }`,
      );
      return undefined;
    }
  }
}
