import type {
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import type { MeteringSampler } from './MeteringSampler';
import { bucketStart, MeteringStore } from './MeteringStore';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** `containerCloud.metering`, checked: each wrong value is an error naming its key. */
export interface MeteringSettings {
  /** 0: sampling is off */
  intervalMinutes: number;
  retentionDays: number;
}

export function readMeteringSettings(
  config: RootConfigService,
): MeteringSettings {
  const read = (key: string, fallback: number, min: number) => {
    const full = `containerCloud.metering.${key}`;
    const value = config.getOptionalNumber(full) ?? fallback;
    if (!Number.isInteger(value) || value < min) {
      throw new Error(
        `${full} must be a whole number, at least ${min}; it is ${value}`,
      );
    }
    return value;
  };
  return {
    intervalMinutes: read('intervalMinutes', 5, 0),
    retentionDays: read('retentionDays', 30, 1),
  };
}

/**
 * One run: the interval's sample of every service, the hour's and the day's averages brought up
 * to date (and the previous ones, which the first sample of a new hour closes), and pruning
 * (samples after `retentionDays`, hours after 4 times that, days after 16 times).
 */
export async function runMetering(options: {
  sampler: MeteringSampler;
  store: MeteringStore;
  settings: MeteringSettings;
  now: Date;
}): Promise<number> {
  const { sampler, store, settings, now } = options;
  const interval = settings.intervalMinutes * MINUTE;
  const time = now.getTime();
  const samples = await sampler.sample(now);
  await store.write('sample', Math.floor(time / interval) * interval, samples);
  const hour = bucketStart(time, 'hour');
  const day = bucketStart(time, 'day');
  await store.rollUp('hour', hour - HOUR);
  await store.rollUp('hour', hour);
  await store.rollUp('day', day - DAY);
  await store.rollUp('day', day);
  const keep = settings.retentionDays * DAY;
  await store.prune('sample', time - keep);
  await store.prune('hour', time - 4 * keep);
  await store.prune('day', time - 16 * keep);
  return samples.length;
}

/** Samples every `intervalMinutes`, on one replica at a time. */
export async function scheduleMetering(options: {
  scheduler: SchedulerService;
  logger: LoggerService;
  sampler: MeteringSampler;
  store: MeteringStore;
  settings: MeteringSettings;
}): Promise<void> {
  const { scheduler, logger, settings } = options;
  await scheduler.scheduleTask({
    id: 'clusters-metering-sample',
    frequency: { minutes: settings.intervalMinutes },
    timeout: { minutes: Math.max(2, settings.intervalMinutes) },
    initialDelay: { seconds: 30 },
    fn: async () => {
      const count = await runMetering({ ...options, now: new Date() });
      logger.debug(`metering: sampled ${count} services`);
    },
  });
}
