import {
  AuditorService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';

/** One audit event as a test sees it: its id, how it ended, and its metadata. @public */
export interface RecordedAuditEvent {
  eventId: string;
  outcome: 'success' | 'fail';
  meta?: Record<string, unknown>;
}

/**
 * An auditor that appends every event to `events` when it ends (success or fail, as Backstage's
 * auditor logs them), so a test can see what a route recorded.
 * @public
 */
export function recordingAuditor(events: RecordedAuditEvent[]) {
  return createServiceFactory({
    service: coreServices.auditor,
    deps: {},
    factory: (): AuditorService => ({
      async createEvent({ eventId, meta }) {
        return {
          async success(o) {
            events.push({
              eventId,
              outcome: 'success',
              meta: { ...meta, ...o?.meta },
            });
          },
          async fail(o) {
            events.push({
              eventId,
              outcome: 'fail',
              meta: { ...meta, ...o.meta, error: o.error.message },
            });
          },
        };
      },
    }),
  });
}
