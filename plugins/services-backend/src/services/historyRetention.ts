import type {
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { PodHistoryStore } from '../database/PodHistoryStore';

const KEY = 'containerCloud.services.history.retentionDays';

/** How long the history keeps a pod after it ended, unless configured. */
export const DEFAULT_HISTORY_RETENTION_DAYS = 90;

/**
 * `containerCloud.services.history.retentionDays`: a whole number of days, at least 1; anything
 * else stops the backend at start, naming the key.
 */
export function readHistoryRetentionDays(config: RootConfigService): number {
  const days = config.getOptionalNumber(KEY) ?? DEFAULT_HISTORY_RETENTION_DAYS;
  if (!Number.isInteger(days) || days < 1) {
    throw new Error(
      `${KEY} must be a whole number of days, at least 1; got ${days}`,
    );
  }
  return days;
}

/** Prunes the pods that ended more than `days` ago, every 6 hours (one backend at a time). */
export async function scheduleHistoryRetention(options: {
  scheduler: SchedulerService;
  history: PodHistoryStore;
  logger: LoggerService;
  days: number;
}) {
  const { scheduler, history, logger, days } = options;
  await scheduler.scheduleTask({
    id: 'pod-history-retention',
    frequency: { hours: 6 },
    timeout: { minutes: 10 },
    initialDelay: { minutes: 1 },
    fn: async () => {
      const cutoff = new Date(Date.now() - days * 24 * 60 * 60 * 1000);
      const removed = await history.pruneEndedBefore(cutoff);
      if (removed > 0) {
        logger.info(
          `pod history: forgot ${removed} pod(s) that ended more than ${days} days ago (${KEY})`,
        );
      }
    },
  });
}
