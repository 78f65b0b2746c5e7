/**
 * The wire contract of a service's volumes (the storage backend's `volumes` routes): the zod
 * schema of every request and answer, checked by the backend and typed for the frontend through
 * `z.infer`. The messages are what a person reads in a 400, so each names the field.
 */
import { z } from 'zod';
import { parseQuantity } from '../quantity';
import {
  deploymentViewSchema,
  errorBodySchema,
  loadedGenerationSchema,
} from './serviceViews';

/** The access modes a volume may be created with, as Kubernetes names them. @public */
export const VOLUME_ACCESS_MODES = [
  'ReadWriteOnce',
  'ReadOnlyMany',
  'ReadWriteMany',
  'ReadWriteOncePod',
] as const;

/** The largest volume one request may ask for (1 PiB). @public */
export const MAX_VOLUME_BYTES = 2 ** 50;

/** Folders a volume may never be mounted at or under. @public */
export const FORBIDDEN_MOUNT_ROOTS = ['/proc', '/sys', '/dev'] as const;

// a size as a person writes it: a non-negative number and a byte unit (no bare bytes, no exponent)
const SIZE = /^[0-9]+(?:\.[0-9]+)?(?:Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)$/;

/**
 * The bytes of a Kubernetes storage quantity with its unit ("10Gi", "500M"); undefined for
 * anything else (a bare number of bytes included: a size needs its unit).
 * @public
 */
export function quantityBytes(quantity: string): number | undefined {
  if (!SIZE.test(quantity.trim())) return undefined;
  return Math.round(parseQuantity(quantity)!);
}

/**
 * The bytes of any quantity Kubernetes reports (a capacity may come without a unit, or with
 * an exponent); undefined when it does not parse.
 * @public
 */
export function reportedQuantityBytes(quantity: string): number | undefined {
  return quantityBytes(quantity) ?? parseQuantity(quantity);
}

// an RFC 1123 label, as Kubernetes checks claim names
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A volume's name: the PersistentVolumeClaim's, the same in every cluster. @public */
export const volumeNameSchema = z
  .string()
  .min(1, 'give the volume a name')
  .max(
    53,
    'at most 53 characters (the PersistentVolume of a static export adds a prefix)',
  )
  .regex(
    dnsLabel,
    'lower-case letters, digits and dashes, starting and ending with a letter or digit',
  );

/** A size with its unit, e.g. "10Gi". @public */
export const volumeSizeSchema = z.string().superRefine((value, ctx) => {
  const bytes = quantityBytes(value);
  if (bytes === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `'${value}' is no size with a unit; write e.g. 512Mi, 10Gi or 1Ti`,
    });
  } else if (bytes < 2 ** 20) {
    ctx.addIssue({ code: 'custom', message: 'at least 1Mi' });
  } else if (bytes > MAX_VOLUME_BYTES) {
    ctx.addIssue({ code: 'custom', message: 'at most 1Pi' });
  }
});

/**
 * Why a mount path is refused, in words; undefined when it is fine. Absolute, no `..` or `.`
 * segment, not `/`, and not at or under `/proc`, `/sys` or `/dev`.
 * @public
 */
export function mountPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'must be absolute (start with /)';
  if (path.length > 1024) return 'at most 1024 characters';
  if (/[\0\n\r]/.test(path)) return 'no control characters';
  const segments = path.split('/').slice(1);
  if (segments.some(s => s === '..' || s === '.')) {
    return 'no . or .. segments';
  }
  const normal = `/${segments.filter(Boolean).join('/')}`;
  if (normal === '/') return 'not the root folder /';
  for (const root of FORBIDDEN_MOUNT_ROOTS) {
    if (normal === root || normal.startsWith(`${root}/`)) {
      return `not at or under ${root}`;
    }
  }
  return undefined;
}

/** A path as Kubernetes compares mounts: no doubled or trailing slashes. @public */
export function normalMountPath(path: string): string {
  return `/${path.split('/').filter(Boolean).join('/')}`;
}

/** A mount path inside the container. @public */
export const volumeMountPathSchema = z.string().superRefine((value, ctx) => {
  const problem = mountPathProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `${problem}` });
});

/** A sub-path inside the volume: relative, no `..`. @public */
export const subPathSchema = z
  .string()
  .max(1024, 'at most 1024 characters')
  .refine(
    value =>
      value !== '' &&
      !value.startsWith('/') &&
      !value.split('/').some(s => s === '..'),
    'a relative path inside the volume, without ..',
  );

/** `POST /services/:namespace/:name/volumes` @public */
export const volumeCreateSchema = z
  .object({
    name: volumeNameSchema,
    type: z.string().min(1, 'choose a storage type'),
    size: volumeSizeSchema,
    accessMode: z.enum(VOLUME_ACCESS_MODES, {
      error: `one of ${VOLUME_ACCESS_MODES.join(', ')}`,
    }),
  })
  .strict();
/** @public */
export type VolumeCreateRequest = z.infer<typeof volumeCreateSchema>;

/**
 * One Deployment's version the page loaded: a mount on a newer one is a 409, unless the page also
 * sends the spec `generation` it loaded and the Deployment is still at it (only its status or
 * labels moved). @public
 */
export const expectedDeploymentSchema = z
  .object({
    cluster: z.string().min(1),
    namespace: z.string().min(1),
    deployment: z.string().min(1),
    resourceVersion: z
      .string()
      .regex(/^[0-9]+$/, 'resourceVersion is the number the page loaded'),
    generation: loadedGenerationSchema,
  })
  .strict();
/** @public */
export type ExpectedDeployment = z.infer<typeof expectedDeploymentSchema>;

/** `POST .../volumes/:volume/mount` @public */
export const volumeMountSchema = z
  .object({
    path: volumeMountPathSchema,
    subPath: subPathSchema.optional(),
    readOnly: z.boolean().optional(),
    /** the containers to mount into; default every container of the Deployment */
    containers: z.array(z.string().min(1)).min(1).optional(),
    /** the Deployments as the page loaded them (a newer one is a 409) */
    expected: z.array(expectedDeploymentSchema).optional(),
  })
  .strict();
/** @public */
export type VolumeMountRequest = z.infer<typeof volumeMountSchema>;

/** `POST .../volumes/:volume/unmount` @public */
export const volumeUnmountSchema = z
  .object({ expected: z.array(expectedDeploymentSchema).optional() })
  .strict();
/** @public */
export type VolumeUnmountRequest = z.infer<typeof volumeUnmountSchema>;

/** `POST .../volumes/:volume/resize` @public */
export const volumeResizeSchema = z.object({ size: volumeSizeSchema }).strict();
/** @public */
export type VolumeResizeRequest = z.infer<typeof volumeResizeSchema>;

/** The path parameters of one volume of a service. @public */
export const volumeParamsSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  volume: volumeNameSchema,
});

/** Where one container of one Deployment mounts a pod volume. @public */
export const volumeMountViewSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  /** the workload's name (a Deployment's unless `kind` says otherwise) */
  deployment: z.string(),
  /** absent: a Deployment */
  kind: z
    .enum(['StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'])
    .optional(),
  container: z.string(),
  path: z.string(),
  subPath: z.string().optional(),
  readOnly: z.boolean(),
});
/** @public */
export type VolumeMountView = z.infer<typeof volumeMountViewSchema>;

/** One volume (claim) in one cluster. @public */
export const volumeClaimViewSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  phase: z.enum(['Pending', 'Bound', 'Lost', 'Unknown']),
  /** why it is not Bound, from its newest event */
  reason: z.string().optional(),
  requested: z.string(),
  /** what it holds once Bound */
  capacity: z.string().optional(),
  capacityBytes: z.number().optional(),
  /** from Prometheus (`kubelet_volume_stats_used_bytes`); null when nothing reports it */
  usedBytes: z.number().nullable(),
  accessModes: z.array(z.string()),
  storageClass: z.string().optional(),
  persistentVolume: z.string().optional(),
  /** what happens to the data when the volume is deleted */
  reclaimPolicy: z.string().optional(),
  resizing: z.boolean(),
  createdAt: z.string().optional(),
});
/** @public */
export type VolumeClaimView = z.infer<typeof volumeClaimViewSchema>;

/** A volume of a service: its claim in every cluster, and who mounts it. @public */
export const volumeViewSchema = z.object({
  name: z.string(),
  type: z.string().optional(),
  claims: z.array(volumeClaimViewSchema),
  mounts: z.array(volumeMountViewSchema),
  /** whether its type allows growing it */
  expandable: z.boolean(),
});
/** @public */
export type VolumeView = z.infer<typeof volumeViewSchema>;

/** A storage type one cluster offers. @public */
export const storageTypeViewSchema = z.object({
  name: z.string(),
  title: z.string(),
  kind: z.enum(['storageClass', 'nfs']),
  clusters: z.array(z.string()),
  expandable: z.boolean(),
  accessModes: z.array(z.string()),
  reclaimPolicy: z.string(),
});
/** @public */
export type StorageTypeView = z.infer<typeof storageTypeViewSchema>;

/** A Deployment of the service, with every mount its containers have (any volume). @public */
export const serviceDeploymentMountsSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  deployment: z.string(),
  resourceVersion: z.string(),
  /** the spec's generation: sent back with a mount, a status-only change since is no conflict */
  generation: z.number().optional(),
  containers: z.array(z.string()),
  mounts: z.array(volumeMountViewSchema.extend({ volume: z.string() })),
});
/** @public */
export type ServiceDeploymentMounts = z.infer<
  typeof serviceDeploymentMountsSchema
>;

/** `GET /services/:namespace/:name/volumes` @public */
export const volumeListSchema = z.object({
  items: z.array(volumeViewSchema),
  /** the storage types offered in every cluster the service runs in */
  types: z.array(storageTypeViewSchema),
  deployments: z.array(serviceDeploymentMountsSchema),
  /** clusters that could not be read, in words */
  errors: z.array(z.object({ cluster: z.string(), message: z.string() })),
});
/** @public */
export type VolumeList = z.infer<typeof volumeListSchema>;

/** What one step of a change did in one cluster. @public */
export const volumeClusterOutcomeSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  /** the Deployment, for a mount or unmount; absent for the claim itself */
  deployment: z.string().optional(),
  state: z.enum([
    'created',
    'mounted',
    'unmounted',
    'resized',
    'deleted',
    'unchanged',
    'rolled-back',
    'failed',
    'not-attempted',
    'left-applied',
  ]),
  error: errorBodySchema.optional(),
  /** the Deployment as it is now, when a write lost to a newer change */
  current: deploymentViewSchema.optional(),
});
/** @public */
export type VolumeClusterOutcome = z.infer<typeof volumeClusterOutcomeSchema>;

/** The answer of a change: 200 when it holds everywhere, 207 when a cluster was left half-way. @public */
export const volumeChangeResultSchema = z.object({
  ok: z.boolean(),
  volume: volumeViewSchema.optional(),
  outcomes: z.array(volumeClusterOutcomeSchema),
  /** one line for the page */
  message: z.string(),
});
/** @public */
export type VolumeChangeResult = z.infer<typeof volumeChangeResultSchema>;

/** `DELETE .../volumes/:volume`: what was deleted, and what became of the data. @public */
export const volumeDeleteResultSchema = volumeChangeResultSchema.extend({
  reclaimPolicy: z.array(
    z.object({ cluster: z.string(), policy: z.string(), meaning: z.string() }),
  ),
});
/** @public */
export type VolumeDeleteResult = z.infer<typeof volumeDeleteResultSchema>;

/** One volume in the admin list. @public */
export const adminVolumeSchema = volumeClaimViewSchema.extend({
  name: z.string(),
  kubernetesId: z.string().optional(),
  /** the catalog entity claiming its kubernetes id; absent when none does */
  owner: z.string().optional(),
  mountedBy: z.array(z.string()),
  /** since when nothing mounts it (its unmount, else its creation) */
  unmountedSince: z.string().optional(),
  orphan: z.boolean(),
  orphanReason: z.string().optional(),
});
/** @public */
export type AdminVolume = z.infer<typeof adminVolumeSchema>;

/** `GET /admin/volumes` @public */
export const adminVolumeListSchema = z.object({
  items: z.array(adminVolumeSchema),
  orphanAfterDays: z.number(),
  types: z.array(storageTypeViewSchema),
  errors: z.array(z.object({ cluster: z.string(), message: z.string() })),
});
/** @public */
export type AdminVolumeList = z.infer<typeof adminVolumeListSchema>;
