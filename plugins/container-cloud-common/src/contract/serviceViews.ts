/**
 * What the services backend answers: the zod schema of every view and result, with the types the
 * backend builds and the frontend reads derived from them. The backend does not re-check its own
 * answers at run time; the schemas document them (OpenAPI) and the tests check them.
 */
import { z } from 'zod';

/** @public */
export const clusterHealthSchema = z.object({
  /** true once the cluster's watches have synced and the API answers */
  reachable: z.boolean(),
  /** round trip of the last probe of `/version`, when reachable */
  latencyMs: z.number().optional(),
  /** the nodes reporting Ready, out of all nodes */
  nodesReady: z.number().optional(),
  nodesTotal: z.number().optional(),
  /** why the cluster is not reachable, in words a person understands */
  error: z.string().optional(),
  checkedAt: z.string(),
});
/** @public */
export type ClusterHealth = z.infer<typeof clusterHealthSchema>;

/** `GET /health`: every configured cluster by name. @public */
export const healthViewSchema = z.object({
  clusters: z.record(z.string(), clusterHealthSchema),
});
/** @public */
export type HealthView = z.infer<typeof healthViewSchema>;

/** @public */
export const containerImageSchema = z.object({
  container: z.string(),
  image: z.string(),
});
/** @public */
export type ContainerImage = z.infer<typeof containerImageSchema>;

/** An HTTP probe. @public */
export const probeViewSchema = z.object({
  path: z.string(),
  port: z.union([z.number(), z.string()]),
  initialDelaySeconds: z.number().optional(),
  periodSeconds: z.number().optional(),
  timeoutSeconds: z.number().optional(),
  failureThreshold: z.number().optional(),
});
/** @public */
export type ProbeView = z.infer<typeof probeViewSchema>;

const cpuAndMemory = z.object({
  cpu: z.string().optional(),
  memory: z.string().optional(),
});

/** @public */
export const containerConfigSchema = z.object({
  container: z.string(),
  /** plain values; variables from secrets or config maps are listed in `envFrom` and kept */
  env: z.array(z.object({ name: z.string(), value: z.string() })),
  envFrom: z.array(z.string()),
  /** of `envFrom`, the variables read from a Secret's key (`valueFrom.secretKeyRef`) */
  secretEnv: z
    .array(z.object({ name: z.string(), secret: z.string(), key: z.string() }))
    .optional(),
  resources: z.object({
    requests: cpuAndMemory.optional(),
    limits: cpuAndMemory.optional(),
  }),
  livenessProbe: probeViewSchema.optional(),
  readinessProbe: probeViewSchema.optional(),
});
/** @public */
export type ContainerConfig = z.infer<typeof containerConfigSchema>;

/** @public */
export const deploymentConfigSchema = z.object({
  containers: z.array(containerConfigSchema),
  terminationGracePeriodSeconds: z.number().optional(),
  rollingUpdate: z
    .object({
      maxSurge: z.union([z.string(), z.number()]).optional(),
      maxUnavailable: z.union([z.string(), z.number()]).optional(),
    })
    .optional(),
});
/** @public */
export type DeploymentConfig = z.infer<typeof deploymentConfigSchema>;

/**
 * The spec generation of a Deployment a page loaded, sent back with a write beside its
 * `resourceVersion`: a Deployment whose resourceVersion moved while its generation did not changed
 * only in its status (pods becoming ready) or labels, which no write of ours touches, so that is
 * no conflict (a Deployment's annotations move its generation). @public
 */
export const loadedGenerationSchema = z
  .number()
  .int('generation is the whole number the page loaded')
  .nonnegative('generation is the number the page loaded')
  .optional();

/** @public */
export const deploymentViewSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  /** the precondition a write must carry; a stale one gets a 409 */
  resourceVersion: z.string(),
  /** the spec's generation: a write carrying it is no conflict when only the status moved since */
  generation: z.number().optional(),
  replicas: z.object({
    desired: z.number(),
    ready: z.number(),
    updated: z.number(),
    available: z.number(),
  }),
  images: z.array(containerImageSchema),
  /** the Deployment's revision (`deployment.kubernetes.io/revision`) */
  revision: z.number().optional(),
  /** the newest condition transition or creation time */
  lastUpdate: z.string().optional(),
  /** `Progressing`/`Available`/`ReplicaFailure` conditions that are not True, in words */
  problems: z.array(z.string()),
  /** what the config editor shows and edits */
  config: deploymentConfigSchema,
});
/** @public */
export type DeploymentView = z.infer<typeof deploymentViewSchema>;

/** @public */
export const containerStatusViewSchema = z.object({
  name: z.string(),
  image: z.string(),
  ready: z.boolean(),
  restarts: z.number(),
  state: z.enum(['running', 'waiting', 'terminated', 'unknown']),
  /** e.g. CrashLoopBackOff, OOMKilled, ImagePullBackOff */
  reason: z.string().optional(),
  exitCode: z.number().optional(),
});
/** @public */
export type ContainerStatusView = z.infer<typeof containerStatusViewSchema>;

/** @public */
export const podViewSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  ip: z.string().optional(),
  node: z.string().optional(),
  phase: z.string(),
  ready: z.boolean(),
  restarts: z.number(),
  startedAt: z.string().optional(),
  /** the Deployment that owns the pod (through its ReplicaSet), if any */
  deployment: z.string().optional(),
  /** set on pods being deleted */
  terminating: z.boolean(),
  /** taken out of its Services' endpoints (and its ReplicaSet) for diagnosis */
  removedFromLoadBalancing: z.boolean(),
  containers: z.array(containerStatusViewSchema),
});
/** @public */
export type PodView = z.infer<typeof podViewSchema>;

/** @public */
export const revisionViewSchema = z.object({
  deployment: z.string(),
  namespace: z.string(),
  revision: z.number(),
  images: z.array(containerImageSchema),
  createdAt: z.string().optional(),
});
/** @public */
export type RevisionView = z.infer<typeof revisionViewSchema>;

/** @public */
export const clusterServiceViewSchema = z.object({
  cluster: z.string(),
  health: clusterHealthSchema,
  deployments: z.array(deploymentViewSchema),
  pods: z.array(podViewSchema),
  revisions: z.array(revisionViewSchema),
});
/** @public */
export type ClusterServiceView = z.infer<typeof clusterServiceViewSchema>;

/** One (cluster, namespace) pair a service may touch; cluster `*` is every cluster. @public */
export const placementSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
});
/** @public */
export type Placement = z.infer<typeof placementSchema>;

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
export const serviceBindingStatusSchema = z.object({
  state: z.enum(['bound', 'untrusted', 'conflict', 'unplaced']),
  kubernetesId: z.string(),
  placements: z.array(placementSchema).optional(),
  /** the other entities claiming the id (state `conflict`) */
  conflictsWith: z.array(z.string()).optional(),
  /** why nothing is bound, in words a person understands (every state but `bound`) */
  message: z.string().optional(),
});
/** @public */
export type ServiceBindingStatus = z.infer<typeof serviceBindingStatusSchema>;

/** How many of a cluster's containers are in each state, over all of them (not one page). @public */
export const podCountsSchema = z.object({
  total: z.number(),
  /** Running with every container ready */
  ready: z.number(),
  /** waiting to be scheduled or started (phase Pending) */
  pending: z.number(),
  /** neither ready nor pending: crashing, failed, not ready */
  failing: z.number(),
  terminating: z.number(),
  /** restarts of every container, summed */
  restarts: z.number(),
});
/** @public */
export type PodCounts = z.infer<typeof podCountsSchema>;

/**
 * One cluster in the service view: its health, Deployments and revisions whole, its containers a
 * page at a time (`pods`, sorted by name, from `podsPage.offset`) with the counts of all of them.
 * @public
 */
export const clusterServicePageSchema = clusterServiceViewSchema.extend({
  podCounts: podCountsSchema,
  podsPage: z.object({ offset: z.number(), limit: z.number() }),
});
/** @public */
export type ClusterServicePage = z.infer<typeof clusterServicePageSchema>;

/**
 * `GET /services/:namespace/:name` of the services backend. The answer carries an ETag; a request
 * sending it back in `If-None-Match` gets a 304 while the view is unchanged.
 * @public
 */
export const serviceViewSchema = z.object({
  entityRef: z.string(),
  kubernetesId: z.string(),
  /**
   * which workloads this entity controls; `clusters` shows only those. Absent: every namespace of
   * every cluster (no placements, and none required).
   */
  binding: serviceBindingStatusSchema.optional(),
  clusters: z.array(clusterServicePageSchema),
});
/** @public */
export type ServiceView = z.infer<typeof serviceViewSchema>;

/** What a successful Deployment write returns: the Deployment as it is now. @public */
export const operationResultSchema = z.object({
  cluster: z.string(),
  deployment: deploymentViewSchema,
});
/** @public */
export type OperationResult = z.infer<typeof operationResultSchema>;

/** `POST containers/debug`: the debug container added to the pod. @public */
export const debugResultSchema = z.object({
  cluster: z.string(),
  pod: z.string(),
  /** its name in the pod, to open a shell in */
  container: z.string(),
  image: z.string(),
  targetContainer: z.string(),
});
/** @public */
export type DebugResult = z.infer<typeof debugResultSchema>;

/** `POST containers/destroy`. @public */
export const destroyResultSchema = z.object({
  cluster: z.string(),
  pod: z.string(),
  destroyed: z.literal(true),
});
/** @public */
export type DestroyResult = z.infer<typeof destroyResultSchema>;

/** `POST containers/remove-from-lb`: the labels taken off the pod. @public */
export const removeFromLoadBalancingResultSchema = z.object({
  cluster: z.string(),
  pod: z.string(),
  removedLabels: z.array(z.string()),
});
/** @public */
export type RemoveFromLoadBalancingResult = z.infer<
  typeof removeFromLoadBalancingResultSchema
>;

/** An error as the backend answers it: its name and a message a person understands. @public */
export const errorBodySchema = z.object({
  name: z.string(),
  message: z.string(),
});

/** What happened in one cluster of an every-cluster request. @public */
export const clusterOutcomeSchema = z.discriminatedUnion('ok', [
  z.object({
    cluster: z.string(),
    ok: z.literal(true),
    result: operationResultSchema,
  }),
  z.object({
    cluster: z.string(),
    ok: z.literal(false),
    error: errorBodySchema,
    /** the Deployment as it is, when the write lost to a newer change (409) */
    current: deploymentViewSchema.optional(),
  }),
]);
/** @public */
export type ClusterOutcome = z.infer<typeof clusterOutcomeSchema>;

/** `POST every-cluster/:operation`: 200 when every cluster succeeded, 207 otherwise. @public */
export const everyClusterResultSchema = z.object({
  results: z.array(clusterOutcomeSchema),
});
/** @public */
export type EveryClusterResult = z.infer<typeof everyClusterResultSchema>;

/** One thing wrong with a container, in plain words. @public */
export const findingSchema = z.object({
  pod: z.string(),
  container: z.string().optional(),
  problem: z.string(),
  advice: z.string(),
  /** what it was concluded from (an event message, a reason, an exit code) */
  evidence: z.string().optional(),
});
/** @public */
export type Finding = z.infer<typeof findingSchema>;

/** `GET /services/:namespace/:name/diagnosis`. @public */
export const serviceDiagnosisSchema = z.object({
  clusters: z.array(
    z.object({
      cluster: z.string(),
      findings: z.array(findingSchema),
      error: z.string().optional(),
    }),
  ),
});
/** @public */
export type ServiceDiagnosis = z.infer<typeof serviceDiagnosisSchema>;

/** A pod the service had, running or gone. @public */
export const historyEntrySchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  pod: z.string(),
  deployment: z.string().optional(),
  ip: z.string().optional(),
  node: z.string().optional(),
  images: z.array(containerImageSchema),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  exitReason: z.string().optional(),
  exitCode: z.number().optional(),
  restarts: z.number(),
});
/** @public */
export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** `GET /services/:namespace/:name/history`. @public */
export const historyPageSchema = z.object({
  items: z.array(historyEntrySchema),
  total: z.number(),
});
/** @public */
export type HistoryPage = z.infer<typeof historyPageSchema>;

/** A Kubernetes event about a pod, a Deployment or a ReplicaSet. @public */
export const eventViewSchema = z.object({
  /** Normal or Warning */
  type: z.string(),
  reason: z.string(),
  message: z.string(),
  /** how many times it happened */
  count: z.number(),
  firstSeen: z.string().optional(),
  lastSeen: z.string().optional(),
  object: z.object({ kind: z.string(), name: z.string() }),
});
/** @public */
export type EventView = z.infer<typeof eventViewSchema>;

/** `GET /services/:namespace/:name/events`: newest first. @public */
export const eventListSchema = z.object({
  cluster: z.string(),
  items: z.array(eventViewSchema),
});
/** @public */
export type EventList = z.infer<typeof eventListSchema>;

/**
 * One metric of one container, or of the whole pod, over time. CPU and memory are per container;
 * network traffic is per pod, since a pod's containers share its network.
 * @public
 */
export const metricSeriesSchema = z.object({
  metric: z.enum(['cpu', 'memory', 'network-receive', 'network-transmit']),
  /** cpu in cores, memory in bytes, network in bytes per second */
  unit: z.enum(['cores', 'bytes', 'bytes/s']),
  /** the container's name; empty for a series of the whole pod (network) */
  container: z.string(),
  /** `[unix seconds, value]`, oldest first */
  points: z.array(z.tuple([z.number(), z.number()])),
});
/** @public */
export type MetricSeries = z.infer<typeof metricSeriesSchema>;

/** `GET /services/:namespace/:name/containers/metrics`. @public */
export const containerMetricsSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  pod: z.string(),
  /** unix seconds */
  start: z.number(),
  end: z.number(),
  step: z.number(),
  series: z.array(metricSeriesSchema),
});
/** @public */
export type ContainerMetrics = z.infer<typeof containerMetricsSchema>;

/** A service's replicas in one cluster, summed over its Deployments. @public */
export const clusterReplicasSchema = z.object({
  cluster: z.string(),
  reachable: z.boolean(),
  ready: z.number(),
  desired: z.number(),
});
/** @public */
export type ClusterReplicas = z.infer<typeof clusterReplicasSchema>;

/** One row of the Services page. @public */
export const serviceSummarySchema = z.object({
  entityRef: z.string(),
  namespace: z.string(),
  name: z.string(),
  title: z.string().optional(),
  owner: z.string().optional(),
  kubernetesId: z.string(),
  /** which workloads it controls; replicas count only those (absent as in ServiceView) */
  binding: serviceBindingStatusSchema.optional(),
  /** every configured cluster; empty when the caller may not read the service's workloads */
  clusters: z.array(clusterReplicasSchema),
  /** over all clusters */
  ready: z.number(),
  desired: z.number(),
});
/** @public */
export type ServiceSummary = z.infer<typeof serviceSummarySchema>;

/** `GET /services?owner=mine|all&limit&offset`. @public */
export const serviceListSchema = z.object({
  items: z.array(serviceSummarySchema),
  /** services matching the filter in the catalog */
  totalItems: z.number(),
});
/** @public */
export type ServiceList = z.infer<typeof serviceListSchema>;

/** `GET /services/:namespace/:name/debug-images`: the tools images a debug container may run. @public */
export const debugImagesSchema = z.object({ images: z.array(z.string()) });

/** `GET /services/:namespace/:name/image-tags`: the tags of one repository, newest first. @public */
export const imageTagsSchema = z.object({
  host: z.string(),
  repository: z.string(),
  tags: z.array(z.string()),
  /** true when the registry had more than the limit */
  truncated: z.boolean(),
});

/** `POST /services/:namespace/:name/shells` (201): the shell's id and what it runs in. @public */
export const openedShellSchema = z.object({
  id: z.string(),
  entityRef: z.string(),
  cluster: z.string(),
  namespace: z.string(),
  pod: z.string(),
  container: z.string(),
});
/** @public */
export type OpenedShell = z.infer<typeof openedShellSchema>;
