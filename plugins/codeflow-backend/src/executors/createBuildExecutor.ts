import type { Config } from '@backstage/config';
import type { CodeflowDeps } from '../deps';
import { jenkinsExecutorFromConfig } from './jenkins/config';
import { JenkinsBuildExecutor } from './jenkins/JenkinsBuildExecutor';
import { kubernetesBuildConfig } from './kubernetes/config';
import { KubernetesBuildExecutor } from './kubernetes/KubernetesBuildExecutor';
import { KubernetesJobExecutor } from './kubernetes/KubernetesJobExecutor';
import { localExecutorFromConfig } from './local';
import type { BuildExecutor } from './types';

const KEY = 'containerCloud.codeflow.executor';

/**
 * The executor `containerCloud.codeflow.executor` names: `local` (the default: git and buildah
 * on the backend's host), `kubernetes` (a Job per run in `containerCloud.codeflow.kubernetes`'s
 * cluster) or `jenkins` (a pipeline job per codeflow on `containerCloud.codeflow.jenkins`).
 * Anything else, or the chosen executor's missing or wrong settings, stops the start-up with
 * the key to change.
 */
export function createBuildExecutor(
  config: Config,
  deps: Pick<CodeflowDeps, 'logger'> & {
    clusters: Pick<CodeflowDeps['clusters'], 'names' | 'connection'>;
  },
): BuildExecutor {
  const id = config.getOptionalString(KEY) ?? 'local';
  const registryInsecure =
    config.getOptionalBoolean('containerCloud.codeflow.registry.insecure') ??
    false;
  switch (id) {
    case 'local':
      return localExecutorFromConfig(config, { logger: deps.logger });
    case 'kubernetes': {
      const { cluster, settings } = kubernetesBuildConfig(
        config,
        deps.clusters.names,
      );
      const jobs = new KubernetesJobExecutor(
        deps.clusters.connection(cluster).kubeConfig,
        settings,
      );
      deps.logger.info(
        `codeflow builds run as Kubernetes Jobs in ${cluster}/${settings.namespace} (${settings.builderImage})`,
      );
      return new KubernetesBuildExecutor(jobs, { registryInsecure });
    }
    case 'jenkins': {
      const jenkins = jenkinsExecutorFromConfig(config);
      if (!jenkins) {
        throw new Error(
          `${KEY} is jenkins, but containerCloud.codeflow.jenkins is not configured: set its baseUrl and credentials`,
        );
      }
      deps.logger.info(
        `codeflow builds run on Jenkins at ${config.getString(
          'containerCloud.codeflow.jenkins.baseUrl',
        )}`,
      );
      return new JenkinsBuildExecutor(jenkins, { registryInsecure });
    }
    default:
      throw new Error(
        `${KEY} is ${JSON.stringify(
          id,
        )}: it must be local (the default), kubernetes or jenkins`,
      );
  }
}
