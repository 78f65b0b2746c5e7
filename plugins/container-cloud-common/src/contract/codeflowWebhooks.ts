/**
 * The wire contract of a codeflow's webhooks (the codeflow backend's `webhooks` part): setting
 * the per-codeflow secret, its status, the deliveries received and what each led to. The webhook
 * endpoints themselves (`/webhooks/<provider>/:codeflowId`) take the git host's own payloads,
 * which the backend parses in their documented shapes.
 */
import { z } from 'zod';

/** The git hosts whose webhooks a codeflow accepts. @public */
export const WEBHOOK_PROVIDERS = ['gitlab', 'gitea', 'github'] as const;

/** @public */
export const webhookProviderSchema = z.enum(WEBHOOK_PROVIDERS);
/** @public */
export type WebhookProvider = z.infer<typeof webhookProviderSchema>;

/**
 * What became of a delivery: `accepted` (a run request was recorded), `ignored` (an event that
 * builds nothing: another event kind, a merge request not merged, a branch without a rule),
 * `refused` (bad or missing token or signature, a body too large, an unreadable payload) or
 * `duplicate` (a delivery id already received: it runs once).
 * @public
 */
export const webhookDeliveryOutcomeSchema = z.enum([
  'accepted',
  'ignored',
  'refused',
  'duplicate',
]);
/** @public */
export type WebhookDeliveryOutcome = z.infer<
  typeof webhookDeliveryOutcomeSchema
>;

/** `/services/:namespace/:name/codeflows/:id/...` @public */
export const codeflowWebhookParamsSchema = z.object({
  namespace: z.string().min(1),
  name: z.string().min(1),
  id: z
    .string()
    .min(1)
    .max(40, 'a codeflow id has at most 40 characters')
    .regex(/^[A-Za-z0-9_-]+$/, 'a codeflow id: letters, digits, - and _'),
});
/** @public */
export type CodeflowWebhookParams = z.infer<typeof codeflowWebhookParamsSchema>;

/** The paths of a codeflow's webhook endpoints, under the plugin's base URL. @public */
export const webhookUrlsSchema = z.object({
  gitlab: z.string(),
  gitea: z.string(),
  github: z.string(),
});

/** Whether a codeflow has a webhook secret, and where its webhooks are received. @public */
export const webhookStatusSchema = z.object({
  codeflowId: z.string(),
  configured: z.boolean(),
  /** when the current secret was set (ISO 8601), null without one */
  setAt: z.string().nullable(),
  setBy: z.string().nullable(),
  urls: webhookUrlsSchema,
});
/** @public */
export type WebhookStatus = z.infer<typeof webhookStatusSchema>;

/**
 * The answer to setting or rotating a codeflow's webhook secret: the secret itself, given this
 * once (it is stored encrypted and never answered again), to paste into the git host's webhook.
 * @public
 */
export const webhookSecretResultSchema = webhookStatusSchema.extend({
  secret: z.string(),
  /** whether a previous secret was replaced (deliveries signed with it are refused from now) */
  rotated: z.boolean(),
});
/** @public */
export type WebhookSecretResult = z.infer<typeof webhookSecretResultSchema>;

/** A run request's state until the run engine takes it. @public */
export const runRequestStatusSchema = z.enum(['queued', 'awaiting-approval']);

/** One webhook delivery as received, and its outcome. @public */
export const webhookDeliverySchema = z.object({
  id: z.number().int(),
  codeflowId: z.string(),
  provider: webhookProviderSchema,
  /** the event as the git host named it, e.g. `Push Hook`, `push` */
  event: z.string().nullable(),
  /** the git host's delivery id (X-Gitlab-Event-UUID, X-Gitea-Delivery, X-GitHub-Delivery) */
  deliveryId: z.string().nullable(),
  outcome: webhookDeliveryOutcomeSchema,
  /** why, in words */
  reason: z.string(),
  /** the HTTP status the git host was answered */
  status: z.number().int(),
  receivedAt: z.string(),
  ref: z.string().nullable(),
  refKind: z.enum(['branch', 'tag']).nullable(),
  commitSha: z.string().nullable(),
  environment: z.string().nullable(),
  /** the run request an accepted delivery recorded */
  runRequestId: z.number().int().nullable(),
  runRequestStatus: runRequestStatusSchema.nullable(),
});
/** @public */
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

/** @public */
export const webhookDeliveryListSchema = z.object({
  items: z.array(webhookDeliverySchema),
});
/** @public */
export type WebhookDeliveryList = z.infer<typeof webhookDeliveryListSchema>;

/** `?limit=` of the deliveries list: the newest first, 50 unless said (at most 200). @public */
export const webhookDeliveriesQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int('limit: a whole number')
    .min(1, 'limit: at least 1')
    .max(200, 'limit: at most 200')
    .default(50),
});
