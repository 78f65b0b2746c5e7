import type { KubernetesObject } from '@kubernetes/client-node';
import type {
  ClusterHealth,
  ClusterServiceView,
  Placement,
  ServiceDiagnosis,
} from '@internal/plugin-container-cloud-common';
import type { ClusterConnection } from './ClusterConnection';
import type { WorkloadListener } from '../workloads/ClusterWatch';
import type { DeploymentOperations } from '../workloads/DeploymentOperations';
import type { PodDebug } from '../workloads/PodDebug';
import type { PodExec } from '../workloads/PodExec';
import type { PodLogs } from '../workloads/PodLogs';
import type { PodOperations } from '../workloads/PodOperations';
import type { ServiceEvents } from '../workloads/ServiceEvents';
import type { WatchedKind, WatchedObjects } from '../watch/WatchedKind';

/**
 * The cluster layer every Container Cloud backend plugin shares (`containerCloudClustersServiceRef`):
 * one connection, one set of watch caches and one health probe per configured cluster, however
 * many plugins read them. Plugins depend on this interface; the backend chooses the
 * implementation (`DefaultContainerCloudClusters` reads `kubernetes.clusterLocatorMethods`).
 *
 * Methods taking a cluster name throw `NotFoundError` for a cluster that is not configured.
 * @public
 */
export interface ContainerCloudClustersService {
  /** the configured clusters' names, in configuration order */
  readonly names: string[];

  /** Starts the workload watches and the health probe; idempotent. */
  start(): Promise<void>;
  stop(): Promise<void>;

  /** Tells the listener of every change to the workloads of a kubernetes-id, in any cluster. */
  onChange(listener: WorkloadListener): () => void;

  health(): Record<string, ClusterHealth>;
  /** Probes every cluster now (normally done on a timer). */
  probeAll(): Promise<void>;

  /**
   * The workloads of one kubernetes-id in every cluster, from the watch caches; with
   * `placements`, only those in the given (cluster, namespace) pairs.
   */
  serviceView(
    kubernetesId: string,
    placements?: Placement[],
  ): ClusterServiceView[];
  /** What is wrong with the containers of one kubernetes-id, per cluster. */
  diagnose(
    kubernetesId: string,
    placements?: Placement[],
  ): Promise<ServiceDiagnosis>;
  /** Pod uids per synced cluster. */
  livePodUids(): Map<string, Set<string>>;

  /**
   * The objects of a kind beside the workloads (`endpointSlicesByService`, …) in one cluster,
   * watched from the first call on and shared by every caller. The watch restarts with backoff
   * when it fails; `whenSynced` waits for its list.
   */
  watchKind<T extends KubernetesObject>(
    cluster: string,
    kind: WatchedKind<T>,
  ): WatchedObjects<T>;

  /** The typed API clients of one cluster, for calls no watch cache answers. */
  connection(cluster: string): ClusterConnection;

  operations(cluster: string): DeploymentOperations;
  podOperations(cluster: string): PodOperations;
  podDebug(cluster: string): PodDebug;
  podExec(cluster: string): PodExec;
  podLogs(cluster: string): PodLogs;
  events(cluster: string): ServiceEvents;
}

/**
 * The former name of the service's type, kept so its users can move to
 * `ContainerCloudClustersService` one at a time.
 * @public
 * @deprecated use `ContainerCloudClustersService`
 */
export type ContainerCloudClusters = ContainerCloudClustersService;
