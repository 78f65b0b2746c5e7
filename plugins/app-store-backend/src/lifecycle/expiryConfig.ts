import type { Config } from '@backstage/config';
import { readDurationFromConfig } from '@backstage/config';

type HumanDuration = ReturnType<typeof readDurationFromConfig>;

const UNIT_MS: Record<string, number> = {
  years: 365 * 86_400_000,
  months: 30 * 86_400_000,
  weeks: 7 * 86_400_000,
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1000,
  milliseconds: 1,
};

/** A duration in milliseconds (a month as 30 days, a year as 365). */
export function durationMs(duration: HumanDuration): number {
  return Object.entries(duration).reduce(
    (sum, [unit, value]) => sum + (UNIT_MS[unit] ?? 0) * (value ?? 0),
    0,
  );
}

/** `containerCloud.appStore.expiry`, read once. */
export interface ExpiryConfig {
  /** how often the expiry task runs (default 5 minutes) */
  frequency: HumanDuration;
  /** how long before an instance expires its owner is told (default 24 hours) */
  noticeMs: number;
}

const KEY = 'containerCloud.appStore.expiry';

export function readExpiryConfig(config: Config): ExpiryConfig {
  const expiry = config.getOptionalConfig(KEY);
  const frequency = expiry?.has('frequency')
    ? readDurationFromConfig(expiry, { key: 'frequency' })
    : { minutes: 5 };
  const notice = expiry?.has('notifyBefore')
    ? readDurationFromConfig(expiry, { key: 'notifyBefore' })
    : { hours: 24 };
  const frequencyMs = durationMs(frequency);
  if (frequencyMs < 10_000) {
    throw new Error(`${KEY}.frequency must be at least 10 seconds`);
  }
  return { frequency, noticeMs: durationMs(notice) };
}
