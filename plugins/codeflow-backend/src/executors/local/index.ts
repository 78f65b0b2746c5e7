import type { Config } from '@backstage/config';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { BuildExecutor } from '../types';
import { readLocalExecutorSettings } from './config';
import { LocalExecutor } from './LocalExecutor';

export { LocalExecutor } from './LocalExecutor';
export { readLocalExecutorSettings } from './config';
export type { LocalExecutorSettings } from './config';

/**
 * The local executor (git + buildah on the backend's host), from `containerCloud.codeflow.local`,
 * `containerCloud.codeflow.registry` and `containerCloud.codeflow.credentials`. Throws in words on
 * a bad setting (e.g. `buildUser: 0`).
 */
export function localExecutorFromConfig(
  config: Config,
  deps: { logger: LoggerService },
): BuildExecutor {
  return new LocalExecutor(readLocalExecutorSettings(config), deps);
}
