/**
 * The services API: what the services backend returns and accepts. Shared by the backend, its
 * frontend and anyone automating against it.
 */

/** The label (and annotation) that ties Kubernetes workloads to a catalog Component. */
export const KUBERNETES_ID_LABEL = 'backstage.io/kubernetes-id';

/** @public */
export interface ClusterHealth {
  /** true once the cluster's watches have synced and the API answers */
  reachable: boolean;
  /** round trip of the last probe of `/version`, when reachable */
  latencyMs?: number;
  /** the nodes reporting Ready, out of all nodes */
  nodesReady?: number;
  nodesTotal?: number;
  /** why the cluster is not reachable, in words a person understands */
  error?: string;
  checkedAt: string;
}

/** @public */
export interface ContainerImage {
  container: string;
  image: string;
}

/** @public */
export interface DeploymentView {
  namespace: string;
  name: string;
  /** the precondition a write must carry; a stale one gets a 409 */
  resourceVersion: string;
  replicas: {
    desired: number;
    ready: number;
    updated: number;
    available: number;
  };
  images: ContainerImage[];
  /** the Deployment's revision (`deployment.kubernetes.io/revision`) */
  revision?: number;
  /** the newest condition transition or creation time */
  lastUpdate?: string;
  /** `Progressing`/`Available`/`ReplicaFailure` conditions that are not True, in words */
  problems: string[];
  /** what the config editor shows and edits */
  config: DeploymentConfig;
}

/** An HTTP probe. @public */
export interface ProbeView {
  path: string;
  port: number | string;
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

/** @public */
export interface ContainerConfig {
  container: string;
  /** plain values; variables from secrets or config maps are listed in `envFrom` and kept */
  env: { name: string; value: string }[];
  envFrom: string[];
  resources: {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
  };
  livenessProbe?: ProbeView;
  readinessProbe?: ProbeView;
}

/** @public */
export interface DeploymentConfig {
  containers: ContainerConfig[];
  terminationGracePeriodSeconds?: number;
  rollingUpdate?: {
    maxSurge?: string | number;
    maxUnavailable?: string | number;
  };
}

/** @public */
export interface ContainerStatusView {
  name: string;
  image: string;
  ready: boolean;
  restarts: number;
  state: 'running' | 'waiting' | 'terminated' | 'unknown';
  /** e.g. CrashLoopBackOff, OOMKilled, ImagePullBackOff */
  reason?: string;
  exitCode?: number;
}

/** @public */
export interface PodView {
  namespace: string;
  name: string;
  ip?: string;
  node?: string;
  phase: string;
  ready: boolean;
  restarts: number;
  startedAt?: string;
  /** the Deployment that owns the pod (through its ReplicaSet), if any */
  deployment?: string;
  /** set on pods being deleted */
  terminating: boolean;
  /** taken out of its Services' endpoints (and its ReplicaSet) for diagnosis */
  removedFromLoadBalancing: boolean;
  containers: ContainerStatusView[];
}

/** @public */
export interface RevisionView {
  deployment: string;
  namespace: string;
  revision: number;
  images: ContainerImage[];
  createdAt?: string;
}

/** @public */
export interface ClusterServiceView {
  cluster: string;
  health: ClusterHealth;
  deployments: DeploymentView[];
  pods: PodView[];
  revisions: RevisionView[];
}

/** The annotation a trusted entity lists its (cluster, namespace) pairs in. */
export const PLACEMENTS_ANNOTATION = 'container-cloud.io/placements';

/** One (cluster, namespace) pair a service may touch; cluster `*` is every cluster. @public */
export interface Placement {
  cluster: string;
  namespace: string;
}

/**
 * Which workloads a service controls, as the backend decided it (see container-cloud-node's
 * README, "Which workloads an entity controls"):
 * - `bound`: its workloads are those labelled with its id inside `placements` (every namespace
 *   of every cluster when `placements` is absent);
 * - `untrusted`: the entity does not come from a trusted origin, so it controls nothing;
 * - `conflict`: another trusted entity claims the same id (`conflictsWith`): both control nothing
 *   until ops remove one claim;
 * - `unplaced`: no placements, and the portal requires them; or placements that do not parse.
 * @public
 */
export interface ServiceBindingStatus {
  state: 'bound' | 'untrusted' | 'conflict' | 'unplaced';
  kubernetesId: string;
  placements?: Placement[];
  /** the other entities claiming the id (state `conflict`) */
  conflictsWith?: string[];
  /** why nothing is bound, in words a person understands (every state but `bound`) */
  message?: string;
}

/** `GET /services/:namespace/:name` of the services backend. @public */
export interface ServiceView {
  entityRef: string;
  kubernetesId: string;
  /**
   * which workloads this entity controls; `clusters` shows only those. Absent: every namespace of
   * every cluster (no placements, and none required).
   */
  binding?: ServiceBindingStatus;
  clusters: ClusterServiceView[];
}

/** Identifies one Deployment of a service in one cluster. @public */
export interface DeploymentTarget {
  cluster: string;
  namespace: string;
  deployment: string;
  /** when given, the write fails with 409 if the Deployment changed since */
  resourceVersion?: string;
}

/** @public */
export interface ScaleRequest extends DeploymentTarget {
  replicas: number;
}

/** @public */
export interface UpgradeRequest extends DeploymentTarget {
  container: string;
  image: string;
}

/** @public */
export interface RollbackRequest extends DeploymentTarget {
  revision: number;
}

/** What a successful write returns: the Deployment as it is now. @public */
export interface OperationResult {
  cluster: string;
  deployment: DeploymentView;
}

/** One thing wrong with a container, in plain words. @public */
export interface Finding {
  pod: string;
  container?: string;
  problem: string;
  advice: string;
  /** what it was concluded from (an event message, a reason, an exit code) */
  evidence?: string;
}

/** `GET /services/:namespace/:name/diagnosis`. @public */
export interface ServiceDiagnosis {
  clusters: Array<{ cluster: string; findings: Finding[]; error?: string }>;
}

/** A pod the service had, running or gone. @public */
export interface HistoryEntry {
  cluster: string;
  namespace: string;
  pod: string;
  deployment?: string;
  ip?: string;
  node?: string;
  images: ContainerImage[];
  startedAt?: string;
  endedAt?: string;
  exitReason?: string;
  exitCode?: number;
  restarts: number;
}

/** `GET /services/:namespace/:name/history`. @public */
export interface HistoryPage {
  items: HistoryEntry[];
  total: number;
}

/** The most log lines one request may ask for (`tailLines`). @public */
export const MAX_LOG_TAIL_LINES = 5000;

/** Which container's logs, and how many lines. @public */
export interface LogRequest {
  cluster: string;
  namespace: string;
  pod: string;
  /** may be left out when the pod has one container */
  container?: string;
  /** the last N lines, 1 to {@link MAX_LOG_TAIL_LINES}; 500 when left out */
  tailLines?: number;
  /** the logs of the container's instance before its last restart */
  previous?: boolean;
  /** prefix each line with the runtime's timestamp */
  timestamps?: boolean;
}

/** A Kubernetes event about a pod, a Deployment or a ReplicaSet. @public */
export interface EventView {
  /** Normal or Warning */
  type: string;
  reason: string;
  message: string;
  /** how many times it happened */
  count: number;
  firstSeen?: string;
  lastSeen?: string;
  object: { kind: string; name: string };
}

/** `GET /services/:namespace/:name/events`: newest first. @public */
export interface EventList {
  cluster: string;
  items: EventView[];
}

/**
 * One metric of one container, or of the whole pod, over time. CPU and memory are per container;
 * network traffic is per pod, since a pod's containers share its network.
 * @public
 */
export interface MetricSeries {
  metric: 'cpu' | 'memory' | 'network-receive' | 'network-transmit';
  /** cpu in cores, memory in bytes, network in bytes per second */
  unit: 'cores' | 'bytes' | 'bytes/s';
  /** the container's name; empty for a series of the whole pod (network) */
  container: string;
  /** `[unix seconds, value]`, oldest first */
  points: Array<[number, number]>;
}

/** `GET /services/:namespace/:name/containers/metrics`. @public */
export interface ContainerMetrics {
  cluster: string;
  namespace: string;
  pod: string;
  /** unix seconds */
  start: number;
  end: number;
  step: number;
  series: MetricSeries[];
}

/** A service's replicas in one cluster, summed over its Deployments. @public */
export interface ClusterReplicas {
  cluster: string;
  reachable: boolean;
  ready: number;
  desired: number;
}

/** One row of the Services page. @public */
export interface ServiceSummary {
  entityRef: string;
  namespace: string;
  name: string;
  title?: string;
  owner?: string;
  kubernetesId: string;
  /** which workloads it controls; replicas count only those (absent as in ServiceView) */
  binding?: ServiceBindingStatus;
  /** every configured cluster; empty when the caller may not read the service's workloads */
  clusters: ClusterReplicas[];
  /** over all clusters */
  ready: number;
  desired: number;
}

/** `GET /services?owner=mine|all&limit&offset`. @public */
export interface ServiceList {
  items: ServiceSummary[];
  /** services matching the filter in the catalog */
  totalItems: number;
}
