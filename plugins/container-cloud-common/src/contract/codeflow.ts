/**
 * The codeflow API (plugins/codeflow-backend, src/definitions): a service's codeflows — how its
 * code is built into an image (a Dockerfile the platform generates from these fields, or a custom
 * one) and which services and clusters are rolled to it. Zod schemas of every request and answer;
 * every message names its field, as a person reads it in a 400.
 *
 * Secrets are never part of a codeflow: the repository's credentials are a REFERENCE (the name of
 * a secret the platform holds, `containerCloud.codeflow.credentials`), and webhook secrets live
 * with the webhooks.
 */
import { z } from 'zod';

/** The largest version number: the database keeps versions as 32-bit integers. */
const MAX_VERSION = 2_147_483_647;

/** The most bytes a custom Dockerfile may have. @public */
export const MAX_CUSTOM_DOCKERFILE_BYTES = 64 * 1024;
/** The most characters of one argument of a command. @public */
export const MAX_ARGUMENT_LENGTH = 16 * 1024;
/** The most characters of one environment variable's value. @public */
export const MAX_ENV_VALUE_LENGTH = 8 * 1024;

/** An environment variable's name, as a shell and a Dockerfile's ENV accept it. @public */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Characters that end a line somewhere (a Dockerfile, a log, a shell): \n, \r, VT, FF, NEL, U+2028/9. */
// eslint-disable-next-line no-control-regex
const LINE_BREAK = /[\n\r\u000b\u000c\u0085\u2028\u2029]/;
// eslint-disable-next-line no-control-regex
const NUL = /\u0000/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

const catalogName = (field: string) =>
  z.string().regex(/^[a-z0-9-_.]+$/i, `${field} is a catalog name`);

/** `/services/:namespace/:name/codeflows`: the service (a catalog Component). @public */
export const codeflowServiceParamsSchema = z.object({
  namespace: catalogName('namespace'),
  name: catalogName('name'),
});

/** A codeflow's id, as the backend makes them: `cf-` and 24 hex digits. @public */
export const CODEFLOW_ID_PATTERN = /^cf-[0-9a-f]{24}$/;

/** `/services/:namespace/:name/codeflows/:id`. @public */
export const codeflowParamsSchema = codeflowServiceParamsSchema.extend({
  id: z
    .string()
    .regex(CODEFLOW_ID_PATTERN, 'id is a codeflow id (cf- and 24 hex digits)'),
});

/**
 * A git repository URL: `https://host/path`, `http://host/path`, `ssh://[git@]host[:port]/path` or
 * scp-like `git@host:path`. No password or token in it (they go in a credentials reference), no
 * spaces or control characters, no option-like start.
 */
function repositoryUrlProblem(url: string): string | undefined {
  if (CONTROL.test(url) || /\s/.test(url)) {
    return 'repositoryUrl has no spaces or control characters';
  }
  // user@host:path, neither user nor host starting with - (ssh would read an option)
  const scp =
    /^([A-Za-z0-9_][A-Za-z0-9._-]*)@([A-Za-z0-9][A-Za-z0-9.-]*):([A-Za-z0-9._~/+-]+)$/.exec(
      url,
    );
  if (scp) {
    if (scp[3].startsWith('-') || scp[3].split('/').includes('..')) {
      return 'the path of repositoryUrl has no .. and does not start with -';
    }
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'repositoryUrl is an http(s) or ssh git URL, e.g. https://git.example.com/team/app.git or git@git.example.com:team/app.git';
  }
  if (!['http:', 'https:', 'ssh:'].includes(parsed.protocol)) {
    return `repositoryUrl is http, https or ssh, not ${parsed.protocol.replace(
      ':',
      '',
    )}`;
  }
  if (!parsed.hostname) return 'repositoryUrl names its host';
  if (parsed.hostname.startsWith('-') || parsed.username.startsWith('-')) {
    return 'repositoryUrl: neither its host nor its user starts with -';
  }
  if (parsed.password || (parsed.protocol !== 'ssh:' && parsed.username)) {
    return 'repositoryUrl holds no user name, password or token: choose a credentials reference instead';
  }
  if (parsed.search || parsed.hash) {
    return 'repositoryUrl has no ?query or #fragment';
  }
  if (parsed.pathname.length <= 1) {
    return 'repositoryUrl names the repository path, e.g. /team/app.git';
  }
  return undefined;
}

/** @public */
export const repositoryUrlSchema = z
  .string({ error: 'repositoryUrl is an http(s) or ssh git URL' })
  .min(1, 'repositoryUrl is an http(s) or ssh git URL')
  .max(2048, 'repositoryUrl is at most 2048 characters')
  .superRefine((url, ctx) => {
    const problem = repositoryUrlProblem(url);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A branch name or tag pattern: git's ref characters and `*` (e.g. main, release/*, v*). */
const refPattern = (field: string) =>
  z
    .string({ error: `${field} is a branch name or pattern` })
    .min(1, `${field} is a branch name or pattern, e.g. main or v*`)
    .max(255, `${field} is at most 255 characters`)
    .regex(
      /^[A-Za-z0-9._/*+-]+$/,
      `${field} is letters, digits and . _ / * + - (a git branch or tag, * for any characters)`,
    )
    .refine(
      p =>
        !p.startsWith('-') &&
        !p.startsWith('/') &&
        !p.endsWith('/') &&
        !p.includes('..') &&
        !p.includes('//') &&
        !p.endsWith('.lock'),
      `${field} is a git ref name (no leading - or /, no .., no // and no trailing / or .lock)`,
    );

/** Which refs a codeflow builds: a branch (or branch pattern), or a tag pattern. @public */
export const codeflowRefSchema = z
  .object(
    {
      kind: z.enum(['branch', 'tag'], { error: 'ref.kind is branch or tag' }),
      pattern: refPattern('ref.pattern'),
    },
    { error: 'ref is {kind: branch or tag, pattern}' },
  )
  .strict();
/** @public */
export type CodeflowRef = z.infer<typeof codeflowRefSchema>;

/** One command as an argv array (the program, then its arguments): never a shell string. */
/** One command as an argv array, its messages naming `field`. @public */
export const codeflowArgvSchema = (field: string) =>
  z
    .array(
      z
        .string({ error: `${field}: each argument is text` })
        .max(
          MAX_ARGUMENT_LENGTH,
          `${field}: an argument is at most ${MAX_ARGUMENT_LENGTH} characters`,
        )
        .refine(
          a => !NUL.test(a),
          `${field}: an argument has no NUL character`,
        ),
      {
        error: `${field} is a command as a list of arguments, e.g. ["npm", "ci"] (for a shell write ["sh", "-c", "..."])`,
      },
    )
    .min(1, `${field} names at least the program to run`)
    .max(256, `${field} has at most 256 arguments`)
    .refine(
      argv =>
        argv.length === 0 ||
        (typeof argv[0] === 'string' &&
          argv[0].length > 0 &&
          !LINE_BREAK.test(argv[0])),
      `${field}: the program is a name or path on one line`,
    );

/** A list of commands, each an argv array, run in order; the first that fails stops the list. */
const commandListSchema = (field: string) =>
  z
    .array(codeflowArgvSchema(`${field} command`), {
      error: `${field} is a list of commands, each a list of arguments, e.g. [["npm", "ci"], ["npm", "run", "build"]]`,
    })
    .max(50, `${field} has at most 50 commands`);

/** A character a path in a Dockerfile may hold (no quotes, $, \, spaces or control characters). */
const PATH_CHARACTERS = /^[A-Za-z0-9._@+=,:~/-]+$/;

/** The artifact: a path relative to the repository's root, without `..`; `*` and `?` match. @public */
export const artifactPathSchema = z
  .string({ error: 'artifactPath is a path in the repository, e.g. dist' })
  .min(
    1,
    'artifactPath is a path in the repository, e.g. dist or target/app.jar',
  )
  .max(1024, 'artifactPath is at most 1024 characters')
  .regex(
    /^[A-Za-z0-9._@+=,:~/*?-]+$/,
    'artifactPath is letters, digits, / and . _ @ + = , : ~ - * ? (no spaces, quotes, $ or \\)',
  )
  .refine(
    p =>
      !p.startsWith('/') &&
      !p.startsWith('-') &&
      !p.split('/').some(s => s === '..' || s === ''),
    'artifactPath is relative to the repository (no leading /, no .., no empty segment)',
  );

/** Where the artifact goes in the image: absolute and normal, not `/`. @public */
export const deployPathSchema = z
  .string({ error: 'deployPath is an absolute path in the image, e.g. /app' })
  .min(2, 'deployPath is an absolute path in the image, e.g. /app')
  .max(1024, 'deployPath is at most 1024 characters')
  .regex(
    PATH_CHARACTERS,
    'deployPath is letters, digits, / and . _ @ + = , : ~ - (no spaces, quotes, $ or \\)',
  )
  .refine(
    p =>
      p.startsWith('/') &&
      !p.endsWith('/') &&
      !p
        .slice(1)
        .split('/')
        .some(s => s === '..' || s === '.' || s === ''),
    'deployPath is absolute and normal (starts with /, no . or .. segment, no // and no trailing /), e.g. /app',
  );

/** One environment variable of the image. @public */
export const codeflowEnvSchema = z
  .object(
    {
      name: z
        .string({ error: 'env name is text' })
        .max(255, 'env name is at most 255 characters')
        .regex(
          ENV_NAME_PATTERN,
          'env name is letters, digits and _, not starting with a digit',
        ),
      value: z
        .string({ error: 'env value is text' })
        .max(
          MAX_ENV_VALUE_LENGTH,
          `env value is at most ${MAX_ENV_VALUE_LENGTH} characters`,
        )
        .refine(
          v => !NUL.test(v) && !LINE_BREAK.test(v),
          'env value is one line without NUL (a Dockerfile ENV cannot hold a line break)',
        ),
    },
    { error: 'env entries are {name, value}' },
  )
  .strict();
/** @public */
export type CodeflowEnv = z.infer<typeof codeflowEnvSchema>;

const environmentName = (field: string) =>
  z
    .string({ error: `${field} is an environment name, e.g. test` })
    .regex(
      /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
      `${field} is an environment name: lower-case letters, digits and -, e.g. test or production`,
    );

/** A Kubernetes name (cluster names are a bit looser, as the binding's placements read them). */
const placementSchema = z
  .object(
    {
      cluster: z
        .string({ error: 'cluster is a cluster name' })
        .regex(
          /^[A-Za-z0-9][-A-Za-z0-9_.]{0,252}$/,
          'cluster is a cluster name, e.g. local-a',
        ),
      namespace: z
        .string({ error: 'namespace is a Kubernetes namespace' })
        .regex(
          /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
          'namespace is a Kubernetes namespace name',
        ),
    },
    { error: 'a placement is {cluster, namespace}' },
  )
  .strict();

/**
 * A service the codeflow rolls to its new image after a successful build, in these placements
 * (each a cluster and namespace the service's binding covers, checked on save), as one
 * environment of the triggers' rules. @public
 */
export const codeflowTargetSchema = z
  .object(
    {
      /** the Component's entity ref, e.g. component:default/payments-api */
      service: z
        .string({ error: 'target service is a Component ref' })
        .regex(
          /^component:[a-z0-9-_.]+\/[a-z0-9-_.]+$/i,
          'target service is a Component ref, e.g. component:default/payments-api',
        ),
      environment: environmentName('target environment'),
      placements: z
        .array(placementSchema, {
          error: 'target placements is a list of {cluster, namespace}',
        })
        .min(1, 'target placements names at least one cluster and namespace')
        .max(50, 'target placements has at most 50 entries'),
    },
    { error: 'a target is {service, environment, placements}' },
  )
  .strict();
/** @public */
export type CodeflowTarget = z.infer<typeof codeflowTargetSchema>;

/** A webhook rule: a push to matching refs runs the codeflow and rolls one environment. @public */
export const codeflowWebhookRuleSchema = z
  .object(
    {
      ref: codeflowRefSchema,
      environment: environmentName('rule environment'),
      /** true: the roll-out waits for an owner's approval after the build */
      approval: z.boolean({ error: 'rule approval is true or false' }),
    },
    { error: 'a rule is {ref, environment, approval}' },
  )
  .strict();
/** @public */
export type CodeflowWebhookRule = z.infer<typeof codeflowWebhookRuleSchema>;

/** How runs start: by the button, and/or by webhooks with branch rules per environment. @public */
export const codeflowTriggersSchema = z
  .object(
    {
      manual: z.boolean({ error: 'triggers.manual is true or false' }),
      webhook: z
        .object(
          {
            enabled: z.boolean({
              error: 'triggers.webhook.enabled is true or false',
            }),
            rules: z
              .array(codeflowWebhookRuleSchema, {
                error: 'triggers.webhook.rules is a list of rules',
              })
              .max(20, 'triggers.webhook.rules has at most 20 rules'),
          },
          { error: 'triggers.webhook is {enabled, rules}' },
        )
        .strict(),
    },
    { error: 'triggers is {manual, webhook: {enabled, rules}}' },
  )
  .strict();
/** @public */
export type CodeflowTriggers = z.infer<typeof codeflowTriggersSchema>;

const definitionFields = {
  name: z
    .string({ error: 'name is the codeflow name' })
    .regex(
      /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
      'name is lower-case letters, digits and -, at most 63, e.g. build-and-deploy',
    ),
  repositoryUrl: repositoryUrlSchema,
  /** the name of a secret the platform holds (containerCloud.codeflow.credentials); null: none */
  credentials: z
    .string({ error: 'credentials is the name of a configured credential' })
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/,
      'credentials is the name of a configured credential (letters, digits, . _ -)',
    )
    .nullable(),
  ref: codeflowRefSchema,
  /** one of the configured build images' ids (GET /build-images) */
  buildImage: z
    .string({ error: 'buildImage is a build image id' })
    .regex(
      /^[a-z0-9][a-z0-9._-]{0,62}$/,
      'buildImage is a build image id, e.g. node-22',
    ),
  buildScript: commandListSchema('buildScript'),
  artifactPath: artifactPathSchema,
  deployPath: deployPathSchema,
  startCommand: codeflowArgvSchema('startCommand'),
  port: z
    .number({ error: 'port is a number' })
    .int('port is a whole number')
    .min(1, 'port is between 1 and 65535')
    .max(65535, 'port is between 1 and 65535'),
  env: z
    .array(codeflowEnvSchema, {
      error: 'env is a list of {name, value}',
    })
    .max(100, 'env has at most 100 variables'),
  /** run once on the runtime base image (e.g. installing Python dependencies); the image is reused while it is unchanged */
  preprocessingScript: commandListSchema('preprocessingScript').optional(),
  /** replaces the generated Dockerfile */
  customDockerfile: z
    .string({ error: 'customDockerfile is text' })
    .min(1, 'customDockerfile is empty: leave it out to use the generated one')
    .refine(
      d => Buffer.byteLength(d, 'utf8') <= MAX_CUSTOM_DOCKERFILE_BYTES,
      `customDockerfile is at most ${MAX_CUSTOM_DOCKERFILE_BYTES / 1024} KiB`,
    )
    .refine(d => !NUL.test(d), 'customDockerfile has no NUL character')
    .optional(),
  targets: z
    .array(codeflowTargetSchema, {
      error: 'targets is a list of services to roll',
    })
    .max(20, 'targets has at most 20 services'),
  triggers: codeflowTriggersSchema,
};

/** Checks across fields: unique env names, rules' environments among the targets'. */
function checkDefinition(
  d: {
    env: CodeflowEnv[];
    targets: CodeflowTarget[];
    triggers: CodeflowTriggers;
  },
  ctx: z.RefinementCtx,
) {
  // the fields' own problems are reported by their schemas: check only what parsed
  if (!Array.isArray(d.env) || !Array.isArray(d.targets)) return;
  const seen = new Set<string>();
  d.env.forEach((e, i) => {
    if (seen.has(e.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['env', i, 'name'],
        message: `env name ${e.name} is given twice`,
      });
    }
    seen.add(e.name);
  });
  const environments = new Set(d.targets.map(t => t?.environment));
  const rules = d.triggers?.webhook?.rules;
  (Array.isArray(rules) ? rules : []).forEach((rule, i) => {
    if (rule && !environments.has(rule.environment)) {
      ctx.addIssue({
        code: 'custom',
        path: ['triggers', 'webhook', 'rules', i, 'environment'],
        message: `rule environment ${
          rule.environment
        } is no target's environment (${
          [...environments].join(', ') || 'there are no targets'
        })`,
      });
    }
  });
  const services = new Set<string>();
  d.targets.forEach((t, i) => {
    if (typeof t?.service !== 'string') return;
    const key = `${t.service.toLocaleLowerCase('en-US')} ${t.environment}`;
    if (services.has(key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['targets', i, 'service'],
        message: `target ${t.service} is given twice for environment ${t.environment}`,
      });
    }
    services.add(key);
  });
}

/** A codeflow's definition: what a create sends. @public */
export const codeflowDefinitionSchema = z
  .object(definitionFields)
  .strict()
  .superRefine(checkDefinition);
/** @public */
export type CodeflowDefinition = z.infer<typeof codeflowDefinitionSchema>;

/** What an edit sends: the whole definition and the version it was made from. @public */
export const codeflowUpdateSchema = z
  .object({
    ...definitionFields,
    version: z
      .number({ error: 'version is the version you edited' })
      .int('version is a whole number')
      .min(1, 'version is the version you edited (1 or more)')
      .max(MAX_VERSION, 'version is too large'),
  })
  .strict()
  .superRefine(checkDefinition);
/** @public */
export type CodeflowUpdate = z.infer<typeof codeflowUpdateSchema>;

/** What a delete sends: the version it was made from (a stale one deletes nothing). @public */
export const codeflowDeleteQuerySchema = z
  .object({
    version: z.coerce
      .number({ error: 'version is the version you saw' })
      .int('version is a whole number')
      .min(1, 'version is the version you saw (1 or more)')
      .max(MAX_VERSION, 'version is too large')
      .optional(),
  })
  .strict();

/** A codeflow as the API answers it (no secret is part of it). @public */
export const codeflowViewSchema = z.object({
  id: z.string(),
  /** the Component it belongs to */
  service: z.string(),
  ...definitionFields,
  version: z.number().int(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedBy: z.string(),
  updatedAt: z.string(),
});
/** @public */
export type CodeflowView = z.infer<typeof codeflowViewSchema>;

/** A service's codeflows. @public */
export const codeflowListSchema = z.object({
  items: z.array(codeflowViewSchema),
});
/** @public */
export type CodeflowList = z.infer<typeof codeflowListSchema>;

/** The Dockerfile(s) a codeflow builds with, as the page shows them. @public */
export const codeflowDockerfileSchema = z.object({
  /** the Dockerfile text */
  dockerfile: z.string(),
  /** true: generated from the fields; false: the codeflow's custom Dockerfile */
  generated: z.boolean(),
  /** the build arguments the generated Dockerfile reads (set per run by the executor) */
  buildArgs: z.array(z.string()),
  /** when the codeflow has a pre-processing script: its image's Dockerfile and key */
  preprocessing: z
    .object({
      dockerfile: z.string(),
      /** sha256 of the base image and the script: the image is reused while it is the same */
      key: z.string(),
    })
    .nullable(),
});
/** @public */
export type CodeflowDockerfile = z.infer<typeof codeflowDockerfileSchema>;

/** A build image a codeflow may choose. @public */
export const buildImageSchema = z.object({
  id: z.string(),
  title: z.string(),
  /** the image the build step runs in */
  image: z.string(),
  /** the runtime base image the artifact is copied into */
  runtimeImage: z.string(),
});
/** @public */
export type BuildImage = z.infer<typeof buildImageSchema>;

/** @public */
export const buildImageListSchema = z.object({
  items: z.array(buildImageSchema),
});

/** A credential a codeflow may reference: its name and what it is for, never its value. @public */
export const codeflowCredentialSchema = z.object({
  name: z.string(),
  description: z.string(),
});

/** @public */
export const codeflowCredentialListSchema = z.object({
  items: z.array(codeflowCredentialSchema),
});
