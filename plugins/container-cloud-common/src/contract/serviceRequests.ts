/**
 * What the services backend accepts: the zod schema of every request body and query, checked by
 * the backend and typed for the frontend through `z.infer`. The messages are the answers a person
 * reads in a 400, so each names the field and what it should be.
 */
import { z } from 'zod';
import { loadedGenerationSchema } from './serviceViews';

/** The most log lines one request may ask for (`tailLines`). @public */
export const MAX_LOG_TAIL_LINES = 5000;

/** The most points one chart asks Prometheus for (Prometheus itself refuses above 11,000). @public */
export const MAX_METRIC_POINTS = 1000;

/** The shells a page may ask for; the command is never free text. @public */
export const SHELLS = ['sh', 'bash'] as const;

// RFC 1123 label (namespaces) and subdomain (Deployment names), as Kubernetes checks them
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dnsSubdomain =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * An image reference as the container runtime accepts it: [registry[:port]/]path[:tag][@digest].
 * Lower-case path components; a tag of up to 128 word characters, dots and dashes.
 */
const hostComponent = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
// as the runtimes read it, the first component is a registry only with a dot, a port or "localhost"
const registry = `(?:localhost(?::[0-9]+)?|${hostComponent}(?:\\.${hostComponent})+(?::[0-9]+)?|${hostComponent}:[0-9]+)`;
const imageReference = new RegExp(
  `^(?:${registry}/)?${pathComponent}(?:/${pathComponent})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`,
);

const target = {
  cluster: z.string().min(1, 'name the cluster'),
  namespace: z
    .string()
    .max(63)
    .regex(dnsLabel, 'a namespace is lower-case letters, digits and dashes'),
  deployment: z
    .string()
    .max(253)
    .regex(
      dnsSubdomain,
      'a Deployment name is lower-case letters, digits, dots and dashes',
    ),
  // every write is conditional: without the version the page loaded, a write could undo a change
  // the person never saw
  resourceVersion: z
    .string()
    .regex(/^[0-9]+$/, 'resourceVersion is the number the page loaded'),
  generation: loadedGenerationSchema,
};

/**
 * Identifies one Deployment of a service in one cluster, at the `resourceVersion` the page loaded
 * (required): a write to a Deployment that changed since is a 409 carrying it as it is now. With
 * the `generation` the page loaded too, a Deployment whose spec is still at that generation (only
 * its status or labels moved) is written, still on the condition of the version read.
 * @public
 */
export const targetSchema = z.object(target).strict();

/** A container's name, as Kubernetes checks it (an RFC 1123 label). @public */
export const containerName = z
  .string()
  .max(63)
  .regex(dnsLabel, 'a container name is lower-case letters, digits and dashes');

/** One container (pod) of the service in one cluster. @public */
export const podTargetSchema = z
  .object({
    cluster: target.cluster,
    namespace: target.namespace,
    pod: z
      .string()
      .max(253)
      .regex(
        dnsSubdomain,
        'a pod name is lower-case letters, digits, dots and dashes',
      ),
  })
  .strict();

/** `POST scale`: the most replicas is the backend's `containerCloud.services.maxReplicas`. @public */
export function scaleSchema(maxReplicas: number) {
  return z
    .object({
      ...target,
      replicas: z
        .number({ error: 'replicas must be a whole number' })
        .int('replicas must be a whole number')
        .min(0, 'replicas cannot be below 0')
        .max(
          maxReplicas,
          `replicas cannot be above ${maxReplicas} (containerCloud.services.maxReplicas)`,
        ),
    })
    .strict();
}

/** @public */
export const upgradeSchema = z
  .object({
    ...target,
    container: containerName,
    image: z
      .string()
      .max(512, 'an image reference is at most 512 characters')
      .regex(
        imageReference,
        'not a valid image reference; expected e.g. registry.example.com/team/app:1.2.3',
      ),
  })
  .strict();

/** @public */
export const rollbackSchema = z
  .object({
    ...target,
    revision: z.number().int().min(1, 'revisions start at 1'),
  })
  .strict();

const quantity = (what: string) =>
  z
    .string()
    .max(32)
    .regex(
      /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/,
      `${what} is a Kubernetes quantity such as 500m, 256Mi or 1Gi`,
    );
const cpuAndMemory = (what: string) =>
  z
    .object({
      cpu: quantity(`${what}.cpu`).optional(),
      memory: quantity(`${what}.memory`).optional(),
    })
    .strict();
const seconds = (what: string, max: number) =>
  z
    .number()
    .int(`${what} is a whole number of seconds`)
    .min(0, `${what} cannot be below 0`)
    .max(max, `${what} is at most ${max}`);
const probe = z
  .object({
    path: z
      .string()
      .max(1024)
      .regex(
        /^\/[\x21-\x7e]*$/,
        'a probe path starts with / and has no spaces',
      ),
    port: z
      .number()
      .int('a probe port is a whole number')
      .min(1, 'a probe port is 1 to 65535')
      .max(65535, 'a probe port is 1 to 65535'),
    initialDelaySeconds: seconds('initialDelaySeconds', 3600).optional(),
    periodSeconds: seconds('periodSeconds', 3600).min(1).optional(),
    timeoutSeconds: seconds('timeoutSeconds', 3600).min(1).optional(),
    failureThreshold: z.number().int().min(1).max(100).optional(),
  })
  .strict();
const surge = z.union([
  z.number().int().min(0),
  z
    .string()
    .regex(
      /^(100|[1-9]?[0-9])%$/,
      'maxSurge and maxUnavailable are a count or a percentage such as 25%',
    ),
]);

/**
 * The marks the app store puts on the Secrets of the releases it installs (the charts' Secret
 * holding the generated password), beside the annotation Helm puts on every object of a release:
 * the services backend lets a service reference a Secret in its configuration
 * (`valueFrom.secretKeyRef`) only when the Secret carries them, the owner naming the service or a
 * group that owns it, and the instance being the Helm release, in the cluster and namespace, where
 * the Secret is.
 * @public
 */
export const APP_STORE_SECRET_MARKS = {
  /** annotation: the catalog entity owning the instance (`component:default/x`, `group:default/y`) */
  ownerAnnotation: 'container-cloud.io/app-store-owner',
  /** annotation: the instance, `<cluster>/<namespace>/<release name>` */
  instanceAnnotation: 'container-cloud.io/app-store-instance',
  /** annotation Helm puts on every object of a release: the release's name */
  helmReleaseAnnotation: 'meta.helm.sh/release-name',
} as const;

const envName = z
  .string()
  .max(253)
  .regex(
    /^[A-Za-z_][A-Za-z0-9_.-]*$/,
    'an env var name starts with a letter or _ and has letters, digits, _, . or -',
  );

/** A variable read from a key of a Secret of the Deployment's namespace. */
const secretKeyRef = z
  .object({
    name: z
      .string()
      .max(253)
      .regex(
        dnsSubdomain,
        'a Secret name is lower-case letters, digits, dots and dashes',
      ),
    key: z
      .string()
      .max(253)
      .regex(
        /^[-._a-zA-Z0-9]+$/,
        'a Secret key is letters, digits, -, _ and .',
      ),
  })
  .strict();

/**
 * One env var of the config editor: a plain `value`, or `valueFrom.secretKeyRef` (only a Secret
 * the app store made for the service's owner: see APP_STORE_SECRET_MARKS).
 * @public
 */
export const configEnvVarSchema = z
  .object({
    name: envName,
    value: z.string().max(32768).optional(),
    valueFrom: z.object({ secretKeyRef }).strict().optional(),
  })
  .strict()
  .refine(
    e => (e.value === undefined) !== (e.valueFrom === undefined),
    'an env var has either a value or valueFrom.secretKeyRef, not both and not neither',
  );
/** @public */
export type ConfigEnvVar = z.infer<typeof configEnvVarSchema>;

/** The config editor's body: what it names is replaced, what it leaves out stays. @public */
export const configSchema = z
  .object({
    ...target,
    container: containerName,
    env: z
      .array(configEnvVarSchema)
      .max(200)
      .refine(
        list => new Set(list.map(e => e.name)).size === list.length,
        'env var names must be unique',
      )
      .optional(),
    resources: z
      .object({
        requests: cpuAndMemory('requests').optional(),
        limits: cpuAndMemory('limits').optional(),
      })
      .strict()
      .optional(),
    livenessProbe: probe.nullable().optional(),
    readinessProbe: probe.nullable().optional(),
    terminationGracePeriodSeconds: seconds(
      'terminationGracePeriodSeconds',
      3600,
    ).optional(),
    rollingUpdate: z
      .object({ maxSurge: surge, maxUnavailable: surge })
      .strict()
      .optional(),
  })
  .strict();

/**
 * "Sync to production": the target Deployment takes the source's images and configuration, as
 * the page showed them (`from.resourceVersion`; a source changed since is a 409).
 * @public
 */
export const syncSchema = z
  .object({
    ...target,
    from: z
      .object({
        cluster: target.cluster,
        namespace: target.namespace,
        deployment: target.deployment,
        resourceVersion: target.resourceVersion,
        generation: target.generation,
      })
      .strict(),
  })
  .strict();

/** A debug container for one container of one pod, from one of the configured images only. @public */
export function debugSchema(images: string[]) {
  return podTargetSchema
    .extend({
      container: containerName,
      image: z
        .string()
        .refine(
          image => images.includes(image),
          `a debug container runs one of the configured tools images: ${images.join(
            ', ',
          )}`,
        ),
    })
    .strict();
}

/**
 * The clusters of an every-cluster request (`targets`); the operation's other fields are shared
 * by every cluster. @public
 */
export const everyClusterTargetsSchema = z
  .array(
    z.object({
      cluster: z.string().min(1, 'name the cluster'),
      namespace: z.string(),
      deployment: z.string(),
      // required, and checked per cluster by the operation's own schema, so its 400 names the cluster
      resourceVersion: z
        .string()
        .optional()
        .describe('the version the page loaded in this cluster (required)'),
      generation: z
        .number()
        .optional()
        .describe(
          'the spec generation the page loaded in this cluster: a change of the status alone is then no conflict',
        ),
    }),
  )
  .min(1, 'name at least one cluster')
  .max(50, 'at most 50 clusters at once')
  .refine(
    targets => new Set(targets.map(t => t.cluster)).size === targets.length,
    'each cluster at most once',
  );

/** `POST every-cluster/:operation`: the operation's fields without a target, and the targets. @public */
export const everyClusterBodySchema = z
  .object({ targets: everyClusterTargetsSchema })
  .catchall(z.unknown());

/** `?cluster=&state=running|ended&limit=&offset=` of the history route. @public */
export const historyQuerySchema = z
  .object({
    cluster: z.string().min(1).optional(),
    state: z
      .enum(['running', 'ended'], { error: 'state is running or ended' })
      .optional(),
    limit: z.coerce
      .number()
      .int()
      .min(1, 'limit is 1 to 500')
      .max(500, 'limit is 1 to 500')
      .default(50),
    offset: z.coerce
      .number()
      .int()
      .min(0, 'offset cannot be below 0')
      .default(0),
  })
  .strict();

/** The most containers one page of the service view holds, per cluster. @public */
export const MAX_VIEW_PODS = 500;
/** The containers a page of the service view holds per cluster when the query names no limit. @public */
export const DEFAULT_VIEW_PODS = 50;

/**
 * `?cluster=&podsOffset=&podsLimit=` of the service view: a page of each cluster's containers
 * (sorted by name), or of one cluster's only. Counts and health stay whole.
 * @public
 */
export const serviceViewQuerySchema = z
  .object({
    /** only this cluster's view */
    cluster: z.string().min(1).optional(),
    podsOffset: z.coerce
      .number()
      .int('podsOffset is a whole number')
      .min(0, 'podsOffset cannot be below 0')
      .default(0),
    podsLimit: z.coerce
      .number()
      .int('podsLimit is a whole number')
      .min(1, `podsLimit is 1 to ${MAX_VIEW_PODS}`)
      .max(MAX_VIEW_PODS, `podsLimit is 1 to ${MAX_VIEW_PODS}`)
      .default(DEFAULT_VIEW_PODS),
  })
  .strict();
/** @public */
export type ServiceViewQuery = z.input<typeof serviceViewQuerySchema>;

/** A query-string flag: `true` or `false`. */
function flag(name: string) {
  return z
    .enum(['true', 'false'], { error: `${name} is true or false` })
    .transform(value => value === 'true');
}

/** `?cluster=&namespace=&pod=&container=&tailLines=&previous=&timestamps=` of the log routes. @public */
export const logQuerySchema = z
  .object({
    ...podTargetSchema.shape,
    container: containerName.optional(),
    tailLines: z.coerce
      .number({
        error: `tailLines is a whole number from 1 to ${MAX_LOG_TAIL_LINES}`,
      })
      .int(`tailLines is a whole number from 1 to ${MAX_LOG_TAIL_LINES}`)
      .min(1, `tailLines is a whole number from 1 to ${MAX_LOG_TAIL_LINES}`)
      .max(
        MAX_LOG_TAIL_LINES,
        `tailLines is a whole number from 1 to ${MAX_LOG_TAIL_LINES}`,
      )
      .default(500),
    previous: flag('previous').default(false),
    timestamps: flag('timestamps').default(false),
    download: flag('download').default(false),
  })
  .strict();

/** `?owner=mine|all&limit=&offset=` of the Services page. @public */
export const serviceListQuerySchema = z
  .object({
    owner: z
      .enum(['mine', 'all'], { error: 'owner is mine or all' })
      .default('all'),
    limit: z.coerce
      .number({ error: 'limit is 1 to 100' })
      .int('limit is 1 to 100')
      .min(1, 'limit is 1 to 100')
      .max(100, 'limit is 1 to 100')
      .default(20),
    offset: z.coerce
      .number({ error: 'offset is a whole number from 0' })
      .int('offset is a whole number from 0')
      .min(0, 'offset is a whole number from 0')
      .default(0),
  })
  .strict();

/** `?cluster=&namespace=&pod=&container=&minutes=&step=` of the metrics route. @public */
export const metricsQuerySchema = z
  .object({
    ...podTargetSchema.shape,
    container: containerName.optional(),
    minutes: z.coerce
      .number({ error: 'minutes is a whole number from 5 to 10080 (7 days)' })
      .int('minutes is a whole number from 5 to 10080 (7 days)')
      .min(5, 'minutes is a whole number from 5 to 10080 (7 days)')
      .max(10080, 'minutes is a whole number from 5 to 10080 (7 days)')
      .default(60),
    step: z.coerce
      .number({ error: 'step is a whole number of seconds from 5 to 3600' })
      .int('step is a whole number of seconds from 5 to 3600')
      .min(5, 'step is a whole number of seconds from 5 to 3600')
      .max(3600, 'step is a whole number of seconds from 5 to 3600')
      .optional(),
  })
  .strict()
  .transform(q => ({
    ...q,
    // about 240 points unless the caller chose
    step: q.step ?? Math.max(5, Math.ceil((q.minutes * 60) / 240)),
  }))
  .refine(q => (q.minutes * 60) / q.step <= MAX_METRIC_POINTS, {
    message: `at most ${MAX_METRIC_POINTS} points per chart: choose a larger step or a shorter range`,
  });

/** `?cluster=&namespace=&pod=` or `?cluster=&namespace=&deployment=` of the events route. @public */
export const eventsQuerySchema = z
  .object({
    cluster: target.cluster,
    namespace: target.namespace,
    pod: podTargetSchema.shape.pod.optional(),
    deployment: target.deployment.optional(),
  })
  .strict()
  .refine(q => Boolean(q.pod) !== Boolean(q.deployment), {
    message: 'name either a pod or a deployment',
  });

/** `?image=` of the image-tags route. @public */
export const imageTagsQuerySchema = z
  .object({
    image: z
      .string()
      .min(1, 'name the image')
      .max(512, 'an image reference is at most 512 characters')
      .regex(
        /^[A-Za-z0-9._:/@-]+$/,
        'an image reference has no spaces or symbols',
      ),
  })
  .strict();

/**
 * Whether `filePath` lies under `folder`, on whole path segments: `/var/log` and `/var/log/`
 * hold `/var/log/app.log`, not `/var/logs-x/app.log` nor `/var/log` itself.
 * @public
 */
export function isInFolder(filePath: string, folder: string): boolean {
  return filePath.startsWith(`${folder.replace(/\/+$/, '')}/`);
}

/** An absolute, normalised path of plain characters: nothing the shell or `cat` could read as more. @public */
export function filePathSchema(allowedPaths: string[]) {
  return z
    .string()
    .max(1024, 'a file path is at most 1024 characters')
    .regex(
      /^\/[A-Za-z0-9._/-]*$/,
      "a file path starts with '/' and holds only letters, digits and . _ / -",
    )
    .refine(
      // as path.posix.normalize leaves it: no empty, `.` or `..` segment
      p =>
        p
          .split('/')
          .slice(1)
          .every(part => part !== '' && part !== '.' && part !== '..'),
      'a file path names a file, without . or .. parts or doubled slashes',
    )
    .refine(
      p => allowedPaths.some(folder => isInFolder(p, folder)),
      `files may be downloaded from ${allowedPaths.join(', ')} only`,
    );
}

/** `?cluster=&namespace=&pod=&container=&path=` of the file download. @public */
export function containerFileQuerySchema(allowedPaths: string[]) {
  return podTargetSchema
    .extend({
      container: containerName,
      path: filePathSchema(allowedPaths),
    })
    .strict();
}

const terminalSize = {
  columns: z.number().int().min(10).max(500),
  rows: z.number().int().min(2).max(300),
};

/** `POST shells`: which container, which shell, the terminal's size. @public */
export const openShellSchema = podTargetSchema
  .extend({
    container: containerName,
    shell: z.enum(SHELLS, { error: `shell is one of ${SHELLS.join(', ')}` }),
    ...terminalSize,
  })
  .strict();

/** `POST shells/:id/input`: keystrokes. @public */
export const shellInputSchema = z
  .object({
    data: z
      .string()
      .min(1, 'send at least one character')
      .max(16 * 1024, 'send at most 16 KiB at once'),
  })
  .strict();

/** `POST shells/:id/resize`. @public */
export const shellResizeSchema = z.object(terminalSize).strict();

/** A shell's id, in the path of its routes. @public */
export const shellIdSchema = z.string().uuid('a shell id is a UUID');

/** `?offset=` of a shell's output: the byte to read on from. @public */
export const shellOutputQuerySchema = z
  .object({ offset: z.coerce.number().int().min(0).default(0) })
  .strict();

/** Identifies one Deployment of a service in one cluster. @public */
export type DeploymentTarget = z.infer<typeof targetSchema>;
/** @public */
export type ScaleRequest = z.infer<ReturnType<typeof scaleSchema>>;
/** @public */
export type UpgradeRequest = z.infer<typeof upgradeSchema>;
/** @public */
export type RollbackRequest = z.infer<typeof rollbackSchema>;
/** @public */
export type ConfigRequest = z.infer<typeof configSchema>;
/** @public */
export type SyncRequest = z.infer<typeof syncSchema>;
/** @public */
export type PodRequest = z.infer<typeof podTargetSchema>;
/** @public */
export type DebugRequest = z.infer<ReturnType<typeof debugSchema>>;
/** @public */
export type OpenShellRequest = z.infer<typeof openShellSchema>;
