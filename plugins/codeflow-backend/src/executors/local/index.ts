import type { Config } from '@backstage/config';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { BuildExecutor } from '../types';

/**
 * The local executor (git + buildah on the backend's host), from `containerCloud.codeflow.local`
 * and `containerCloud.codeflow.registry`. Being built.
 */
export function localExecutorFromConfig(
  config: Config,
  deps: { logger: LoggerService },
): BuildExecutor {
  void config;
  void deps;
  return {
    id: 'local',
    async build() {
      throw new Error('the local executor is not built yet');
    },
  };
}
