import {
  coreServices,
  createServiceFactory,
  createServiceRef,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import type { KubernetesObject } from '@kubernetes/client-node';
import type {
  ClusterHealth,
  ClusterServiceView,
  Placement,
  ServiceDiagnosis,
} from '@internal/plugin-container-cloud-common';
import { describeKubeError } from './clusters/ClusterConnection';
import { diagnose } from './workloads/diagnose';
import { isPlaced } from './binding/bindingConfig';
import { ClusterConnection } from './clusters/ClusterConnection';
import { readKubernetesTimeouts } from './clusters/timeouts';
import {
  ClusterDetails,
  readClusterConfig,
} from './clusters/readClusterConfig';
import type { ContainerCloudClustersService } from './clusters/ContainerCloudClustersService';
import { ClusterWatch, WorkloadListener } from './workloads/ClusterWatch';
import { KindWatch, WatchedKind, WatchedObjects } from './watch/WatchedKind';
import { DeploymentOperations } from './workloads/DeploymentOperations';
import { PodOperations } from './workloads/PodOperations';
import { PodExec } from './workloads/PodExec';
import { PodDebug } from './workloads/PodDebug';
import { PodLogs } from './workloads/PodLogs';
import { ServiceEvents } from './workloads/ServiceEvents';
import {
  deploymentView,
  podView,
  replicaSetOwners,
  revisionViews,
} from './workloads/views';

type Workloads = Omit<ClusterServiceView, 'cluster' | 'health'>;

interface Cluster {
  connection: ClusterConnection;
  /** built views per kubernetes-id, dropped by any watch event for that id */
  views: Map<string, Workloads>;
  watch: ClusterWatch;
  operations: DeploymentOperations;
  pods: PodOperations;
  logs: PodLogs;
  events: ServiceEvents;
  health: ClusterHealth;
  /** the detail of the last failed probe, logged once until it changes */
  probeFailure?: string;
  /** the kinds plugins asked for (`watchKind`), by the kind's name */
  kinds: Map<string, KindWatch<any>>;
}

/**
 * The cluster layer every Container Cloud backend plugin shares, from a list of clusters (by
 * default `kubernetes.clusterLocatorMethods`): one connection, one set of watches and one health
 * probe per configured cluster, however many plugins read them.
 * @public
 */
export class DefaultContainerCloudClusters
  implements ContainerCloudClustersService
{
  private readonly clusters = new Map<string, Cluster>();
  private healthTimer?: NodeJS.Timeout;
  private probing?: Promise<void>;
  private started?: Promise<void>;

  static fromConfig(
    config: RootConfigService,
    options: { logger: LoggerService },
  ) {
    return new DefaultContainerCloudClusters(
      readClusterConfig(config),
      options.logger,
      (config.getOptionalNumber('containerCloud.clusters.healthProbeSeconds') ??
        15) * 1000,
      readKubernetesTimeouts(config).probeMs,
    );
  }

  constructor(
    details: ClusterDetails[],
    private readonly logger: LoggerService,
    private readonly healthProbeMs = 15_000,
    /** how long one probe may wait for an apiserver */
    private readonly probeTimeoutMs = 10_000,
  ) {
    for (const d of details) {
      const connection = new ClusterConnection(d);
      const watch = new ClusterWatch(
        connection,
        logger.child({ cluster: d.name }),
      );
      const views = new Map<string, Workloads>();
      // views hold no events, so an event leaves them as they are
      watch.onChange((_cluster, kubernetesId, kind) => {
        if (kind !== 'Event') views.delete(kubernetesId);
      });
      const operations = new DeploymentOperations(connection);
      const pods = new PodOperations(connection);
      this.clusters.set(d.name, {
        connection,
        views,
        watch,
        operations,
        pods,
        logs: new PodLogs(connection, pods),
        events: new ServiceEvents(connection, watch, pods, operations),
        health: {
          reachable: false,
          error: 'not probed yet',
          checkedAt: new Date(0).toISOString(),
        },
        kinds: new Map(),
      });
    }
  }

  get names(): string[] {
    return [...this.clusters.keys()];
  }

  /** Starts every watch and the health probe; idempotent. Resolves when each cluster synced or failed once. */
  start(): Promise<void> {
    if (!this.started) {
      this.logger.info(
        `watching ${this.clusters.size} cluster(s): ${
          this.names.join(', ') || 'none configured'
        }`,
      );
      this.started = Promise.all([
        ...[...this.clusters.values()].map(c => c.watch.start()),
        this.probeAll(),
      ]).then(() => {
        this.healthTimer = setInterval(
          () => this.probeAll(),
          this.healthProbeMs,
        );
        this.healthTimer.unref?.();
      });
    }
    return this.started;
  }

  async stop(): Promise<void> {
    clearInterval(this.healthTimer);
    this.started = undefined;
    await Promise.all(
      [...this.clusters.values()].flatMap(c => {
        const kinds = [...c.kinds.values()];
        c.kinds.clear();
        return [c.watch.stop(), ...kinds.map(kind => kind.stop())];
      }),
    );
  }

  watchKind<T extends KubernetesObject>(
    cluster: string,
    kind: WatchedKind<T>,
  ): WatchedObjects<T> {
    const c = this.cluster(cluster);
    let watch: KindWatch<T> | undefined = c.kinds.get(kind.name);
    if (!watch) {
      watch = new KindWatch(c.connection, kind, this.logger.child({ cluster }));
      c.kinds.set(kind.name, watch);
      watch.start();
    }
    return watch;
  }

  connection(cluster: string): ClusterConnection {
    return this.cluster(cluster).connection;
  }

  onChange(listener: WorkloadListener): () => void {
    const offs = [...this.clusters.values()].map(c =>
      c.watch.onChange(listener),
    );
    return () => offs.forEach(off => off());
  }

  health(): Record<string, ClusterHealth> {
    return Object.fromEntries(
      [...this.clusters].map(([name, c]) => [name, this.healthOf(c)]),
    );
  }

  /**
   * The service in every cluster, from the watch caches; with `placements`, only its workloads
   * in those (cluster, namespace) pairs (a ServiceBinding's `visiblePlacements()`).
   */
  serviceView(
    kubernetesId: string,
    placements?: Placement[],
  ): ClusterServiceView[] {
    return [...this.clusters.values()].map(c => {
      let workloads = c.views.get(kubernetesId);
      if (!workloads) {
        const { deployments, replicaSets, pods } =
          c.watch.workloadsOf(kubernetesId);
        const owners = replicaSetOwners(replicaSets);
        const byName = (a: { name: string }, b: { name: string }) =>
          a.name.localeCompare(b.name);
        workloads = {
          deployments: deployments.map(deploymentView).sort(byName),
          pods: pods.map(p => podView(p, owners)).sort(byName),
          revisions: revisionViews(replicaSets, owners),
        };
        c.views.set(kubernetesId, workloads);
      }
      const cluster = c.connection.name;
      const placed = (w: { namespace: string }) =>
        !placements || isPlaced(placements, cluster, w.namespace);
      return {
        cluster,
        health: this.healthOf(c),
        deployments: workloads.deployments.filter(placed),
        pods: workloads.pods.filter(placed),
        revisions: workloads.revisions.filter(placed),
      };
    });
  }

  /**
   * What is wrong with the service's containers, per cluster, from the watch caches: the pods and
   * their events (listed from the apiserver only while a cluster's event watch is not synced).
   */
  async diagnose(
    kubernetesId: string,
    placements?: Placement[],
  ): Promise<ServiceDiagnosis> {
    const clusters = await Promise.all(
      [...this.clusters.values()].map(async c => {
        const cluster = c.connection.name;
        const pods = c.watch
          .workloadsOf(kubernetesId)
          .pods.filter(
            p =>
              !placements ||
              isPlaced(placements, cluster, p.metadata?.namespace ?? ''),
          );
        const troubled = pods.filter(
          p =>
            p.status?.phase !== 'Running' ||
            p.status?.containerStatuses?.some(
              s => !s.ready || s.restartCount > 0,
            ),
        );
        try {
          const findings = await Promise.all(
            troubled.map(async pod =>
              diagnose(
                pod,
                await c.events.eventsOf(
                  pod.metadata!.namespace!,
                  'Pod',
                  pod.metadata!.name!,
                ),
              ),
            ),
          );
          return { cluster, findings: findings.flat() };
        } catch (error) {
          return { cluster, findings: [], error: describeKubeError(error) };
        }
      }),
    );
    return { clusters };
  }

  /** Pod uids per synced cluster (clusters whose pod watch is not synced are left out). */
  livePodUids(): Map<string, Set<string>> {
    const result = new Map<string, Set<string>>();
    for (const [name, c] of this.clusters) {
      const uids = c.watch.livePodUids();
      if (uids) result.set(name, uids);
    }
    return result;
  }

  operations(cluster: string): DeploymentOperations {
    return this.cluster(cluster).operations;
  }

  podOperations(cluster: string): PodOperations {
    return this.cluster(cluster).pods;
  }

  /** Debug containers for the pods of one cluster. */
  podDebug(cluster: string): PodDebug {
    const { connection, pods } = this.cluster(cluster);
    return new PodDebug(connection, pods);
  }

  /** Shells into the containers of one cluster. */
  podExec(cluster: string): PodExec {
    const { connection, pods } = this.cluster(cluster);
    return new PodExec(connection, pods);
  }

  podLogs(cluster: string): PodLogs {
    return this.cluster(cluster).logs;
  }

  events(cluster: string): ServiceEvents {
    return this.cluster(cluster).events;
  }

  private cluster(cluster: string): Cluster {
    const c = this.clusters.get(cluster);
    if (!c) {
      throw new NotFoundError(
        `no cluster named '${cluster}'; configured: ${
          this.names.join(', ') || 'none'
        }`,
      );
    }
    return c;
  }

  /**
   * Probes every cluster now (normally done on a timer). A probe still running is joined, not
   * repeated: a slow apiserver never piles up probes.
   */
  probeAll(): Promise<void> {
    if (!this.probing) {
      this.probing = this.probeEach().finally(() => {
        this.probing = undefined;
      });
    }
    return this.probing;
  }

  private async probeEach(): Promise<void> {
    await Promise.all(
      [...this.clusters].map(async ([name, c]) => {
        let failure: string | undefined;
        c.health = await c.connection.probe(detail => {
          failure = detail;
        }, this.probeTimeoutMs);
        if (failure && failure !== c.probeFailure) {
          this.logger.warn(`cluster ${name} is unreachable: ${failure}`);
        }
        c.probeFailure = failure;
      }),
    );
  }

  private healthOf(c: Cluster): ClusterHealth {
    // a watch failure is news even between probes
    if (c.health.reachable && !c.watch.isSynced && c.watch.error) {
      return { ...c.health, reachable: false, error: c.watch.error };
    }
    return c.health;
  }
}

/**
 * The shared cluster layer as a backend service: one instance per backend, started on first use
 * and stopped at shutdown.
 * @public
 */
export const containerCloudClustersServiceRef =
  createServiceRef<ContainerCloudClustersService>({
    id: 'container-cloud.clusters',
    scope: 'root',
    defaultFactory: async service =>
      createServiceFactory({
        service,
        deps: {
          config: coreServices.rootConfig,
          logger: coreServices.rootLogger,
          lifecycle: coreServices.rootLifecycle,
        },
        factory({ config, logger, lifecycle }) {
          const clusters = DefaultContainerCloudClusters.fromConfig(config, {
            logger: logger.child({ service: 'container-cloud-clusters' }),
          });
          lifecycle.addShutdownHook(() => clusters.stop());
          return clusters;
        },
      }),
  });
