import type { Config } from '@backstage/config';
import type { CodeflowDeps } from '../deps';
import type { BuildExecutor } from './types';

/**
 * The executor `containerCloud.codeflow.executor` names (`local`, the default; `kubernetes`;
 * `jenkins`). Being built: the local executor and the adapters of the Kubernetes Job and Jenkins
 * executors come next.
 */
export function createBuildExecutor(
  config: Config,
  deps: Pick<CodeflowDeps, 'logger' | 'clusters'>,
): BuildExecutor {
  void deps;
  const id = config.getOptionalString('containerCloud.codeflow.executor') ?? 'local';
  return {
    id: id as BuildExecutor['id'],
    async build() {
      throw new Error(`the ${id} executor is not built yet`);
    },
  };
}
