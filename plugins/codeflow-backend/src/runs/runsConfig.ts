import type { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';

/** `containerCloud.codeflow.runs` and `.registry`, read once (see config.d.ts). */
export interface RunsConfig {
  /** runs building at once, over every backend replica */
  concurrency: number;
  timeoutMinutes: number;
  /** a newer webhook push of a codeflow: queue behind the older run, or replace it */
  onNewPush: 'queue' | 'supersede';
  /** the bytes of log kept per run */
  maxLogBytes: number;
  /** where built images go; undefined: not configured (a run fails in words) */
  registry: {
    repository: string | undefined;
    insecure: boolean;
    /** a name in containerCloud.codeflow.credentials */
    credentials: string | null;
  };
  /** the executor `containerCloud.codeflow.executor` names */
  executor: string;
}

const RUNS = 'containerCloud.codeflow.runs';

function positive(
  value: number | undefined,
  key: string,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new InputError(`${key} is a number above 0 (it is ${value})`);
  }
  return value;
}

/** Reads the runs' settings; throws in words on a value that cannot be used. */
export function readRunsConfig(config: Config): RunsConfig {
  const runs = config.getOptionalConfig(RUNS);
  const onNewPush = runs?.getOptionalString('onNewPush') ?? 'queue';
  if (onNewPush !== 'queue' && onNewPush !== 'supersede') {
    throw new InputError(
      `${RUNS}.onNewPush is queue or supersede (it is ${onNewPush})`,
    );
  }
  const registry = config.getOptionalConfig('containerCloud.codeflow.registry');
  return {
    concurrency: Math.floor(
      positive(
        runs?.getOptionalNumber('concurrency'),
        `${RUNS}.concurrency`,
        2,
      ),
    ),
    timeoutMinutes: positive(
      runs?.getOptionalNumber('timeoutMinutes'),
      `${RUNS}.timeoutMinutes`,
      30,
    ),
    onNewPush,
    maxLogBytes: Math.floor(
      positive(
        runs?.getOptionalNumber('maxLogBytes'),
        `${RUNS}.maxLogBytes`,
        5 * 1024 * 1024,
      ),
    ),
    registry: {
      repository: registry
        ?.getOptionalString('repository')
        ?.replace(/\/+$/, ''),
      insecure: registry?.getOptionalBoolean('insecure') ?? false,
      credentials: registry?.getOptionalString('credentials') ?? null,
    },
    executor:
      config.getOptionalString('containerCloud.codeflow.executor') ?? 'local',
  };
}
