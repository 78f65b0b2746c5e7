import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/**
 * How long the backend waits for a cluster, in milliseconds (`containerCloud.kubernetes.timeouts`,
 * given there in seconds). An apiserver or kubelet that accepts a connection and never answers
 * must not hold a request, a shell slot or the health probe forever.
 * @public
 */
export interface KubernetesTimeouts {
  /** one API call (a read, a list, a patch), from sending it to the end of its answer */
  requestMs: number;
  /** one health probe of a cluster (its version and its nodes) */
  probeMs: number;
  /** opening an exec WebSocket (a shell, a file download) */
  execOpenMs: number;
  /** a shell's WebSocket with no bytes either way is closed after this */
  execIdleMs: number;
  /** a command without a terminal (a file download) that sends nothing for this long is ended */
  commandIdleMs: number;
}

/** @public */
export const DEFAULT_KUBERNETES_TIMEOUTS: KubernetesTimeouts = {
  requestMs: 30_000,
  probeMs: 10_000,
  execOpenMs: 30_000,
  execIdleMs: 15 * 60_000,
  commandIdleMs: 60_000,
};

const KEY = 'containerCloud.kubernetes.timeouts';
const SETTINGS: Array<[keyof KubernetesTimeouts, string]> = [
  ['requestMs', 'requestSeconds'],
  ['probeMs', 'probeSeconds'],
  ['execOpenMs', 'execOpenSeconds'],
  ['execIdleMs', 'execIdleSeconds'],
  ['commandIdleMs', 'commandIdleSeconds'],
];

/** The config key a timeout is set with, for messages that say what to change. @public */
export function timeoutSetting(which: keyof KubernetesTimeouts): string {
  return `${KEY}.${SETTINGS.find(([ms]) => ms === which)![1]}`;
}

/**
 * Reads `containerCloud.kubernetes.timeouts` (seconds, more than 0; fractions allowed), each
 * setting left out keeping its default. A bad value stops the backend at start-up, naming the key.
 * @public
 */
export function readKubernetesTimeouts(config: Config): KubernetesTimeouts {
  const timeouts = { ...DEFAULT_KUBERNETES_TIMEOUTS };
  for (const [ms, seconds] of SETTINGS) {
    const key = `${KEY}.${seconds}`;
    const value = config.getOptional(key);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value > 0) || value > 86_400) {
      throw new InputError(
        `${key} must be a number of seconds above 0 and at most 86400, got ${JSON.stringify(
          value,
        )}`,
      );
    }
    timeouts[ms] = Math.round(value * 1000);
  }
  return timeouts;
}

/** Seconds as a person reads them: `30 s`, `0.2 s`. */
export function inSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}

/**
 * A cluster did not answer in time. Answered as 503 (`statusCode`), the message naming the
 * cluster, what it waited for and the setting that says how long.
 * @public
 */
export class ClusterTimeoutError extends Error {
  name = 'ClusterTimeoutError';
  readonly statusCode = 503;
  /** the failure without the cluster's name, as `describeKubeError` gives it */
  readonly reason: string;
  constructor(
    readonly cluster: string,
    what: string,
    ms: number,
    setting: keyof KubernetesTimeouts,
  ) {
    const reason = `${what} did not answer within ${inSeconds(
      ms,
    )} (${timeoutSetting(setting)})`;
    super(`cluster ${cluster}: ${reason}`);
    this.reason = reason;
  }
}
