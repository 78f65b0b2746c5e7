/**
 * The alerts API (plugins/alerts-backend, src/receivers): receivers (Alertmanager's
 * configuration, managed by ops), firing and pending alerts of a service and of every service,
 * and silences. Zod schemas of every request and answer; the messages are what a person reads in
 * a 400.
 */
import { z } from 'zod';

/**
 * The labels every alert of a suite rule carries (the rules part writes them, this part reads
 * and routes by them). `cc_receivers` holds the receivers' names joined as `,a,b,`.
 * @public
 */
export const ALERT_LABELS = {
  entity: 'cc_entity',
  rule: 'cc_rule',
  severity: 'severity',
  receivers: 'cc_receivers',
  cluster: 'cc_cluster',
  container: 'container',
  pod: 'pod',
  namespace: 'namespace',
} as const;

/** The signal channel that says "the alerts of this entity changed". @public */
export function alertsSignalChannel(entityRef: string): string {
  return `container-cloud:alerts:${entityRef}`;
}

/** The severities the admin list filters by (the rules' `severity` label). */
const SEVERITIES = ['critical', 'warning', 'info'] as const;

/** A receiver's name: also a route's regex part, so nothing but lowercase, digits and dashes. @public */
export const receiverNameSchema = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'a receiver name is 1 to 63 lowercase letters, digits and dashes, starting and ending with a letter or digit',
  );

const httpUrl = z
  .string()
  .max(2048)
  .refine(value => {
    try {
      const url = new URL(value);
      return (
        (url.protocol === 'http:' || url.protocol === 'https:') &&
        url.hostname !== ''
      );
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

const emailAddress = z.email('must be an email address').max(254);

/** `host:port` of an SMTP server. */
const smarthost = z
  .string()
  .regex(
    /^[A-Za-z0-9.-]+:[0-9]{1,5}$/,
    'must be host:port of an SMTP server, e.g. smtp.example.com:587',
  );

/** A secret: sent to set or change it, never sent back. Leave it out to keep the one saved. */
const secret = z
  .string()
  .min(1, 'must not be empty (leave it out to keep the saved one)')
  .max(4096)
  .refine(v => !/[\r\n]/.test(v), 'must be one line');

/** Plain one-line text that goes into Alertmanager's configuration. */
const oneLine = (max: number) =>
  z
    .string()
    .max(max)
    .refine(v => !/[\r\n]/.test(v), 'must be one line');

/** @public */
export const RECEIVER_KINDS = ['email', 'webhook', 'im'] as const;
/** @public */
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];

/**
 * The IM webhooks Alertmanager posts to natively: Slack's incoming webhook JSON (also taken by
 * Mattermost, Rocket.Chat and the Slack-compatible endpoints of other IM tools) and Discord's.
 * @public
 */
export const IM_FLAVOURS = ['slack', 'discord'] as const;

/** @public */
export const emailSettingsSchema = z.strictObject({
  to: z.array(emailAddress).min(1, 'name at least one address').max(50),
  /** defaults to containerCloud.alerts.alertmanager.smtp.from */
  from: emailAddress.optional(),
  /** defaults to containerCloud.alerts.alertmanager.smtp.smarthost */
  smarthost: smarthost.optional(),
  authUsername: oneLine(254).optional(),
  authPassword: secret.optional(),
  requireTls: z.boolean().optional(),
});

/** @public */
export const webhookSettingsSchema = z.strictObject({
  url: httpUrl,
  /** sent as `Authorization: Bearer <token>` */
  bearerToken: secret.optional(),
  /** the most alerts one post carries (0: all) */
  maxAlerts: z.number().int().min(0).max(1000).optional(),
});

/** @public */
export const imSettingsSchema = z.strictObject({
  flavour: z.enum(IM_FLAVOURS),
  /** the IM's incoming webhook URL: it holds the IM's token, so it is kept as a secret */
  url: httpUrl.optional(),
  /** Slack only: the channel to post to, when the webhook allows choosing */
  channel: oneLine(80).optional(),
});

const receiverFields = {
  kind: z.enum(RECEIVER_KINDS),
  description: oneLine(500).optional(),
  /** whether resolved alerts are sent too (default true) */
  sendResolved: z.boolean().optional(),
  email: emailSettingsSchema.optional(),
  webhook: webhookSettingsSchema.optional(),
  im: imSettingsSchema.optional(),
};

type ReceiverFieldsInput = {
  kind: ReceiverKind;
  email?: unknown;
  webhook?: unknown;
  im?: unknown;
};

/** The settings of the receiver's kind are required, the other kinds' refused. */
function kindSettings(value: ReceiverFieldsInput, ctx: z.RefinementCtx) {
  for (const kind of RECEIVER_KINDS) {
    const given = value[kind] !== undefined;
    if (kind === value.kind && !given) {
      ctx.addIssue({
        code: 'custom',
        path: [kind],
        message: `is required for a receiver of kind '${kind}'`,
      });
    }
    if (kind !== value.kind && given) {
      ctx.addIssue({
        code: 'custom',
        path: [kind],
        message: `belongs to receivers of kind '${kind}', not '${value.kind}'`,
      });
    }
  }
}

/** A new receiver. @public */
export const receiverCreateSchema = z
  .strictObject({ name: receiverNameSchema, ...receiverFields })
  .superRefine((value, ctx) => {
    kindSettings(value, ctx);
    if (value.kind === 'im' && value.im && !value.im.url) {
      ctx.addIssue({
        code: 'custom',
        path: ['im', 'url'],
        message: 'is required',
      });
    }
  });
/** @public */
export type ReceiverCreate = z.infer<typeof receiverCreateSchema>;

/**
 * A receiver's new settings, made from `version` (409 with the receiver as it is now when it has
 * another). Secrets left out keep their saved value.
 * @public
 */
export const receiverUpdateSchema = z
  .strictObject({
    // the save stores the next version, which must still fit a 32-bit integer
    version: z
      .number()
      .int()
      .min(1)
      .max(2_147_483_646, 'no receiver has a version that large'),
    ...receiverFields,
  })
  .superRefine(kindSettings);
/** @public */
export type ReceiverUpdate = z.infer<typeof receiverUpdateSchema>;

/** @public */
export const receiverParamsSchema = z.object({ receiver: receiverNameSchema });

/** @public */
export const receiverDeleteQuerySchema = z.object({
  version: z.coerce.number().int().min(1).max(2_147_483_647),
});

/** A receiver as the browser sees it: secrets only as "set" or not. @public */
export const receiverViewSchema = z.object({
  name: z.string(),
  kind: z.enum(RECEIVER_KINDS),
  description: z.string().optional(),
  sendResolved: z.boolean(),
  email: z
    .object({
      to: z.array(z.string()),
      from: z.string().optional(),
      smarthost: z.string().optional(),
      authUsername: z.string().optional(),
      hasAuthPassword: z.boolean(),
      requireTls: z.boolean().optional(),
    })
    .optional(),
  webhook: z
    .object({
      url: z.string(),
      hasBearerToken: z.boolean(),
      maxAlerts: z.number().optional(),
    })
    .optional(),
  im: z
    .object({
      flavour: z.enum(IM_FLAVOURS),
      /** scheme and host of the webhook URL (the rest holds its token) */
      urlHint: z.string(),
      channel: z.string().optional(),
    })
    .optional(),
  version: z.number(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedBy: z.string(),
  updatedAt: z.string(),
});
/** @public */
export type ReceiverView = z.infer<typeof receiverViewSchema>;

/**
 * Whether Alertmanager runs the configuration the database holds now: `written` (the file holds
 * it), `loaded` (Alertmanager's /api/v2/status shows it), `unknown` when Alertmanager did not
 * answer.
 * @public
 */
export const alertmanagerConfigStatusSchema = z.object({
  /** the configuration's version: one more with every receiver change */
  version: z.number(),
  changedBy: z.string().optional(),
  changedAt: z.string().optional(),
  written: z.boolean(),
  loaded: z.enum(['loaded', 'not-loaded', 'unknown']),
  /** why it is not written or loaded, or why the status is unknown */
  message: z.string().optional(),
});
/** @public */
export type AlertmanagerConfigStatus = z.infer<
  typeof alertmanagerConfigStatusSchema
>;

/** @public */
export const receiverListSchema = z.object({
  items: z.array(receiverViewSchema),
  alertmanager: alertmanagerConfigStatusSchema,
});
/** @public */
export type ReceiverList = z.infer<typeof receiverListSchema>;

/** What a receiver change answers: the receiver (none after a delete), and what Alertmanager runs. @public */
export const receiverChangeResultSchema = z.object({
  receiver: receiverViewSchema.optional(),
  alertmanager: alertmanagerConfigStatusSchema,
});
/** @public */
export type ReceiverChangeResult = z.infer<typeof receiverChangeResultSchema>;

/** One change of a receiver: who, when, what. @public */
export const receiverChangeSchema = z.object({
  receiver: z.string(),
  action: z.enum(['create', 'update', 'delete']),
  version: z.number(),
  configVersion: z.number(),
  by: z.string(),
  at: z.string(),
});
/** @public */
export const receiverHistorySchema = z.object({
  items: z.array(receiverChangeSchema),
});
/** @public */
export type ReceiverChange = z.infer<typeof receiverChangeSchema>;

/** Where an alert list came from, and whether that source answered. @public */
export const alertSourceStatusSchema = z.object({
  /** `alertmanager`, or `prometheus:<name>` */
  source: z.string(),
  status: z.enum(['ok', 'unreachable']),
  /** the clusters whose alerts this source holds (a Prometheus' `clusters`) */
  clusters: z.array(z.string()).optional(),
  message: z.string().optional(),
});
/** @public */
export type AlertSourceStatus = z.infer<typeof alertSourceStatusSchema>;

/** Where the container's metrics dialog is: the Service tab, this pod and container. @public */
export const alertMetricsLinkSchema = z.object({
  cluster: z.string(),
  namespace: z.string(),
  pod: z.string(),
  container: z.string().optional(),
});

/** One alert, merged from Alertmanager and the Prometheus that evaluates its rule. @public */
export const alertViewSchema = z.object({
  /** stable across polls: Alertmanager's fingerprint, or the labels' for a pending alert */
  id: z.string(),
  name: z.string(),
  /** pending: the condition holds, not yet for its `for`; silenced: firing, but silenced */
  state: z.enum(['pending', 'firing', 'silenced']),
  severity: z.string().optional(),
  entityRef: z.string().optional(),
  rule: z.string().optional(),
  cluster: z.string().optional(),
  namespace: z.string().optional(),
  pod: z.string().optional(),
  container: z.string().optional(),
  summary: z.string().optional(),
  startsAt: z.string().optional(),
  /** the rule expression's value, as Prometheus last evaluated it */
  value: z.string().optional(),
  labels: z.record(z.string(), z.string()),
  silencedBy: z.array(z.string()),
  metricsLink: alertMetricsLinkSchema.optional(),
  /** the entity's owner (admin list only) */
  owner: z.string().optional(),
});
/** @public */
export type AlertView = z.infer<typeof alertViewSchema>;

/** @public */
export const alertListSchema = z.object({
  items: z.array(alertViewSchema),
  /** every alert that matched, beyond this page */
  total: z.number(),
  /** per source: a source that did not answer makes the list unknown, never empty */
  sources: z.array(alertSourceStatusSchema),
});
/** @public */
export type AlertList = z.infer<typeof alertListSchema>;

/** The admin list's filters and page. @public */
export const alertAdminQuerySchema = z.object({
  severity: z.enum(SEVERITIES).optional(),
  /** an owner's entity ref, e.g. group:default/team-payments */
  team: z.string().max(300).optional(),
  cluster: z.string().max(253).optional(),
  state: z.enum(['pending', 'firing', 'silenced']).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
/** @public */
export type AlertAdminQuery = Omit<
  z.input<typeof alertAdminQuerySchema>,
  'offset' | 'limit'
> & { offset?: number; limit?: number };

/** A silence's extra matchers: equality on a label other than `cc_entity`. @public */
export const silenceMatcherSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a label name')
    .refine(
      name => name !== ALERT_LABELS.entity,
      `is set by the backend to the service's own entity`,
    ),
  value: oneLine(1024).refine(v => v !== '', 'must not be empty'),
});

/** The longest silence: 30 days. @public */
export const MAX_SILENCE_MINUTES = 30 * 24 * 60;

/** A new silence of a service's alerts (always limited to its own `cc_entity`). @public */
export const silenceCreateSchema = z.strictObject({
  reason: z.string().trim().min(3, 'say why (at least 3 characters)').max(1000),
  durationMinutes: z.number().int().min(1).max(MAX_SILENCE_MINUTES),
  /** narrows the silence, e.g. to one rule or container; all the service's alerts when empty */
  matchers: z.array(silenceMatcherSchema).max(10).optional(),
});
/** @public */
export type SilenceCreate = z.infer<typeof silenceCreateSchema>;

/** @public */
export const silenceParamsSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  // Alertmanager's silence ids are UUIDs (anything else was its 422, answered as a 503)
  silence: z
    .string()
    .regex(
      /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
      'must be a silence id (a UUID)',
    ),
});

/** @public */
export const silenceViewSchema = z.object({
  id: z.string(),
  state: z.enum(['active', 'pending', 'expired']),
  matchers: z.array(
    z.object({
      name: z.string(),
      value: z.string(),
      isRegex: z.boolean(),
      isEqual: z.boolean(),
    }),
  ),
  reason: z.string(),
  createdBy: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
});
/** @public */
export type SilenceView = z.infer<typeof silenceViewSchema>;

/** @public */
export const silenceListSchema = z.object({
  items: z.array(silenceViewSchema),
  /** Alertmanager's status: silences cannot be known when it does not answer */
  source: alertSourceStatusSchema,
});
/** @public */
export type SilenceList = z.infer<typeof silenceListSchema>;
