/**
 * The config files of a service (the storage backend's `/services/:namespace/:name/config-files`
 * routes): file sets kept as versions in the plugin's database and written as one ConfigMap (or
 * Secret) per set in every cluster the service runs in. Zod schemas of every request and answer;
 * the messages are what a person reads in a 400.
 */
import { z } from 'zod';
import { fileDiffSchema } from './nginxViews';
import { volumeMountPathSchema } from './storageVolumes';

/** The label that names a ConfigMap's (or Secret's) file set. @public */
export const CONFIG_FILES_LABEL = 'container-cloud.io/config-files';

/**
 * The pod-template annotation prefix that records which version of a file set a Deployment's
 * containers were (re)started with: `config-files.container-cloud.io/<set>: <version>:<checksum>`.
 * @public
 */
export const CONFIG_FILES_ANNOTATION_PREFIX =
  'config-files.container-cloud.io/';

/** The most a ConfigMap or Secret holds (keys and values together), as Kubernetes checks it. @public */
export const MAX_CONFIG_FILES_BYTES = 1024 * 1024;

/** The file formats the editor highlights and the backend checks, by file extension. @public */
export const CONFIG_FILE_FORMATS = [
  'yaml',
  'json',
  'properties',
  'xml',
  'ini',
  'toml',
  'text',
] as const;
/** @public */
export type ConfigFileFormat = (typeof CONFIG_FILE_FORMATS)[number];

const EXTENSIONS: Record<string, ConfigFileFormat> = {
  yaml: 'yaml',
  yml: 'yaml',
  json: 'json',
  properties: 'properties',
  xml: 'xml',
  ini: 'ini',
  toml: 'toml',
};

/** A file's format by its extension (`text`, checked for nothing, when none is known). @public */
export function configFileFormat(fileName: string): ConfigFileFormat {
  const dot = fileName.lastIndexOf('.');
  if (dot < 0) return 'text';
  return EXTENSIONS[fileName.slice(dot + 1).toLowerCase()] ?? 'text';
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The largest version number: the database keeps versions as 32-bit integers. */
const MAX_VERSION = 2_147_483_647;
/** a version number in a body */
const versionNumber = z.number().int().min(1).max(MAX_VERSION);
/** a version number in a path or query */
const versionParam = z.coerce.number().int().min(1).max(MAX_VERSION);

/** A file set's name: it labels the ConfigMap and names its volume, so an RFC 1123 label. @public */
export const configFileSetName = z
  .string()
  .min(1, 'name the file set')
  .max(40, 'a file set name is at most 40 characters')
  .regex(
    dnsLabel,
    'a file set name is lower-case letters, digits and dashes, starting and ending with a letter or digit',
  );

/** A file's name, valid as a ConfigMap key (letters, digits, `-`, `_`, `.`). @public */
export const configFileName = z
  .string()
  .min(1, 'name the file')
  .max(253, 'a file name is at most 253 characters')
  .regex(
    /^[-._a-zA-Z0-9]+$/,
    'a file name is letters, digits, dashes, underscores and dots (it becomes a ConfigMap key)',
  )
  .refine(name => name !== '.' && name !== '..', 'a file name is not . or ..');

/** One file of a save: its text, or none to keep the text of the version the save is based on. @public */
export const configFileInputSchema = z
  .object({
    name: configFileName,
    content: z
      .string()
      .optional()
      .describe('the full text; left out: as in the base version (secrets)'),
  })
  .strict();

function uniqueNames(files: { name: string }[]) {
  return new Set(files.map(f => f.name)).size === files.length;
}

const files = z
  .array(configFileInputSchema)
  .min(1, 'a file set has at least one file')
  .max(200, 'a file set has at most 200 files')
  .refine(uniqueNames, 'each file name once');

const message = z
  .string()
  .trim()
  .max(500, 'a message is at most 500 characters');

/** `POST .../config-files`: a new file set, saved as its version 1. @public */
export const configFileSetCreateSchema = z
  .object({
    name: configFileSetName,
    secret: z.boolean().default(false),
    files,
    message: message.default(''),
  })
  .strict();
/** @public */
export type ConfigFileSetCreate = z.input<typeof configFileSetCreateSchema>;

/** `PUT .../config-files/:set`: a new version, based on the one the editor loaded. @public */
export const configFileSaveSchema = z
  .object({
    baseVersion: z
      .number({ error: 'baseVersion is the version the editor loaded' })
      .int()
      .min(1)
      .max(MAX_VERSION),
    files,
    message: message.default(''),
    overwriteClusterEdits: z
      .boolean()
      .default(false)
      .describe(
        'replace ConfigMaps someone edited in a cluster (else such a save is a 409 naming them)',
      ),
  })
  .strict();
/** @public */
export type ConfigFileSave = z.input<typeof configFileSaveSchema>;

/** `POST .../config-files/:set/rollback`: a new version with an old version's text. @public */
export const configFileRollbackSchema = z
  .object({
    version: versionNumber,
    baseVersion: versionNumber,
    message: message.optional(),
    overwriteClusterEdits: z.boolean().default(false),
  })
  .strict();
/** @public */
export type ConfigFileRollback = z.input<typeof configFileRollbackSchema>;

/**
 * A mount path: the volumes' rule (`mountPathProblem`: absolute, not / nor under /proc, /sys,
 * /dev, no . or ..), one rule for every mount of the storage plugin. @public
 */
export const mountPathSchema = volumeMountPathSchema;

/** How a set is mounted: its folder (files updated in place) or each file by subPath. @public */
export const CONFIG_MOUNT_MODES = ['folder', 'files'] as const;

/** `POST .../config-files/:set/mounts`: mount into the service's Deployments in every cluster. @public */
export const configFileMountSchema = z
  .object({
    path: mountPathSchema,
    mode: z.enum(CONFIG_MOUNT_MODES),
    containers: z
      .array(z.string().max(63).regex(dnsLabel, 'a container name'))
      .optional()
      .describe('the containers to mount into; left out: every container'),
  })
  .strict();
/** @public */
export type ConfigFileMount = z.input<typeof configFileMountSchema>;

/** `DELETE .../config-files/:set/mounts?path=`: unmount from every Deployment. @public */
export const configFileUnmountQuerySchema = z
  .object({ path: mountPathSchema })
  .strict();

/** `GET .../config-files/:set/versions`: a page of versions, newest first. @public */
export const configFileVersionsQuerySchema = z
  .object({
    before: versionParam.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

/** `GET .../config-files/:set/diff?from=&to=`. @public */
export const configFileDiffQuerySchema = z
  .object({
    from: versionParam,
    to: versionParam,
  })
  .strict();

/** Path parameters of the routes about one file set. @public */
export const configFileSetParamsSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  set: configFileSetName,
});

/** Path parameters of one version. @public */
export const configFileVersionParamsSchema = configFileSetParamsSchema.extend({
  version: versionParam,
});

// ---- answers

/** A file as every reader sees it: never its text. @public */
export const configFileInfoSchema = z.object({
  name: z.string(),
  format: z.enum(CONFIG_FILE_FORMATS),
  bytes: z.number().int(),
  /** sha256 of the text, hex */
  checksum: z.string(),
});
/** @public */
export type ConfigFileInfo = z.infer<typeof configFileInfoSchema>;

/** A file with its text. @public */
export const configFileSchema = configFileInfoSchema.extend({
  content: z.string(),
});
/** @public */
export type ConfigFile = z.infer<typeof configFileSchema>;

/** One version, without its text (lists page through these). @public */
export const configFileVersionSummarySchema = z.object({
  version: z.number().int(),
  createdBy: z.string(),
  createdAt: z.string(),
  message: z.string(),
  /** sha256 over the files' names and texts */
  checksum: z.string(),
  files: z.array(configFileInfoSchema),
  /** the version whose text this one restored */
  rollbackOf: z.number().int().nullable(),
  /** 'saved' here, or 'cluster' when an existing ConfigMap was adopted as version 1 */
  origin: z.enum(['saved', 'cluster']),
});
/** @public */
export type ConfigFileVersionSummary = z.infer<
  typeof configFileVersionSummarySchema
>;

/** A page of versions, newest first; `nextBefore` fetches the next. @public */
export const configFileVersionPageSchema = z.object({
  items: z.array(configFileVersionSummarySchema),
  nextBefore: z.number().int().nullable(),
  total: z.number().int(),
});
/** @public */
export type ConfigFileVersionPage = z.infer<typeof configFileVersionPageSchema>;

/** One version with its files' text (a secret set's text only by its own route). @public */
export const configFileVersionSchema = configFileVersionSummarySchema.extend({
  files: z.array(
    configFileInfoSchema.extend({ content: z.string().optional() }),
  ),
  secret: z.boolean(),
});
/** @public */
export type ConfigFileVersion = z.infer<typeof configFileVersionSchema>;

/** Where a file set is mounted in one container of one Deployment, and what it runs. @public */
export const configFileMountViewSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  deployment: z.string(),
  container: z.string(),
  path: z.string(),
  mode: z.enum(CONFIG_MOUNT_MODES),
  /**
   * The version the container sees: for a folder mount the ConfigMap's version in that cluster
   * (the kubelet refreshes the files); for a files (subPath) mount the version its pods were
   * started with (the pod template's annotation), null when unknown.
   */
  runningVersion: z.number().int().nullable(),
  current: z.boolean(),
});
/** @public */
export type ConfigFileMountView = z.infer<typeof configFileMountViewSchema>;

/** What one cluster holds of a file set. @public */
export const configFileClusterStateSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  /** the version the ConfigMap (Secret) carries; null when there is none */
  version: z.number().int().nullable(),
  resourceVersion: z.string().nullable(),
  /** the object's text is no longer what the portal wrote: someone edited it in the cluster */
  editedInCluster: z.boolean(),
  /** when the cluster could not be read */
  error: z.string().optional(),
});
/** @public */
export type ConfigFileClusterState = z.infer<
  typeof configFileClusterStateSchema
>;

/** A file set: its current version's files (never their text), clusters and mounts. @public */
export const configFileSetSchema = z.object({
  name: z.string(),
  secret: z.boolean(),
  /** the ConfigMap's (Secret's) name in every cluster */
  objectName: z.string(),
  currentVersion: z.number().int(),
  checksum: z.string(),
  updatedBy: z.string(),
  updatedAt: z.string(),
  files: z.array(configFileInfoSchema),
  clusters: z.array(configFileClusterStateSchema),
  mounts: z.array(configFileMountViewSchema),
});
/** @public */
export type ConfigFileSet = z.infer<typeof configFileSetSchema>;

/** `GET .../config-files`: every file set of the service. @public */
export const configFileSetListSchema = z.object({
  items: z.array(configFileSetSchema),
  /** the (cluster, namespace) pairs the service runs in, where its sets are written */
  targets: z.array(z.object({ cluster: z.string(), namespace: z.string() })),
  /** whether secret sets may be created (an encryption key is configured) */
  secretsEnabled: z.boolean(),
});
/** @public */
export type ConfigFileSetList = z.infer<typeof configFileSetListSchema>;

/** What a save (create, edit, rollback) did, and what the running containers will see. @public */
export const configFileSaveResultSchema = z.object({
  set: configFileSetSchema,
  /** the Deployments with files (subPath) mounts, which keep the old text until restarted */
  restartNeeded: z.array(
    z.object({
      cluster: z.string(),
      namespace: z.string(),
      deployment: z.string(),
    }),
  ),
  /** what the page tells the user about how the new text reaches the containers */
  notes: z.array(z.string()),
});
/** @public */
export type ConfigFileSaveResult = z.infer<typeof configFileSaveResultSchema>;

/** `GET .../config-files/:set/diff`: the files two versions differ in (secrets: no lines). @public */
export const configFileDiffSchema = z.object({
  from: z.number().int(),
  to: z.number().int(),
  files: z.array(fileDiffSchema),
  /** true for a secret set: the changed files are named, their lines are not shown */
  redacted: z.boolean(),
});
/** @public */
export type ConfigFileDiff = z.infer<typeof configFileDiffSchema>;

/** `POST .../config-files/:set/restart` and the mount routes: what each Deployment did. @public */
export const configFileRolloutSchema = z.object({
  set: configFileSetSchema,
  deployments: z.array(
    z.object({
      cluster: z.string(),
      namespace: z.string(),
      deployment: z.string(),
      changed: z.boolean(),
    }),
  ),
});
/** @public */
export type ConfigFileRollout = z.infer<typeof configFileRolloutSchema>;
