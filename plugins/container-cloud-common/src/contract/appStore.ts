/**
 * The wire contract of the app store (the app-store backend's routes): charts from the configured
 * Helm repositories, and instances (Helm releases) installed from them, each owned by a catalog
 * entity. The messages are what a person reads in a 400, so each names the field.
 */
import { z } from 'zod';
import { quantityBytes } from './storageVolumes';

// an RFC 1123 label, as Kubernetes checks namespaces and Helm checks release names
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The size presets an install form offers; each chart maps them to its resources. @public */
export const APP_STORE_PRESETS = ['small', 'medium', 'large'] as const;

/** Where an instance runs: a test environment expires, a production one never does. @public */
export const APP_STORE_ENVIRONMENTS = ['test', 'production'] as const;

/** The longest expiry one install or extension may ask for, in days. @public */
export const APP_STORE_MAX_EXPIRY_DAYS = 90;

/**
 * An instance's name: its Helm release's, which prefixes the Kubernetes objects' names, so at
 * most 40 characters (a StatefulSet's pods add the controller revision hash to their labels).
 * @public
 */
export const instanceNameSchema = z
  .string()
  .min(1, 'give the instance a name')
  .max(40, 'at most 40 characters')
  .regex(
    dnsLabel,
    'lower-case letters, digits and dashes, starting and ending with a letter or digit',
  );

/** A namespace's name, as Kubernetes checks it. @public */
export const appStoreNamespaceSchema = z
  .string()
  .min(1, 'choose a namespace')
  .max(63, 'at most 63 characters')
  .regex(dnsLabel, 'lower-case letters, digits and dashes');

/** A cluster's name, as `containerCloud.clusters` names it. @public */
export const appStoreClusterSchema = z
  .string()
  .min(1, 'choose a cluster')
  .max(63, 'at most 63 characters')
  .regex(/^[a-zA-Z0-9][-a-zA-Z0-9_.]*$/, 'a configured cluster name');

/** A chart's name in its repository. @public */
export const chartNameSchema = z
  .string()
  .min(1, 'choose a chart')
  .max(100, 'at most 100 characters')
  .regex(dnsLabel, 'a chart name: lower-case letters, digits and dashes');

/** A chart version: SemVer 2, as Helm requires. @public */
export const chartVersionSchema = z
  .string()
  .max(100, 'at most 100 characters')
  .regex(
    /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/,
    'a chart version such as 1.2.3',
  );

/** A repository's name, as `containerCloud.appStore.repositories[].name` gives it. @public */
export const chartRepositorySchema = z
  .string()
  .min(1, 'choose a repository')
  .max(63, 'at most 63 characters')
  .regex(dnsLabel, 'a configured repository name');

/** A catalog entity reference in full form (kind:namespace/name). @public */
export const appStoreOwnerSchema = z
  .string()
  .regex(
    /^(component|group):[a-z0-9][-a-z0-9_.]*\/[a-zA-Z0-9][-a-zA-Z0-9_.]*$/i,
    'the owning Component or Group, as kind:namespace/name (e.g. component:default/payments-api)',
  );

/** A storage size with its unit, between 1Gi and 10Ti. @public */
export const instanceStorageSchema = z.string().superRefine((value, ctx) => {
  const bytes = quantityBytes(value);
  if (bytes === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `'${value}' is no size with a unit; write e.g. 8Gi`,
    });
  } else if (bytes < 2 ** 30) {
    ctx.addIssue({ code: 'custom', message: 'at least 1Gi' });
  } else if (bytes > 10 * 2 ** 40) {
    ctx.addIssue({ code: 'custom', message: 'at most 10Ti' });
  }
});

/** A password a person gives instead of a generated one. @public */
export const instancePasswordSchema = z
  .string()
  .min(12, 'at least 12 characters')
  .max(128, 'at most 128 characters')
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII characters, no spaces');

/** One version of a chart. @public */
export const chartVersionViewSchema = z.object({
  version: z.string(),
  appVersion: z.string().optional(),
  created: z.string().optional(),
});

/** A chart as the catalogue lists it (newest version first). @public */
export const chartViewSchema = z.object({
  repository: z.string(),
  name: z.string(),
  description: z.string(),
  icon: z.string().optional(),
  /** keywords from Chart.yaml */
  keywords: z.array(z.string()),
  versions: z.array(chartVersionViewSchema),
});

/** The catalogue, with the repositories that could not be read (never silently empty). @public */
export const chartListSchema = z.object({
  items: z.array(chartViewSchema),
  repositories: z.array(
    z.object({
      name: z.string(),
      kind: z.enum(['oci', 'index']),
      url: z.string(),
      ok: z.boolean(),
      error: z.string().optional(),
    }),
  ),
});

/** One chart version in detail: its README and its values schema (the install form). @public */
export const chartDetailSchema = z.object({
  repository: z.string(),
  name: z.string(),
  version: z.string(),
  appVersion: z.string().optional(),
  description: z.string(),
  readme: z.string(),
  /** the chart's values.schema.json; the install form is generated from it */
  valuesSchema: z.record(z.string(), z.unknown()).optional(),
  /** the chart's values.yaml, as text */
  defaultValues: z.string(),
});

/** Params of a chart version. @public */
export const chartParamsSchema = z.object({
  repository: chartRepositorySchema,
  chart: chartNameSchema,
  version: chartVersionSchema,
});

/** Params naming one instance. @public */
export const instanceParamsSchema = z.object({
  cluster: appStoreClusterSchema,
  namespace: appStoreNamespaceSchema,
  name: instanceNameSchema,
});

/** Chart values a person may set beyond the form's fields (checked against the chart's schema). @public */
export const instanceValuesSchema = z
  .record(z.string(), z.unknown())
  .refine(
    v => JSON.stringify(v).length <= 64 * 1024,
    'at most 64 KiB of values',
  );

/** An install: chart, placement, owner, size and expiry. @public */
export const instanceInstallSchema = z.object({
  repository: chartRepositorySchema,
  chart: chartNameSchema,
  version: chartVersionSchema,
  cluster: appStoreClusterSchema,
  namespace: appStoreNamespaceSchema,
  name: instanceNameSchema,
  owner: appStoreOwnerSchema,
  environment: z.enum(APP_STORE_ENVIRONMENTS).default('test'),
  preset: z.enum(APP_STORE_PRESETS).default('small'),
  storage: instanceStorageSchema.optional(),
  /** absent: the chart generates one */
  password: instancePasswordSchema.optional(),
  values: instanceValuesSchema.optional(),
  /** test instances only; the environment's default when absent */
  expiresInDays: z
    .number()
    .int('whole days')
    .min(1, 'at least 1 day')
    .max(APP_STORE_MAX_EXPIRY_DAYS, `at most ${APP_STORE_MAX_EXPIRY_DAYS} days`)
    .optional(),
  /** render and check with the apiserver's dry run; install nothing */
  dryRun: z.boolean().optional(),
});

/** An upgrade to another chart version and/or other values. @public */
export const instanceUpgradeSchema = z.object({
  version: chartVersionSchema,
  preset: z.enum(APP_STORE_PRESETS).optional(),
  storage: instanceStorageSchema.optional(),
  values: instanceValuesSchema.optional(),
  dryRun: z.boolean().optional(),
});

/** A rollback to an earlier Helm revision. @public */
export const instanceRollbackSchema = z.object({
  revision: z.number().int().min(1, 'a revision from the history'),
});

/** Extending an instance's expiry, counted from now. @public */
export const instanceExtendSchema = z.object({
  days: z
    .number()
    .int('whole days')
    .min(1, 'at least 1 day')
    .max(
      APP_STORE_MAX_EXPIRY_DAYS,
      `at most ${APP_STORE_MAX_EXPIRY_DAYS} days`,
    ),
});

/** Attaching an instance's connection details to a service's environment. @public */
export const instanceAttachSchema = z.object({
  /** the service's Component, kind:namespace/name */
  service: appStoreOwnerSchema,
  /** the variables' prefix, e.g. REDIS_ gives REDIS_HOST, REDIS_PORT, REDIS_USER, REDIS_PASSWORD */
  prefix: z
    .string()
    .max(40, 'at most 40 characters')
    .regex(
      /^[A-Z][A-Z0-9_]*_$/,
      'upper-case letters, digits and _, ending in _',
    ),
});

/** The phases of an instance's life, from the release's status and its pods. @public */
export const INSTANCE_PHASES = [
  'installing',
  'ready',
  'failed',
  'upgrading',
  'deleting',
  'deleted',
  'expired',
  'unknown',
] as const;

/** One step of an install's progress, as the page shows it. @public */
export const instanceProgressStepSchema = z.object({
  step: z.enum(['helm', 'pods', 'ready']),
  state: z.enum(['waiting', 'running', 'done', 'failed']),
  message: z.string(),
});

/** One pod of an instance. @public */
export const instancePodSchema = z.object({
  name: z.string(),
  phase: z.string(),
  ready: z.boolean(),
  node: z.string().optional(),
  /** the pod runs on a kwok node: Running and Ready are simulated, no process serves */
  simulated: z.boolean(),
  message: z.string().optional(),
});

/** A revision of the instance's Helm release. @public */
export const instanceRevisionSchema = z.object({
  revision: z.number().int(),
  status: z.string(),
  chart: z.string(),
  appVersion: z.string().optional(),
  updated: z.string(),
  description: z.string(),
});

/** How to reach an instance; the password only through reveal. @public */
export const instanceConnectionSchema = z.object({
  host: z.string(),
  port: z.number().int(),
  user: z.string().optional(),
  /** the Secret and key holding the password */
  passwordSecret: z.object({ name: z.string(), key: z.string() }).optional(),
});

/** An instance as lists show it. @public */
export const instanceSummarySchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  name: z.string(),
  repository: z.string(),
  chart: z.string(),
  version: z.string(),
  owner: z.string(),
  environment: z.enum(APP_STORE_ENVIRONMENTS),
  phase: z.enum(INSTANCE_PHASES),
  createdBy: z.string(),
  createdAt: z.string(),
  /** absent for production instances */
  expiresAt: z.string().optional(),
  /** pods ready / pods */
  ready: z.object({ ready: z.number().int(), total: z.number().int() }),
  simulated: z.boolean(),
});

/** One instance in detail. @public */
export const instanceDetailSchema = instanceSummarySchema.extend({
  progress: z.array(instanceProgressStepSchema),
  pods: z.array(instancePodSchema),
  connection: instanceConnectionSchema.optional(),
  history: z.array(instanceRevisionSchema),
  /** a failed install or upgrade: the resource that failed, why, and its events */
  failure: z
    .object({
      resource: z.string().optional(),
      reason: z.string(),
      events: z.array(z.string()),
    })
    .optional(),
  notifiedAt: z.string().optional(),
});

/** A page of instances. @public */
export const instanceListSchema = z.object({
  items: z.array(instanceSummarySchema),
  totalCount: z.number().int(),
  /** clusters that could not be read: their instances' state is unknown, not absent */
  unreachable: z.array(z.object({ cluster: z.string(), error: z.string() })),
});

/** The list's query: filters and a page. @public */
export const instanceListQuerySchema = z.object({
  owner: appStoreOwnerSchema.optional(),
  cluster: appStoreClusterSchema.optional(),
  chart: chartNameSchema.optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** An admin's bulk action on instances. @public */
export const instanceBulkSchema = z.object({
  instances: z
    .array(instanceParamsSchema)
    .min(1, 'choose at least one instance')
    .max(200, 'at most 200 instances at once'),
  /** for extend */
  days: instanceExtendSchema.shape.days.optional(),
});

/** What a bulk action did to each instance. @public */
export const instanceBulkResultSchema = z.object({
  results: z.array(
    z.object({
      cluster: z.string(),
      namespace: z.string(),
      name: z.string(),
      ok: z.boolean(),
      message: z.string(),
    }),
  ),
});

/** A revealed password (audited). @public */
export const instanceRevealSchema = z.object({ password: z.string() });

/** Where the user may install: the placements their entities' bindings cover. @public */
export const installTargetsSchema = z.object({
  items: z.array(
    z.object({
      owner: z.string(),
      cluster: z.string(),
      namespace: z.string(),
    }),
  ),
});

/**
 * The signal channel on which the app store backend announces that an instance's phase changed,
 * and to which its page listens.
 * @public
 */
export function appStoreInstanceChannel(instance: {
  cluster: string;
  namespace: string;
  name: string;
}): string {
  return `app-store:instance:${instance.cluster}/${instance.namespace}/${instance.name}`;
}

/** @public */
export type ChartView = z.infer<typeof chartViewSchema>;
/** @public */
export type ChartList = z.infer<typeof chartListSchema>;
/** @public */
export type ChartDetail = z.infer<typeof chartDetailSchema>;
/** @public */
export type InstanceInstall = z.input<typeof instanceInstallSchema>;
/** @public */
export type InstanceUpgrade = z.input<typeof instanceUpgradeSchema>;
/** @public */
export type InstanceSummary = z.infer<typeof instanceSummarySchema>;
/** @public */
export type InstanceDetail = z.infer<typeof instanceDetailSchema>;
/** @public */
export type InstanceList = z.infer<typeof instanceListSchema>;
/** @public */
export type InstanceBulkResult = z.infer<typeof instanceBulkResultSchema>;
/** @public */
export type InstallTargets = z.infer<typeof installTargetsSchema>;

/** The admin list's query: the list's filters, and live instances expiring within some hours. @public */
export const adminInstanceQuerySchema = instanceListQuerySchema.extend({
  expiringWithinHours: z.coerce
    .number()
    .int('whole hours')
    .min(1, 'at least 1 hour')
    .max(
      24 * APP_STORE_MAX_EXPIRY_DAYS,
      `at most ${24 * APP_STORE_MAX_EXPIRY_DAYS} hours`,
    )
    .optional(),
});

/** CPU and memory of an instance's pods, summed. @public */
export const instanceResourcesSchema = z.object({
  cpuMillis: z.number(),
  memoryBytes: z.number(),
});

/** An instance as the admin view lists it: age, expiry, and resource use. @public */
export const adminInstanceSchema = instanceSummarySchema.extend({
  ageSeconds: z.number().int(),
  notifiedAt: z.string().optional(),
  /** the requests of the release's pods; absent when its cluster could not be read */
  requests: instanceResourcesSchema.optional(),
  /** what the pods use now (the metrics API); absent where the cluster has none */
  usage: instanceResourcesSchema.optional(),
});

/** A page of the admin view. @public */
export const adminInstanceListSchema = z.object({
  items: z.array(adminInstanceSchema),
  totalCount: z.number().int(),
  unreachable: z.array(z.object({ cluster: z.string(), error: z.string() })),
});

/** What attaching an instance to a service set in its environment. @public */
export const instanceAttachResultSchema = z.object({
  service: z.string(),
  cluster: z.string(),
  namespace: z.string(),
  deployment: z.string(),
  container: z.string(),
  /** the variables set, by name (never their values) */
  variables: z.array(z.string()),
  /** where the password is: the Secret and key the service reads it from */
  passwordSecret: z.object({ name: z.string(), key: z.string() }).optional(),
  /** what could not be set, and why */
  notes: z.array(z.string()),
});

/** @public */
export type AdminInstance = z.infer<typeof adminInstanceSchema>;
/** @public */
export type AdminInstanceList = z.infer<typeof adminInstanceListSchema>;
/** @public */
export type InstanceAttachResult = z.infer<typeof instanceAttachResultSchema>;
