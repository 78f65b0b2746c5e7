/**
 * The audit log's wire contract: one stored audit event, the search filters (the whole log for
 * ops, one entity's trail for its owners) and a page of results. The messages are the 400s a
 * person reads, each naming its field.
 */
import { z } from 'zod';

/** How an audited action ended (Backstage's auditor statuses; the start is not stored). @public */
export const auditOutcomeSchema = z.enum(['succeeded', 'failed']);
/** @public */
export type AuditOutcome = z.infer<typeof auditOutcomeSchema>;

/** Backstage's audit severities. @public */
export const auditSeveritySchema = z.enum([
  'low',
  'medium',
  'high',
  'critical',
]);
/** @public */
export type AuditSeverity = z.infer<typeof auditSeveritySchema>;

/** One audit event as the log keeps it: who did what, to which entity, where, and how it ended. @public */
export const auditEventSchema = z.object({
  /** the log's own id */
  id: z.string(),
  /** when the outcome was recorded, ISO 8601 */
  time: z.string(),
  /** the plugin that recorded it, e.g. `services` */
  plugin: z.string(),
  /** the action, e.g. `service-scale` */
  eventId: z.string(),
  severity: auditSeveritySchema,
  outcome: auditOutcomeSchema,
  /** a user entity ref, a service's subject, or null when no one was known */
  actor: z.string().nullable(),
  /** the catalog entity acted on, when the event names one */
  entityRef: z.string().nullable(),
  cluster: z.string().nullable(),
  namespace: z.string().nullable(),
  /** the request's `x-request-id`, or an id the auditor gave it */
  requestId: z.string(),
  method: z.string().nullable(),
  /** the request path, without its query */
  path: z.string().nullable(),
  /** why it failed */
  error: z.string().nullable(),
  /** what the plugin recorded with the event, values under secret-sounding keys replaced by *** */
  meta: z.record(z.string(), z.unknown()),
});
/** @public */
export type AuditEvent = z.infer<typeof auditEventSchema>;

const ENTITY_REF = /^[a-z0-9-_.]+:[a-z0-9-_.]+\/[a-z0-9-_.]+$/i;
const WORD = /^[A-Za-z0-9._:/@-]+$/;

const isoTime = (field: string) =>
  z
    .string()
    .refine(
      value => !Number.isNaN(Date.parse(value)),
      `${field} must be a date and time, e.g. 2026-12-01T00:00:00Z`,
    );

const word = (field: string, max: number) =>
  z
    .string()
    .min(1, `${field} must not be empty`)
    .max(max, `${field} is at most ${max} characters`)
    .regex(WORD, `${field} may hold letters, digits and . _ : / @ - only`);

/** The page size and cursor every audit search takes. */
const pagingShape = {
  limit: z.coerce
    .number()
    .int('limit must be a whole number')
    .min(1, 'limit must be 1..200')
    .max(200, 'limit must be 1..200')
    .default(50),
  /** the `nextCursor` of the page before: events older than it */
  cursor: z
    .string()
    .regex(
      /^[0-9]{1,15}_[1-9][0-9]{0,17}$/,
      'cursor must be the nextCursor of a page',
    )
    .optional(),
  from: isoTime('from').optional(),
  to: isoTime('to').optional(),
  eventId: word('eventId', 128).optional(),
  outcome: z
    .enum(['succeeded', 'failed'], {
      error: 'outcome must be succeeded or failed',
    })
    .optional(),
};

const rangeInOrder = (value: { from?: string; to?: string }) =>
  !value.from || !value.to || Date.parse(value.from) <= Date.parse(value.to);
const RANGE_ORDER = { message: 'to must not be before from', path: ['to'] };

/** The whole log's filters (ops). @public */
export const auditSearchQuerySchema = z
  .object({
    ...pagingShape,
    actor: word('actor', 255).optional(),
    entityRef: z
      .string()
      .regex(ENTITY_REF, 'entityRef must be kind:namespace/name')
      .optional(),
    plugin: word('plugin', 64).optional(),
    cluster: word('cluster', 128).optional(),
  })
  .strict()
  .refine(rangeInOrder, RANGE_ORDER);
/** @public */
export type AuditSearchQuery = Omit<
  z.input<typeof auditSearchQuerySchema>,
  'limit'
> & { limit?: number };

/** One entity's trail: the entity is in the path, the rest filters it. @public */
export const entityAuditQuerySchema = z
  .object(pagingShape)
  .strict()
  .refine(rangeInOrder, RANGE_ORDER);
/** @public */
export type EntityAuditQuery = Omit<
  z.input<typeof entityAuditQuerySchema>,
  'limit'
> & { limit?: number };

/** The path of an entity's trail. @public */
export const entityAuditParamsSchema = z.object({
  kind: z.string().regex(/^[A-Za-z0-9-_.]+$/, 'kind is a catalog kind'),
  namespace: z
    .string()
    .regex(/^[a-z0-9-_.]+$/i, 'namespace is a catalog namespace'),
  name: z.string().regex(/^[a-z0-9-_.]+$/i, 'name is a catalog name'),
});

/** A page of audit events, newest first. @public */
export const auditEventPageSchema = z.object({
  items: z.array(auditEventSchema),
  /** pass as `cursor` for the next (older) page; absent on the last page */
  nextCursor: z.string().optional(),
});
/** @public */
export type AuditEventPage = z.infer<typeof auditEventPageSchema>;

/** What the filters of the audit page offer: the plugins and actions the log holds. @public */
export const auditFacetsSchema = z.object({
  plugins: z.array(z.string()),
  eventIds: z.array(z.string()),
});
/** @public */
export type AuditFacets = z.infer<typeof auditFacetsSchema>;
