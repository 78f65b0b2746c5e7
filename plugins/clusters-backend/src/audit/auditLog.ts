import type {
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { EventsService } from '@backstage/plugin-events-node';
import {
  AUDIT_TOPIC,
  AuditRecord,
} from '@internal/plugin-container-cloud-node';
import { z } from 'zod';
import type { AuditStore } from './AuditStore';

/**
 * The subscription's id on the events bus (`clusters.audit-store`). On PostgreSQL the events
 * backend hands each event of a subscription id to one replica only, and an event a replica's
 * own store already took is not handed to the others.
 */
export const AUDIT_SUBSCRIBER_ID = 'audit-store';

const nullableText = (max: number) => z.string().max(max).nullable();

/** What the store accepts from the bus: the auditor's AuditRecord, checked. */
const auditRecordSchema = z.object({
  time: z.string().refine(value => !Number.isNaN(Date.parse(value))),
  plugin: z.string().min(1).max(64),
  eventId: z.string().min(1).max(128),
  severity: z.enum(['low', 'medium', 'high', 'critical']),
  outcome: z.enum(['succeeded', 'failed']),
  actor: nullableText(255),
  entityRef: nullableText(255),
  cluster: nullableText(128),
  namespace: nullableText(128),
  requestId: z.string().min(1).max(64),
  method: nullableText(16),
  path: z.string().nullable(),
  error: z.string().nullable(),
  meta: z.record(z.string(), z.unknown()),
});

/** Stores every audit outcome published on the events bus; drops (and logs) what is no record. */
export async function subscribeAuditStore(options: {
  events: EventsService;
  store: AuditStore;
  logger: LoggerService;
}): Promise<void> {
  const { events, store, logger } = options;
  await events.subscribe({
    id: AUDIT_SUBSCRIBER_ID,
    topics: [AUDIT_TOPIC],
    async onEvent({ eventPayload }) {
      const parsed = auditRecordSchema.safeParse(eventPayload);
      if (!parsed.success) {
        logger.warn(
          `an audit event on ${AUDIT_TOPIC} was no audit record and is not stored: ${parsed.error.issues
            .map(issue => `${issue.path.join('.')}: ${issue.message}`)
            .join('; ')}`,
        );
        return;
      }
      await store.append(parsed.data as AuditRecord);
    },
  });
}

/** `containerCloud.audit.retentionDays` (default 365): a whole number of days, at least 1. */
export function auditRetentionDays(config: RootConfigService): number {
  const key = 'containerCloud.audit.retentionDays';
  const days = config.getOptionalNumber(key) ?? 365;
  if (!Number.isInteger(days) || days < 1) {
    throw new Error(
      `${key} must be a whole number of days, at least 1; it is ${days}`,
    );
  }
  return days;
}

/** Prunes events older than the retention, hourly, on one replica at a time. */
export async function scheduleAuditRetention(options: {
  scheduler: SchedulerService;
  store: AuditStore;
  logger: LoggerService;
  retentionDays: number;
}): Promise<void> {
  const { scheduler, store, logger, retentionDays } = options;
  await scheduler.scheduleTask({
    id: 'clusters-audit-retention',
    frequency: { hours: 1 },
    timeout: { minutes: 15 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      const before = new Date(Date.now() - retentionDays * 24 * 3600 * 1000);
      const pruned = await store.prune(before);
      if (pruned > 0) {
        logger.info(
          `audit log: ${pruned} events older than ${retentionDays} days deleted`,
        );
      }
    },
  });
}
