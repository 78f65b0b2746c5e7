import type { Config } from '@backstage/config';
import type { BuildJobSettings } from './jobSpec';

const KEY = 'containerCloud.codeflow.kubernetes';

/** The builder image when none is configured: BuildKit, rootless. */
export const DEFAULT_BUILDER_IMAGE = 'moby/buildkit:v0.17.0-rootless';

/** `containerCloud.codeflow.kubernetes`: the cluster builds run in, and how their Jobs are made. */
export interface KubernetesBuildConfig {
  cluster: string;
  settings: BuildJobSettings;
}

function positive(config: Config, key: string): number | undefined {
  const value = config.getOptionalNumber(key);
  if (value !== undefined && (!Number.isInteger(value) || value <= 0)) {
    throw new Error(
      `${KEY}.${key} is a positive whole number (it is ${value})`,
    );
  }
  return value;
}

function quantities(config: Config | undefined, key: string) {
  const part = config?.getOptionalConfig(key);
  if (!part) return undefined;
  return {
    cpu: part.getOptionalString('cpu'),
    memory: part.getOptionalString('memory'),
  };
}

/**
 * Reads `containerCloud.codeflow.kubernetes`, checking at start-up what a Job would otherwise
 * refuse at the first run: a cluster among `clusters` (the configured ones), a namespace name,
 * a numeric non-root user, mount paths of Secrets.
 */
export function kubernetesBuildConfig(
  config: Config,
  clusters: readonly string[],
): KubernetesBuildConfig {
  const k = config.getOptionalConfig(KEY);
  if (!k) {
    throw new Error(
      `containerCloud.codeflow.executor is kubernetes, but ${KEY} is not configured: set its cluster and namespace`,
    );
  }
  const cluster = k.getString('cluster');
  if (!clusters.includes(cluster)) {
    throw new Error(
      `${KEY}.cluster is ${cluster}, which is none of the configured clusters (${
        clusters.join(', ') || 'none'
      })`,
    );
  }
  const namespace = k.getString('namespace');
  if (
    !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) ||
    namespace.length > 63
  ) {
    throw new Error(`${KEY}.namespace is no namespace name: ${namespace}`);
  }
  const runAsUser = k.getOptionalNumber('runAsUser');
  if (
    runAsUser !== undefined &&
    (!Number.isInteger(runAsUser) || runAsUser <= 0)
  ) {
    throw new Error(
      `${KEY}.runAsUser is the numeric user builds run as, never root (0): it is ${runAsUser}`,
    );
  }
  const secrets = (k.getOptionalConfigArray('secrets') ?? []).map((s, i) => {
    const mountPath = s.getString('mountPath');
    if (!mountPath.startsWith('/') || mountPath.split('/').includes('..')) {
      throw new Error(
        `${KEY}.secrets[${i}].mountPath is an absolute path without ..: ${mountPath}`,
      );
    }
    return { secret: s.getString('secret'), mountPath };
  });
  const resources = k.getOptionalConfig('resources');
  const timeoutMinutes = positive(k, 'timeoutMinutes');
  const keepSeconds = positive(k, 'ttlSecondsAfterFinished');
  const requests = quantities(resources, 'requests');
  const limits = quantities(resources, 'limits');
  return {
    cluster,
    settings: {
      namespace,
      builderImage:
        k.getOptionalString('builderImage') ?? DEFAULT_BUILDER_IMAGE,
      ...(runAsUser !== undefined ? { runAsUser } : {}),
      ...(requests || limits ? { resources: { requests, limits } } : {}),
      ...(k.getOptionalString('cacheClaim')
        ? { cacheClaim: k.getString('cacheClaim') }
        : {}),
      ...(secrets.length > 0 ? { secrets } : {}),
      ...(k.getOptionalString('serviceAccountName')
        ? { serviceAccountName: k.getString('serviceAccountName') }
        : {}),
      ...(timeoutMinutes !== undefined
        ? { timeoutSeconds: timeoutMinutes * 60 }
        : {}),
      ...(keepSeconds !== undefined ? { keepSeconds } : {}),
    },
  };
}
