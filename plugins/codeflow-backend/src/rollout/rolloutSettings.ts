import type { Config } from '@backstage/config';

/** How long a roll-out waits for one placement, unless configured. */
export const DEFAULT_ROLLOUT_TIMEOUT_SECONDS = 600;

const KEY = 'containerCloud.codeflow.runs.rolloutTimeoutSeconds';

/** What the roll-out reads from the config, parsed once. */
export interface RolloutSettings {
  /** how long one placement may take to run the new image (`containerCloud.codeflow.runs.rolloutTimeoutSeconds`) */
  timeoutSeconds: number;
  /** how often a placement's Deployment is read while waiting */
  pollIntervalMs: number;
}

/** `containerCloud.codeflow.runs.rolloutTimeoutSeconds` (default 600), a whole number of seconds. */
export function readRolloutTimeoutSeconds(config?: Config): number {
  const value = config?.getOptionalNumber(KEY);
  if (value === undefined) return DEFAULT_ROLLOUT_TIMEOUT_SECONDS;
  if (!Number.isInteger(value) || value < 1 || value > 86_400) {
    throw new Error(
      `${KEY} must be a whole number of seconds from 1 to 86400, not ${value}`,
    );
  }
  return value;
}
