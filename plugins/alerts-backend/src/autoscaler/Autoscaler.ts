import type {
  AuditorService,
  AuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Entity } from '@backstage/catalog-model';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AUTOSCALING_METRIC_INFO,
  AutoscalingClusterDecision,
  AutoscalingMetric,
  ClusterHealth,
  DeploymentView,
  parseQuantity,
  PodView,
} from '@internal/plugin-container-cloud-common';
import type {
  ContainerCloudClustersService,
  PrometheusClient,
  ServiceBinding,
  ServiceBindings,
} from '@internal/plugin-container-cloud-node';
import type { AutoscalerConfig } from './autoscalerConfig';
import { clusterFreeCapacity, FreeCapacityReader } from './freeCapacity';
import type {
  AutoscalingStore,
  DecisionRecord,
  StoredSettings,
} from './AutoscalingStore';
import { ClusterMeasure, decide, Recommendation } from './decide';
import {
  hpaRefusal,
  hpaTargeting,
  horizontalPodAutoscalers,
} from './horizontalPodAutoscalers';
import {
  AUTOSCALING_SOURCES,
  readUsage,
  sampleKey,
  usageQuery,
  UsageSamples,
} from './usageQuery';
import { METRIC_CATALOGUE } from '../rules/metricCatalogue';

/** The name the loop's audit events and decisions give it. */
export const AUTOSCALER_ACTOR = 'alerts-autoscaler (scheduled loop)';

/** A Prometheus the loop queries, with the clusters it scrapes (undefined: every one). */
export interface AutoscalerPrometheusClient {
  name: string;
  clusters?: string[];
  client: Pick<PrometheusClient, 'queryRange' | 'settings'>;
}

export interface AutoscalerOptions {
  store: AutoscalingStore;
  clusters: ContainerCloudClustersService;
  bindings: Pick<ServiceBindings, 'resolveMany'>;
  catalog: Pick<CatalogService, 'getEntitiesByRefs'>;
  auth: Pick<AuthService, 'getOwnServiceCredentials'>;
  auditor: AuditorService;
  logger: LoggerService;
  prometheus: AutoscalerPrometheusClient[];
  config: Pick<
    AutoscalerConfig,
    | 'tolerance'
    | 'scaleDownStabilizationSeconds'
    | 'rateWindowSeconds'
    | 'decisionRetentionDays'
    | 'decisionsPerService'
  > &
    Partial<Pick<AutoscalerConfig, 'split'>>;
  /** each cluster's free CPU, for `split: 'free-capacity'`; default: read through `clusters` */
  freeCapacity?: FreeCapacityReader;
  now?: () => number;
  /** how many services are decided and written at once; default 16 */
  concurrency?: number;
}

/** What one cycle did (the benchmark and the tests read it). */
export interface CycleReport {
  services: number;
  queries: number;
  writes: number;
  outcomes: Record<'scaled' | 'steady' | 'held', number>;
}

/** One Deployment of a service in one cluster, with its running pods. */
interface Target {
  cluster: string;
  health: ClusterHealth;
  deployment: DeploymentView;
  pods: PodView[];
}

/** A service the cycle can measure, or the reason it holds. */
type Plan =
  | { settings: StoredSettings; hold: string; current: number | null }
  | {
      settings: StoredSettings;
      binding: ServiceBinding;
      targets: Target[];
      prometheus: AutoscalerPrometheusClient[];
    };

class Hold extends Error {}

/** The sum of what the containers request of cpu or memory (their limits where they request none). */
function podRequest(deployment: DeploymentView, resource: 'cpu' | 'memory') {
  let total = 0;
  for (const c of deployment.config.containers) {
    const text =
      c.resources.requests?.[resource] ?? c.resources.limits?.[resource];
    const value = parseQuantity(text);
    if (value === undefined || value <= 0) return undefined;
    total += value;
  }
  return total > 0 ? total : undefined;
}

async function eachLimited<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++];
        await fn(item);
      }
    }),
  );
}

/**
 * The multi-cluster autoscaler's cycle: for every service whose autoscaling is on, the use of its
 * pods from one batched query per Prometheus, a decision (`decide`), and scale writes through the
 * cluster layer to the Deployments the service's binding covers, each under the resourceVersion
 * the watch cache read (a conflict is tried again next cycle, never forced). Every decision is
 * recorded; whatever cannot be measured holds the service as it is and says why.
 */
export class Autoscaler {
  private readonly now: () => number;
  private lastPrune = 0;
  private readonly readFreeCapacity: FreeCapacityReader;
  /** each cluster's free CPU, read at most once per cycle */
  private capacities = new Map<string, Promise<number>>();

  constructor(private readonly options: AutoscalerOptions) {
    this.now = options.now ?? Date.now;
    this.readFreeCapacity =
      options.freeCapacity ?? clusterFreeCapacity(options.clusters);
  }

  private freeCapacity(cluster: string): Promise<number> {
    let capacity = this.capacities.get(cluster);
    if (!capacity) {
      capacity = this.readFreeCapacity(cluster);
      capacity.catch(() => undefined); // read by every service that needs it
      this.capacities.set(cluster, capacity);
    }
    return capacity;
  }

  async runCycle(): Promise<CycleReport> {
    const { store } = this.options;
    const now = this.now();
    const report: CycleReport = {
      services: 0,
      queries: 0,
      writes: 0,
      outcomes: { scaled: 0, steady: 0, held: 0 },
    };
    this.capacities = new Map();
    const enabled = await store.listEnabled();
    report.services = enabled.length;
    if (enabled.length > 0) {
      const plans = await this.plan(enabled);
      const samples = await this.measure(plans, report);
      const recorded: Parameters<AutoscalingStore['recordCycle']>[0] = [];
      await eachLimited(plans, this.options.concurrency ?? 16, async plan => {
        const { decision, window } = await this.decideAndApply(
          plan,
          samples,
          now,
          report,
        );
        report.outcomes[decision.outcome] += 1;
        recorded.push({
          entityRef: plan.settings.entityRef,
          decision,
          window,
          version: plan.settings.version,
        });
      });
      await store.recordCycle(recorded, now);
    }
    await this.prune(now);
    return report;
  }

  /** Who each service is (catalog, binding) and where its Deployment runs. */
  private async plan(enabled: StoredSettings[]): Promise<Plan[]> {
    const { catalog, auth, bindings } = this.options;
    const { items } = await catalog.getEntitiesByRefs(
      {
        entityRefs: enabled.map(s => s.entityRef),
        fields: ['kind', 'metadata', 'spec'],
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    const found = items.filter((e): e is Entity => Boolean(e));
    const resolved = await bindings.resolveMany(found);
    const byRef = new Map(
      found.map((entity, i) => [
        stringifyEntityRef(entity).toLocaleLowerCase('en-US'),
        resolved[i],
      ]),
    );
    return enabled.map(settings => {
      const binding = byRef.get(settings.entityRef);
      if (!binding) {
        return {
          settings,
          current: null,
          hold: `${settings.entityRef} is no longer in the catalog`,
        };
      }
      try {
        return { settings, binding, ...this.targetsOf(settings, binding) };
      } catch (error) {
        if (!(error instanceof Hold)) throw error;
        return { settings, current: null, hold: error.message };
      }
    });
  }

  private targetsOf(settings: StoredSettings, binding: ServiceBinding) {
    const { clusters } = this.options;
    if (binding.status.state !== 'bound')
      throw new Hold(binding.status.message);
    const views = clusters.serviceView(
      binding.kubernetesId,
      binding.visiblePlacements(),
    );
    const down = views.filter(v => !v.health.reachable);
    if (down.length > 0) {
      throw new Hold(
        down
          .map(
            v =>
              `cluster ${v.cluster} is unreachable (${
                v.health.error ?? 'no answer'
              }): its replicas are unknown`,
          )
          .join('; '),
      );
    }
    const targets: Target[] = views.flatMap(view =>
      view.deployments
        .filter(
          d =>
            d.name === settings.deployment &&
            binding.covers(view.cluster, d.namespace),
        )
        .map(deployment => ({
          cluster: view.cluster,
          health: view.health,
          deployment,
          pods: view.pods.filter(
            p =>
              p.deployment === deployment.name &&
              p.namespace === deployment.namespace &&
              p.phase === 'Running' &&
              !p.terminating,
          ),
        })),
    );
    if (targets.length === 0) {
      throw new Hold(
        `no Deployment '${settings.deployment}' of ${settings.entityRef} (kubernetes id '${binding.kubernetesId}') in any cluster it may run in`,
      );
    }
    for (const t of targets) {
      const hpas = clusters.watchKind(t.cluster, horizontalPodAutoscalers);
      if (!hpas.isSynced) {
        throw new Hold(
          `the HorizontalPodAutoscalers of cluster ${t.cluster} are not known yet`,
        );
      }
      const hpa = hpaTargeting(hpas, t.deployment.namespace, t.deployment.name);
      if (hpa) {
        throw new Hold(
          hpaRefusal(t.cluster, t.deployment.namespace, t.deployment.name, hpa),
        );
      }
    }
    const prometheus = targets.map(t => {
      const p = this.options.prometheus.find(
        candidate =>
          !candidate.clusters || candidate.clusters.includes(t.cluster),
      );
      if (!p) {
        throw new Hold(
          `no Prometheus is configured for cluster ${t.cluster} (containerCloud.alerts.prometheus[].clusters)`,
        );
      }
      return p;
    });
    return { targets, prometheus };
  }

  /** One query per Prometheus for every service it serves; a failure is kept per Prometheus. */
  private async measure(plans: Plan[], report: CycleReport) {
    const asks = new Map<
      AutoscalerPrometheusClient,
      {
        clusters: Set<string>;
        namespaces: Set<string>;
        metrics: Set<AutoscalingMetric>;
      }
    >();
    for (const plan of plans) {
      if ('hold' in plan) continue;
      plan.targets.forEach((t, i) => {
        const p = plan.prometheus[i];
        const ask = asks.get(p) ?? {
          clusters: new Set<string>(),
          namespaces: new Set<string>(),
          metrics: new Set<AutoscalingMetric>(),
        };
        ask.clusters.add(t.cluster);
        ask.namespaces.add(t.deployment.namespace);
        ask.metrics.add(plan.settings.metric);
        asks.set(p, ask);
      });
    }
    const results = new Map<AutoscalerPrometheusClient, UsageSamples | Error>();
    const at = Math.floor(this.now() / 1000);
    await Promise.all(
      [...asks].map(async ([p, ask]) => {
        const { clusterLabel } = p.client.settings;
        report.queries += 1;
        try {
          const series = await p.client.queryRange(
            usageQuery({
              clusterLabel,
              clusters: [...ask.clusters],
              namespaces: [...ask.namespaces],
              metrics: [...ask.metrics],
              rateWindowSeconds: this.options.config.rateWindowSeconds,
            }),
            { start: at, end: at, step: 1 },
          );
          results.set(p, readUsage(series, clusterLabel));
        } catch (error) {
          results.set(p, error as Error);
        }
      }),
    );
    return results;
  }

  private async decideAndApply(
    plan: Plan,
    samples: Map<AutoscalerPrometheusClient, UsageSamples | Error>,
    now: number,
    report: CycleReport,
  ): Promise<{ decision: DecisionRecord; window?: Recommendation[] }> {
    const { settings } = plan;
    const base = {
      metric: settings.metric,
      target: settings.target,
      settingsVersion: settings.version,
    };
    if ('hold' in plan) {
      return {
        decision: {
          ...base,
          outcome: 'held',
          reason: plan.hold,
          current: plan.current,
          recommended: null,
          desired: null,
          clusters: [],
        },
      };
    }
    const measures: ClusterMeasure[] = [];
    const holds: string[] = [];
    plan.targets.forEach((t, i) => {
      const { deployment } = t;
      const result = samples.get(plan.prometheus[i]);
      const measure: ClusterMeasure = {
        cluster: t.cluster,
        namespace: deployment.namespace,
        replicas: deployment.replicas.desired,
        pods: t.pods.length,
        usage: 0,
      };
      measures.push(measure);
      if (result instanceof Error || !result) {
        holds.push(
          `the use of cluster ${t.cluster} is unknown: ${
            result?.message ?? 'not measured'
          }`,
        );
        return;
      }
      // cpu and memory are in percent of the request; other metrics in their own unit
      const percent = AUTOSCALING_METRIC_INFO[settings.metric].percentOfRequest;
      const request = percent
        ? podRequest(deployment, settings.metric as 'cpu' | 'memory')
        : 1;
      if (request === undefined) {
        holds.push(
          `the containers of ${deployment.namespace}/${deployment.name} in cluster ${t.cluster} neither request nor limit ${settings.metric}: there is nothing to take a percentage of`,
        );
        return;
      }
      const missing: string[] = [];
      for (const pod of t.pods) {
        const value = result.get(
          sampleKey(t.cluster, pod.namespace, pod.name, settings.metric),
        );
        if (value === undefined) missing.push(pod.name);
        else measure.usage += percent ? (value / request) * 100 : value;
      }
      if (missing.length > 0) {
        holds.push(
          `no ${settings.metric} samples for pod${
            missing.length === 1 ? '' : 's'
          } ${missing.join(', ')} in cluster ${t.cluster} (${
            percent
              ? 'a new pod is measured after a few scrapes'
              : `Prometheus has no ${METRIC_CATALOGUE[
                  AUTOSCALING_SOURCES[settings.metric]
                ].requires.join(', ')} series for them yet`
          })`,
        );
      }
    });
    const current = measures.reduce((a, m) => a + m.replicas, 0);
    const unchanged = (): AutoscalingClusterDecision[] =>
      measures.map(m => ({
        ...m,
        usage: Math.round(m.usage * 10) / 10,
        desired: m.replicas,
        outcome: 'unchanged',
      }));
    if (holds.length > 0) {
      return {
        decision: {
          ...base,
          outcome: 'held',
          reason: [...new Set(holds)].join('; '),
          current,
          recommended: null,
          desired: null,
          clusters: unchanged(),
        },
      };
    }
    const byCapacity = this.options.config.split === 'free-capacity';
    if (byCapacity) {
      const unknown: string[] = [];
      await Promise.all(
        measures.map(async m => {
          try {
            m.freeCapacity = await this.freeCapacity(m.cluster);
          } catch (error) {
            unknown.push(
              `the free capacity of cluster ${m.cluster} is unknown (${
                (error as Error).message
              }): the split follows it (containerCloud.alerts.autoscaler.split)`,
            );
          }
        }),
      );
      if (unknown.length > 0) {
        return {
          decision: {
            ...base,
            outcome: 'held',
            reason: unknown.join('; '),
            current,
            recommended: null,
            desired: null,
            clusters: unchanged(),
          },
        };
      }
    }
    const decided = decide({
      clusters: measures,
      target: settings.target,
      minReplicas: settings.minReplicas,
      maxReplicas: settings.maxReplicas,
      tolerance: this.options.config.tolerance,
      stabilizationMs: this.options.config.scaleDownStabilizationSeconds * 1000,
      history: settings.recommendations,
      now,
      splitBy: byCapacity ? 'capacity' : 'share',
      unit: AUTOSCALING_METRIC_INFO[settings.metric].unit,
    });
    const { window } = decided;
    if (decided.desired === decided.current) {
      return {
        window,
        decision: {
          ...base,
          outcome: 'steady',
          reason: decided.reason,
          current,
          recommended: decided.recommended,
          desired: decided.desired,
          clusters: unchanged(),
        },
      };
    }
    const clusters = await Promise.all(
      plan.targets.map((t, i) =>
        this.scale(
          plan,
          t,
          measures[i],
          decided.perCluster[i],
          decided.reason,
          report,
        ),
      ),
    );
    const failed = clusters.filter(
      c => c.outcome === 'conflict' || c.outcome === 'failed',
    );
    const decision: DecisionRecord = {
      ...base,
      outcome: 'scaled',
      reason:
        failed.length === 0
          ? decided.reason
          : `${decided.reason}; ${failed
              .map(c =>
                c.outcome === 'conflict'
                  ? `cluster ${c.cluster}: the Deployment changed since it was read, tried again next cycle`
                  : `cluster ${c.cluster}: ${c.error}`,
              )
              .join('; ')}`,
      current,
      recommended: decided.recommended,
      desired: decided.desired,
      clusters,
    };
    return { decision, window };
  }

  /** One scale write, audited as the loop acting on the settings their saver made. */
  private async scale(
    plan: Extract<Plan, { binding: ServiceBinding }>,
    target: Target,
    measure: ClusterMeasure,
    replicas: number,
    reason: string,
    report: CycleReport,
  ): Promise<AutoscalingClusterDecision> {
    const { deployment, cluster } = target;
    const result = {
      ...measure,
      usage: Math.round(measure.usage * 10) / 10,
      desired: replicas,
    };
    if (replicas === measure.replicas)
      return { ...result, outcome: 'unchanged' };
    const { settings, binding } = plan;
    const event = await this.options.auditor.createEvent({
      eventId: 'autoscaler-scale',
      severityLevel: 'medium',
      meta: {
        actor: AUTOSCALER_ACTOR,
        settingsSavedBy: settings.updatedBy,
        settingsVersion: settings.version,
        entityRef: settings.entityRef,
        cluster,
        namespace: deployment.namespace,
        deployment: deployment.name,
        from: measure.replicas,
        to: replicas,
        reason,
      },
    });
    report.writes += 1;
    try {
      await this.options.clusters.operations(cluster).scale(
        {
          namespace: deployment.namespace,
          name: deployment.name,
          // the binding decides again, on the object actually written
          kubernetesId: binding.idIn(cluster, deployment.namespace),
          resourceVersion: deployment.resourceVersion,
        },
        replicas,
      );
      await event.success();
      return { ...result, outcome: 'scaled' };
    } catch (error) {
      await event.fail({ error: error as Error });
      const conflict = (error as Error).name === 'ConflictError';
      if (!conflict) {
        this.options.logger.warn(
          `autoscaler: scaling ${deployment.namespace}/${deployment.name} in ${cluster} failed: ${error}`,
        );
      }
      return {
        ...result,
        desired: measure.replicas,
        outcome: conflict ? 'conflict' : 'failed',
        ...(conflict ? {} : { error: (error as Error).message }),
      };
    }
  }

  /** Bounded retention, at most once an hour. */
  private async prune(now: number) {
    if (now - this.lastPrune < 3_600_000) return;
    this.lastPrune = now;
    const { config, store, logger } = this.options;
    const removed = await store.pruneDecisions(
      now - config.decisionRetentionDays * 86_400_000,
      config.decisionsPerService,
    );
    if (removed > 0)
      logger.info(`autoscaler: pruned ${removed} old decision(s)`);
  }
}
