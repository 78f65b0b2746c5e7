/**
 * The autoscaling API (plugins/alerts-backend, src/autoscaler): a service's autoscaling settings
 * and the autoscaler's decisions. Zod schemas of every request and answer; the messages are what
 * a person reads in a 400.
 */
import { z } from 'zod';

/**
 * What the autoscaler measures per replica: `cpu` and `memory` are the pod's use as a percentage
 * of what its containers request (their limit where they request nothing), as a Kubernetes HPA's
 * `Utilization` target does; the others are metrics of the alert rules' catalogue that add up
 * over replicas (the pod's network traffic), with a target in their own unit per replica, as an
 * HPA's `AverageValue` target.
 * @public
 */
export const AUTOSCALING_METRICS = [
  'cpu',
  'memory',
  'network_receive_bytes',
  'network_transmit_bytes',
] as const;
/** @public */
export type AutoscalingMetric = (typeof AUTOSCALING_METRICS)[number];

/** How each autoscaling metric is named and measured, for the picker and the messages. @public */
export const AUTOSCALING_METRIC_INFO: Record<
  AutoscalingMetric,
  { title: string; unit: string; percentOfRequest: boolean; maxTarget: number }
> = {
  cpu: {
    title: 'CPU (% of request)',
    unit: '%',
    percentOfRequest: true,
    maxTarget: 1000,
  },
  memory: {
    title: 'Memory (% of request)',
    unit: '%',
    percentOfRequest: true,
    maxTarget: 1000,
  },
  network_receive_bytes: {
    title: 'Network in (bytes/s per replica)',
    unit: 'bytes/s',
    percentOfRequest: false,
    maxTarget: 1e12,
  },
  network_transmit_bytes: {
    title: 'Network out (bytes/s per replica)',
    unit: 'bytes/s',
    percentOfRequest: false,
    maxTarget: 1e12,
  },
};

/** The most replicas the autoscaler sets a service to, in all clusters together. @public */
export const MAX_AUTOSCALING_REPLICAS = 500;

/** The largest version number: the database keeps versions as 32-bit integers. */
const MAX_VERSION = 2_147_483_647;

const dnsSubdomain =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const catalogName = (field: string) =>
  z.string().regex(/^[a-z0-9-_.]+$/i, `${field} is a catalog name`);

/** `/autoscaling/:namespace/:name`: the service (a catalog Component). @public */
export const autoscalingParamsSchema = z.object({
  namespace: catalogName('namespace'),
  name: catalogName('name'),
});

const replicaCount = (field: string) =>
  z
    .number({ error: `${field} is a number of replicas` })
    .int(`${field} is a whole number of replicas`)
    .min(1, `${field} is at least 1`)
    .max(
      MAX_AUTOSCALING_REPLICAS,
      `${field} is at most ${MAX_AUTOSCALING_REPLICAS}`,
    );

const settingsFields = {
  enabled: z.boolean({ error: 'enabled is true or false' }),
  /** the Deployment of the service that is scaled, in every cluster it runs in */
  deployment: z
    .string({ error: 'name the Deployment to scale' })
    .min(1, 'name the Deployment to scale')
    .max(253, 'a Deployment name is at most 253 characters')
    .regex(
      dnsSubdomain,
      'a Deployment name is lower-case letters, digits, dots and dashes',
    ),
  metric: z.enum(AUTOSCALING_METRICS, {
    error: `the metric is one of ${AUTOSCALING_METRICS.join(', ')}`,
  }),
  /**
   * per replica: percent of the containers' requests (their limits where they request nothing)
   * for cpu and memory, at most 1000; the metric's own unit for the others
   */
  target: z
    .number({ error: 'the target is a number (percent of the request)' })
    .min(1, 'the target is at least 1 (percent of the request)')
    .max(1e12, 'the target is at most 1e12'),
  minReplicas: replicaCount('minReplicas'),
  maxReplicas: replicaCount('maxReplicas'),
};

const minNotAboveMax = {
  message: 'maxReplicas is at least minReplicas',
  path: ['maxReplicas'],
};

/** A percentage target is at most 1000 (ten times the request). */
const targetWithinMetric = {
  message: 'the target is at most 1000 (percent of the request)',
  path: ['target'],
};
const targetFits = (s: { metric: AutoscalingMetric; target: number }) =>
  s.target <= AUTOSCALING_METRIC_INFO[s.metric].maxTarget;

/** A service's autoscaling settings. @public */
export const autoscalingSettingsSchema = z
  .object(settingsFields)
  .refine(s => s.minReplicas <= s.maxReplicas, minNotAboveMax)
  .refine(targetFits, targetWithinMetric);
/** @public */
export type AutoscalingSettings = z.infer<typeof autoscalingSettingsSchema>;

/**
 * `PUT /autoscaling/:namespace/:name`: the settings, and the version they were edited from (0
 * when the service had none). A stale version changes nothing: 409 with the settings as they are
 * now (`current`).
 * @public
 */
export const autoscalingSaveSchema = z
  .strictObject({
    ...settingsFields,
    version: z
      .number({ error: 'version is the number of the settings you edited' })
      .int('version is a whole number')
      .min(0, 'version is 0 for new settings')
      // the save stores the next version, which must still fit
      .max(MAX_VERSION - 1, 'version is too large'),
  })
  .refine(s => s.minReplicas <= s.maxReplicas, minNotAboveMax)
  .refine(targetFits, targetWithinMetric);
/** @public */
export type AutoscalingSave = z.infer<typeof autoscalingSaveSchema>;

/** Saved settings, with who saved them and their version. @public */
export const autoscalingSettingsViewSchema = z.object({
  ...settingsFields,
  version: z.number(),
  /** the user who saved them; the autoscaler acts on the settings they saved */
  updatedBy: z.string(),
  updatedAt: z.string(),
});
/** @public */
export type AutoscalingSettingsView = z.infer<
  typeof autoscalingSettingsViewSchema
>;

/** What the autoscaler saw and did in one cluster. @public */
export const autoscalingClusterDecisionSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  /** the Deployment's replicas when the cycle began */
  replicas: z.number(),
  /** the pods measured, and the sum of their use in percent of their requests */
  pods: z.number(),
  usage: z.number(),
  /** what the cycle set this cluster to (the same as `replicas` when it held) */
  desired: z.number(),
  /**
   * unchanged: nothing to write; scaled: written; conflict: the Deployment changed since it was
   * read, tried again next cycle; failed: the write failed (`error`)
   */
  outcome: z.enum(['unchanged', 'scaled', 'conflict', 'failed']),
  error: z.string().optional(),
});
/** @public */
export type AutoscalingClusterDecision = z.infer<
  typeof autoscalingClusterDecisionSchema
>;

/**
 * One decision of the autoscaler. Identical decisions in a row are one entry, seen `count` times
 * from `at` to `lastAt`.
 * @public
 */
export const autoscalingDecisionSchema = z.object({
  at: z.string(),
  lastAt: z.string(),
  count: z.number(),
  /**
   * scaled: the total changed; steady: it stays (within the tolerance, at the bounds, or
   * stabilising a scale-down); held: the autoscaler could not decide (`reason` says why) and
   * left the service as it is
   */
  outcome: z.enum(['scaled', 'steady', 'held']),
  reason: z.string(),
  metric: z.enum(AUTOSCALING_METRICS),
  target: z.number(),
  /** replicas in all clusters when the cycle began */
  current: z.number().nullable(),
  /** ceil(sum of use / target), clamped: what the metric asked for */
  recommended: z.number().nullable(),
  /** what the cycle set the total to */
  desired: z.number().nullable(),
  clusters: z.array(autoscalingClusterDecisionSchema),
  settingsVersion: z.number(),
});
/** @public */
export type AutoscalingDecision = z.infer<typeof autoscalingDecisionSchema>;

/** `GET /autoscaling/:namespace/:name`: the settings (null when none were saved) and the recent decisions, newest first. @public */
export const autoscalingViewSchema = z.object({
  entityRef: z.string(),
  settings: autoscalingSettingsViewSchema.nullable(),
  decisions: z.array(autoscalingDecisionSchema),
  /** the Deployments of the service the autoscaler may scale (those its binding covers) */
  deployments: z.array(z.string()),
  /** how often the loop runs */
  intervalSeconds: z.number(),
  /**
   * how a new total is split across clusters: by each cluster's current replicas, or by its free
   * CPU (`containerCloud.alerts.autoscaler.split`)
   */
  split: z.enum(['share', 'free-capacity']).optional(),
});
/** @public */
export type AutoscalingView = z.infer<typeof autoscalingViewSchema>;
