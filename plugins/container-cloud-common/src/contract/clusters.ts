/**
 * The wire contract of the clusters page and failover (the clusters backend's clusters routes):
 * every cluster's health and capacity, one cluster's nodes and heaviest services, the health
 * controller's verdict, and failover previews and runs. The messages are what a person reads in a
 * 400, so each names the field.
 */
import { z } from 'zod';

/** A configured cluster's name, as `kubernetes.clusterLocatorMethods` spells it. @public */
export const opsClusterNameSchema = z
  .string()
  .min(1, 'a cluster name is required')
  .max(63, 'a cluster name is at most 63 characters')
  .regex(
    /^[A-Za-z0-9][-A-Za-z0-9_.]*$/,
    "a cluster name is letters, digits, '-', '_' and '.'",
  );

/** `/clusters/:cluster`. @public */
export const opsClusterParamsSchema = z.strictObject({
  cluster: opsClusterNameSchema,
});

/** CPU in cores and memory in bytes. @public */
export const resourceAmountsSchema = z.object({
  cpuCores: z.number(),
  memoryBytes: z.number(),
});
/** @public */
export type ResourceAmounts = z.infer<typeof resourceAmountsSchema>;

/**
 * What a cluster (or node) can hold, what its pods ask for, and what they use. `used` is null when
 * Prometheus is not configured or did not answer (`usedError` says which).
 * @public
 */
export const capacitySchema = z.object({
  allocatable: resourceAmountsSchema,
  requested: resourceAmountsSchema,
  used: resourceAmountsSchema.nullable(),
  usedError: z.string().optional(),
});
/** @public */
export type Capacity = z.infer<typeof capacitySchema>;

/**
 * The health controller's verdict on a cluster, from the database: `unhealthy` once it stayed
 * unreachable, or lost most of its ready nodes, for the configured time; `unknown` before the
 * controller first looked.
 * @public
 */
export const clusterVerdictSchema = z.object({
  state: z.enum(['healthy', 'unhealthy', 'unknown']),
  /** when the current state began (ISO time) */
  since: z.string().nullable(),
  /** why it is unhealthy, or what is wrong now while the window runs */
  reason: z.string().nullable(),
  /** a problem seen now that has not lasted the window yet (ISO time it began) */
  troubledSince: z.string().nullable(),
  checkedAt: z.string().nullable(),
});
/** @public */
export type ClusterVerdict = z.infer<typeof clusterVerdictSchema>;

/** Pods by phase. @public */
export const podPhasesSchema = z.object({
  Pending: z.number(),
  Running: z.number(),
  Succeeded: z.number(),
  Failed: z.number(),
  Unknown: z.number(),
});
/** @public */
export type PodPhases = z.infer<typeof podPhasesSchema>;

/** A service (by its `backstage.io/kubernetes-id`) running in a cluster. @public */
export const clusterServiceSchema = z.object({
  kubernetesId: z.string(),
  /** the catalog Component that claims the id, when one does */
  entityRef: z.string().nullable(),
  namespaces: z.array(z.string()),
  deployments: z.number(),
  replicas: z.number(),
  readyReplicas: z.number(),
  requested: resourceAmountsSchema,
  used: resourceAmountsSchema.nullable(),
});
/** @public */
export type ClusterService = z.infer<typeof clusterServiceSchema>;

/** One cluster on the clusters page. @public */
export const clusterSummarySchema = z.object({
  name: z.string(),
  reachable: z.boolean(),
  latencyMs: z.number().nullable(),
  /** why it is not reachable, in words */
  error: z.string().nullable(),
  kubernetesVersion: z.string().nullable(),
  /** false while the node and pod watches have not listed (numbers then are the last known) */
  synced: z.boolean(),
  nodes: z.object({
    ready: z.number(),
    total: z.number(),
    cordoned: z.number(),
  }),
  capacity: capacitySchema,
  pods: podPhasesSchema,
  services: z.array(clusterServiceSchema),
  verdict: clusterVerdictSchema,
});
/** @public */
export type ClusterSummary = z.infer<typeof clusterSummarySchema>;

/** `GET /clusters`. @public */
export const clusterSummaryListSchema = z.object({
  items: z.array(clusterSummarySchema),
});
/** @public */
export type ClusterSummaryList = z.infer<typeof clusterSummaryListSchema>;

/** One node of a cluster. @public */
export const clusterNodeSchema = z.object({
  name: z.string(),
  ready: z.boolean(),
  cordoned: z.boolean(),
  kubeletVersion: z.string().nullable(),
  pods: z.number(),
  capacity: capacitySchema,
});
/** @public */
export type ClusterNode = z.infer<typeof clusterNodeSchema>;

/** `GET /clusters/:cluster`: the cluster, its nodes, and its services heaviest first. @public */
export const clusterDetailSchema = z.object({
  cluster: clusterSummarySchema,
  nodes: z.array(clusterNodeSchema),
  /** by requested CPU, then memory, heaviest first */
  heaviestServices: z.array(clusterServiceSchema),
});
/** @public */
export type ClusterDetail = z.infer<typeof clusterDetailSchema>;

const kubernetesIdSchema = z
  .string()
  .min(1, 'a kubernetes id is required')
  .max(63, 'a kubernetes id is at most 63 characters')
  .regex(
    /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/,
    'a kubernetes id is a label value: letters, digits, -, _ and .',
  );

/**
 * What to move: every service of `source`, or those named in `services`, to `target` (or the
 * cluster with the most free capacity when left out).
 * @public
 */
export const failoverRequestSchema = z
  .strictObject({
    source: opsClusterNameSchema,
    target: opsClusterNameSchema.optional(),
    services: z
      .array(kubernetesIdSchema)
      .min(1, 'services, when given, names at least one kubernetes id')
      .max(500, 'services names at most 500 kubernetes ids')
      .optional(),
  })
  .refine(r => r.target === undefined || r.target !== r.source, {
    message: 'target must be another cluster than source',
    path: ['target'],
  });
/** @public */
export type FailoverRequest = z.infer<typeof failoverRequestSchema>;

/** `GET /failover/preview?source=&target=&services=a,b`. @public */
export const failoverPreviewQuerySchema = z.strictObject({
  source: opsClusterNameSchema,
  target: opsClusterNameSchema.optional(),
  /** comma-separated kubernetes ids */
  services: z.string().max(10_000, 'services is too long').optional(),
});

/** One Deployment of a service, as a failover plans to move it. @public */
export const failoverServicePlanSchema = z.object({
  kubernetesId: z.string(),
  entityRef: z.string().nullable(),
  namespace: z.string(),
  deployment: z.string(),
  /** the replicas it wants in the source */
  replicas: z.number(),
  /** the replicas it already has in the target */
  targetReplicas: z.number(),
  /** what it asks per replica */
  requestedPerReplica: resourceAmountsSchema,
  action: z.enum(['move', 'skip']),
  /** why it is skipped */
  reason: z.string().nullable(),
});
/** @public */
export type FailoverServicePlan = z.infer<typeof failoverServicePlanSchema>;

/** What a failover would do, before it runs. @public */
export const failoverPreviewSchema = z.object({
  source: z.string(),
  target: z.string(),
  /** whether ops chose the target, or the suite chose it by free capacity */
  targetChosenBy: z.enum(['operator', 'free-capacity']),
  services: z.array(failoverServicePlanSchema),
  targetBefore: z.object({
    allocatable: resourceAmountsSchema,
    requested: resourceAmountsSchema,
  }),
  targetAfter: z.object({
    allocatable: resourceAmountsSchema,
    requested: resourceAmountsSchema,
  }),
  /** false when the moved requests would exceed the target's allocatable CPU or memory */
  fits: z.boolean(),
  warnings: z.array(z.string()),
});
/** @public */
export type FailoverPreview = z.infer<typeof failoverPreviewSchema>;

/** Where one service of a run is. @public */
export const failoverStepStateSchema = z.enum([
  'pending',
  'scaling-up',
  'ready',
  'scaled-down',
  'failed',
  'skipped',
]);
/** @public */
export type FailoverStepState = z.infer<typeof failoverStepStateSchema>;

/** One service of a run. @public */
export const failoverStepSchema = z.object({
  kubernetesId: z.string(),
  entityRef: z.string().nullable(),
  namespace: z.string(),
  deployment: z.string(),
  /** the replicas it had in the source when the run was planned */
  replicas: z.number(),
  /** the replicas it gets in the target (what it had there, plus the source's) */
  targetReplicas: z.number(),
  state: failoverStepStateSchema,
  reason: z.string().nullable(),
  updatedAt: z.string(),
});
/** @public */
export type FailoverStep = z.infer<typeof failoverStepSchema>;

/** A failover run and each service's progress. @public */
export const failoverRunSchema = z.object({
  id: z.string(),
  source: z.string(),
  target: z.string(),
  /**
   * running: a backend replica drives it; stopping: asked to stop, takes effect between steps;
   * stopped: resumable; done: every service moved, skipped or failed.
   */
  state: z.enum(['running', 'stopping', 'stopped', 'done']),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  steps: z.array(failoverStepSchema),
});
/** @public */
export type FailoverRun = z.infer<typeof failoverRunSchema>;

/** `GET /failover/runs`: newest first. @public */
export const failoverRunListSchema = z.object({
  items: z.array(failoverRunSchema),
});
/** @public */
export type FailoverRunList = z.infer<typeof failoverRunListSchema>;

/** `/failover/runs/:id`. @public */
export const failoverRunParamsSchema = z.strictObject({
  id: z.uuid('a run id is a UUID'),
});
