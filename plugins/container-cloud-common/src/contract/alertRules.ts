/**
 * The alert rules API (plugins/alerts-backend, src/rules): a service's rules, their versions,
 * and their delivery to each Prometheus.
 *
 * Every field a person types is checked here, so the page and the backend refuse the same input
 * with the same words: label names by Prometheus' grammar, label values without quotes, braces,
 * backslashes or control characters, durations by Prometheus' duration grammar, thresholds as
 * finite numbers. The backend still escapes whatever reaches PromQL or a rule file.
 */
import { z } from 'zod';
import { fileDiffSchema } from './nginxViews';

/**
 * The metrics a rule may watch, each one PromQL template in the backend's catalogue
 * (alerts-backend `src/rules/metricCatalogue.ts`); `promql` is the advanced mode (ops admins).
 * @public
 */
export const ALERT_RULE_METRICS = [
  'cpu_cores',
  'cpu_limit_percent',
  'memory_bytes',
  'memory_limit_percent',
  'network_receive_bytes',
  'network_transmit_bytes',
  'restarts',
  'not_ready',
  'crash_looping',
  'pending',
  'http_5xx_rate',
  'http_latency_p95',
  'log_pattern_rate',
  'promql',
] as const;
/** @public */
export type AlertRuleMetric = (typeof ALERT_RULE_METRICS)[number];

/** @public */
export const ALERT_SEVERITIES = ['critical', 'warning', 'info'] as const;
/** @public */
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** @public */
export const ALERT_COMPARISONS = ['>', '>=', '<', '<=', '==', '!='] as const;

/**
 * The labels the rules put on every alert themselves (and the ones from the series that tell
 * where it fires); a rule's own labels may not use them.
 * @public
 */
export const RESERVED_ALERT_LABELS = [
  'cc_entity',
  'cc_rule',
  'cc_receivers',
  'cc_cluster',
  'severity',
  'alertname',
  'container',
  'pod',
  'namespace',
  'cluster',
  'job',
  'instance',
] as const;

/** Prometheus' duration grammar (`model.ParseDuration`): units in order, each at most once. */
const DURATION =
  /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [
  365 * 24 * 3600_000,
  7 * 24 * 3600_000,
  24 * 3600_000,
  3600_000,
  60_000,
  1000,
  1,
];

/**
 * The milliseconds of a Prometheus duration (`1h30m`, `5m`, `0s`), or undefined when Prometheus
 * would refuse it.
 * @public
 */
export function parsePromDuration(text: string): number | undefined {
  if (text === '' || text.length > 32) return undefined;
  const match = DURATION.exec(text);
  if (!match) return undefined;
  let ms = 0;
  for (let i = 1; i < match.length; i++) {
    if (match[i] !== undefined) ms += Number(match[i]) * UNIT_MS[i - 1];
  }
  return Number.isSafeInteger(ms) ? ms : undefined;
}

const MAX_DURATION_MS = 30 * 24 * 3600_000;

function duration(what: string, min: number) {
  return z
    .string()
    .refine(
      text => parsePromDuration(text) !== undefined,
      `${what} is a Prometheus duration such as 30s, 5m or 1h30m (units y w d h m s ms, largest first)`,
    )
    .refine(text => {
      const ms = parsePromDuration(text);
      return ms === undefined || (ms >= min && ms <= MAX_DURATION_MS);
    }, `${what} is between ${min === 0 ? '0s' : `${min / 1000}s`} and 30d`);
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Text a person reads (a name, a summary): no control characters, no template braces. */
function plainText(what: string, max: number) {
  return z
    .string()
    .max(max, `${what} is at most ${max} characters`)
    .refine(
      text => !CONTROL.test(text),
      `${what} may not hold newlines or control characters`,
    )
    .refine(
      text => !text.includes('{{') && !text.includes('}}'),
      `${what} may not hold {{ or }} (Prometheus would read a template)`,
    );
}

/** A label name by Prometheus' grammar, not reserved to Prometheus or to the suite. @public */
export const alertLabelNameSchema = z
  .string()
  .regex(
    /^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/,
    'a label name is letters, digits and _, not starting with a digit (at most 63)',
  )
  .refine(name => !name.startsWith('__'), 'names starting __ are Prometheus’')
  .refine(
    name => !(RESERVED_ALERT_LABELS as readonly string[]).includes(name),
    `the rules set this label themselves (${RESERVED_ALERT_LABELS.join(', ')})`,
  );

/** A label value: plain text without quotes, braces, backslashes or control characters. @public */
export const alertLabelValueSchema = z
  .string()
  .min(1, 'a label value is not empty')
  .max(200, 'a label value is at most 200 characters')
  .refine(
    value => !/["'`{}\\]/.test(value),
    'a label value may not hold quotes, braces or backslashes',
  )
  .refine(
    value => !CONTROL.test(value),
    'a label value may not hold newlines or control characters',
  );

/** A receiver's name (managed by ops on the receivers page). @public */
export const alertReceiverNameSchema = z
  .string()
  .regex(
    /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/,
    'a receiver name is letters, digits, _ . and - (at most 63)',
  );

const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const dnsSubdomain =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What a person sets on one rule. @public */
export const alertRuleInputSchema = z
  .object({
    name: plainText('the name', 80).pipe(
      z.string().trim().min(1, 'the name is required'),
    ),
    metric: z.enum(ALERT_RULE_METRICS, {
      error: `metric is one of ${ALERT_RULE_METRICS.join(', ')}`,
    }),
    /** the advanced mode's PromQL (metric `promql`): the value compared with the threshold */
    expr: z
      .string()
      .max(2000, 'the expression is at most 2000 characters')
      .refine(
        // eslint-disable-next-line no-control-regex
        text => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text),
        'the expression may not hold control characters',
      )
      .optional(),
    comparison: z.enum(ALERT_COMPARISONS, {
      error: `comparison is one of ${ALERT_COMPARISONS.join(' ')}`,
    }),
    threshold: z
      .number({ error: 'the threshold is a number' })
      .refine(Number.isFinite, 'the threshold is a finite number'),
    for: duration('for', 0).default('1m'),
    /** the window of rates and increases (CPU, network, restarts, HTTP) */
    window: duration('the window', 10_000).default('5m'),
    severity: z.enum(ALERT_SEVERITIES, {
      error: `severity is one of ${ALERT_SEVERITIES.join(', ')}`,
    }),
    /** one container of the service's pods (by name); left out: every container */
    container: z
      .string()
      .regex(dnsLabel, 'a container name (lower-case letters, digits and -)')
      .optional(),
    /** with `container`: that container of one pod only */
    pod: z
      .string()
      .max(253)
      .regex(dnsSubdomain, 'a pod name (lower-case letters, digits, - and .)')
      .optional(),
    /** the service's domain (Nginx metrics) */
    domain: z
      .string()
      .max(253)
      .regex(dnsSubdomain, 'a domain name such as shop.example.com')
      .optional(),
    labels: z
      .record(alertLabelNameSchema, alertLabelValueSchema)
      .refine(labels => Object.keys(labels).length <= 20, 'at most 20 labels')
      .default({}),
    receivers: z
      .array(alertReceiverNameSchema)
      .max(10, 'at most 10 receivers')
      .refine(
        names => new Set(names).size === names.length,
        'each receiver once',
      )
      .default([]),
    summary: plainText('the summary', 200).pipe(
      z.string().trim().min(1, 'the summary is required'),
    ),
    description: plainText('the description', 1000).default(''),
    enabled: z.boolean().default(true),
  })
  .strict()
  .superRefine((rule, ctx) => {
    if (rule.metric === 'promql' && !rule.expr?.trim()) {
      ctx.addIssue({
        code: 'custom',
        path: ['expr'],
        message: 'the advanced mode needs a PromQL expression',
      });
    }
    if (rule.metric !== 'promql' && rule.expr !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['expr'],
        message: 'an expression is only for the advanced mode (metric promql)',
      });
    }
    if (rule.pod && !rule.container) {
      ctx.addIssue({
        code: 'custom',
        path: ['container'],
        message: 'a rule on one pod names its container too',
      });
    }
  });
/** @public */
export type AlertRuleInput = z.input<typeof alertRuleInputSchema>;
/** @public */
export type AlertRuleDefinition = z.output<typeof alertRuleInputSchema>;

/** A rule as stored: what was set, and its id (the `cc_rule` label). @public */
export const alertRuleSchema = z.object({
  id: z.string(),
  name: z.string(),
  metric: z.enum(ALERT_RULE_METRICS),
  expr: z.string().optional(),
  comparison: z.enum(ALERT_COMPARISONS),
  threshold: z.number(),
  for: z.string(),
  window: z.string(),
  severity: z.enum(ALERT_SEVERITIES),
  container: z.string().optional(),
  pod: z.string().optional(),
  domain: z.string().optional(),
  labels: z.record(z.string(), z.string()),
  receivers: z.array(z.string()),
  summary: z.string(),
  description: z.string(),
  enabled: z.boolean(),
});
/** @public */
export type AlertRule = z.infer<typeof alertRuleSchema>;

const versionNumber = z.number().int().min(1).max(2_147_483_647);
// a write conditioned on a version stores the next one, which must still fit the database's
// 32-bit integer (2147483647 was a 500 before the fuzzer found it)
const LAST_BASE_VERSION = 2_147_483_646;
const baseVersion = z
  .number({ error: 'baseVersion is the version the editor loaded (0: none)' })
  .int()
  .min(0)
  .max(LAST_BASE_VERSION, 'no rules have a version that large');
const message = z
  .string()
  .trim()
  .max(500, 'a message is at most 500 characters')
  .refine(text => !CONTROL.test(text), 'a message is one line');

/** Path parameters of a service's rules. @public */
export const alertServiceParamsSchema = z.object({
  namespace: z.string().max(63),
  name: z.string().max(63),
});

/** Path parameters of one rule. @public */
export const alertRuleParamsSchema = alertServiceParamsSchema.extend({
  rule: z.string().regex(/^r-[a-z0-9]{1,32}$/, 'a rule id such as r-1a2b3c4d'),
});

/** `POST .../rules`: a new rule, on the version the editor loaded. @public */
export const alertRuleCreateSchema = z
  .object({
    baseVersion,
    rule: alertRuleInputSchema,
    message: message.default(''),
  })
  .strict();
/** @public */
export type AlertRuleCreate = z.input<typeof alertRuleCreateSchema>;

/** `PUT .../rules/:rule`: the rule's new settings, on the version the editor loaded. @public */
export const alertRuleUpdateSchema = alertRuleCreateSchema;
/** @public */
export type AlertRuleUpdate = z.input<typeof alertRuleUpdateSchema>;

/** `DELETE .../rules/:rule?baseVersion=`. @public */
export const alertRuleDeleteQuerySchema = z
  .object({
    baseVersion: z.coerce
      .number()
      .int()
      .min(1)
      .max(LAST_BASE_VERSION, 'no rules have a version that large'),
  })
  .strict();

/** `POST .../rules/rollback`: a new version with an old version's rules. @public */
export const alertRuleRollbackSchema = z
  .object({
    version: versionNumber,
    baseVersion: baseVersion.min(1),
    message: message.optional(),
  })
  .strict();
/** @public */
export type AlertRuleRollback = z.input<typeof alertRuleRollbackSchema>;

const versionParam = z.coerce.number().int().min(1).max(2_147_483_647);

/** `GET .../rules/versions/:version`. @public */
export const alertRuleVersionParamsSchema = alertServiceParamsSchema.extend({
  version: versionParam,
});

/** `GET .../rules/diff?from=&to=`. @public */
export const alertRuleDiffQuerySchema = z
  .object({ from: versionParam, to: versionParam })
  .strict();

/**
 * Where one Prometheus stands with a service's rules:
 * - `loaded`: it evaluates the current version (read back from its `/api/v1/rules`);
 * - `delivered`: the file is written and the reload asked, not yet seen loaded;
 * - `pending`: not delivered yet (the scheduled task retries);
 * - `failed`: the last delivery failed (`message` says why; retried).
 * @public
 */
export const alertRuleDeliverySchema = z.object({
  prometheus: z.string(),
  clusters: z.array(z.string()),
  state: z.enum(['loaded', 'delivered', 'pending', 'failed']),
  /** the version it should have */
  version: z.number().int(),
  /** the version it was last given, and the version it evaluates (null: none, or unknown) */
  deliveredVersion: z.number().int().nullable(),
  loadedVersion: z.number().int().nullable(),
  /** how many rules it evaluates for the service (one per rule and cluster/namespace) */
  alertingRules: z.number().int(),
  message: z.string(),
  at: z.string().nullable(),
});
/** @public */
export type AlertRuleDelivery = z.infer<typeof alertRuleDeliverySchema>;

/** `GET .../rules`: a service's rules, their version and where each Prometheus stands. @public */
export const alertRuleSetSchema = z.object({
  entityRef: z.string(),
  kubernetesId: z.string(),
  /** 0 before the first rule */
  version: z.number().int(),
  updatedBy: z.string().nullable(),
  updatedAt: z.string().nullable(),
  rules: z.array(alertRuleSchema),
  /** the (cluster, namespace) pairs the rules watch: the service's workloads */
  targets: z.array(z.object({ cluster: z.string(), namespace: z.string() })),
  /** the names of the containers of the service's Deployments (the container picker) */
  containers: z.array(z.string()),
  delivery: z.array(alertRuleDeliverySchema),
  /** why the rules watch nothing (the service controls no workloads), when so */
  problem: z.string().optional(),
});
/** @public */
export type AlertRuleSet = z.infer<typeof alertRuleSetSchema>;

/** One version of a service's rules. @public */
export const alertRuleVersionSummarySchema = z.object({
  version: z.number().int(),
  author: z.string(),
  createdAt: z.string(),
  message: z.string(),
  ruleCount: z.number().int(),
});
/** @public */
export type AlertRuleVersionSummary = z.infer<
  typeof alertRuleVersionSummarySchema
>;

/** `GET .../rules/versions`: newest first. @public */
export const alertRuleVersionListSchema = z.object({
  items: z.array(alertRuleVersionSummarySchema),
});

/** `GET .../rules/versions/:version`. @public */
export const alertRuleVersionSchema = alertRuleVersionSummarySchema.extend({
  rules: z.array(alertRuleSchema),
});
/** @public */
export type AlertRuleVersion = z.infer<typeof alertRuleVersionSchema>;

/** `GET .../rules/diff`: the rules (as YAML) of two versions, line by line. @public */
export const alertRuleDiffSchema = z.object({
  from: z.number().int(),
  to: z.number().int(),
  files: z.array(fileDiffSchema),
});
/** @public */
export type AlertRuleDiff = z.infer<typeof alertRuleDiffSchema>;

/** One metric of the catalogue, and whether each Prometheus has its series. @public */
export const alertMetricSchema = z.object({
  id: z.enum(ALERT_RULE_METRICS),
  title: z.string(),
  unit: z.string(),
  description: z.string(),
  /** false: per pod (network, readiness), a container cannot be chosen */
  perContainer: z.boolean(),
  needsDomain: z.boolean(),
  /** ops admins only (the advanced mode) */
  advanced: z.boolean(),
  /** the series the template reads */
  requires: z.array(z.string()),
  /** per Prometheus: whether it has every series the template reads */
  availability: z.array(
    z.object({
      prometheus: z.string(),
      available: z.boolean().nullable(),
      missing: z.array(z.string()),
    }),
  ),
  /** why it cannot work here at all, when so */
  unavailable: z.string().optional(),
});
/** @public */
export type AlertMetric = z.infer<typeof alertMetricSchema>;

/** `GET /metrics`. @public */
export const alertMetricListSchema = z.object({
  items: z.array(alertMetricSchema),
});

/** `GET /rules`: every service's rules (ops admins), filtered and paged. @public */
export const alertRulesQuerySchema = z
  .object({
    severity: z.enum(ALERT_SEVERITIES).optional(),
    /** the owning group, e.g. group:default/team-payments */
    team: z.string().max(300).optional(),
    cluster: z.string().max(253).optional(),
    offset: z.coerce.number().int().min(0).default(0),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();
/** @public */
export type AlertRulesQuery = z.input<typeof alertRulesQuerySchema>;

/** A rule with its service, on the admin page. @public */
export const alertRuleListItemSchema = z.object({
  entityRef: z.string(),
  owner: z.string(),
  clusters: z.array(z.string()),
  version: z.number().int(),
  rule: alertRuleSchema,
});
/** @public */
export type AlertRuleListItem = z.infer<typeof alertRuleListItemSchema>;

/** @public */
export const alertRuleListSchema = z.object({
  items: z.array(alertRuleListItemSchema),
  total: z.number().int(),
});
/** @public */
export type AlertRuleList = z.infer<typeof alertRuleListSchema>;
