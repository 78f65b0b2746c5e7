import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { KubernetesTimeouts, readKubernetesTimeouts } from './timeouts';

/** One cluster as Container Cloud talks to it. @public */
export interface ClusterDetails {
  name: string;
  url: string;
  serviceAccountToken?: string;
  caData?: string;
  caFile?: string;
  skipTLSVerify: boolean;
  /** how long to wait for this cluster; default DEFAULT_KUBERNETES_TIMEOUTS */
  timeouts?: KubernetesTimeouts;
}

/**
 * Reads the `config` cluster locators of `kubernetes.clusterLocatorMethods` (Backstage's own
 * format). Mistakes are reported once, at start-up, naming the offending entry.
 * @public
 */
export function readClusterConfig(config: Config): ClusterDetails[] {
  const methods = config.getOptionalConfigArray(
    'kubernetes.clusterLocatorMethods',
  );
  const clusters: ClusterDetails[] = [];
  const seen = new Set<string>();
  const timeouts = readKubernetesTimeouts(config);
  for (const method of methods ?? []) {
    if (method.getString('type') !== 'config') continue;
    for (const cluster of method.getOptionalConfigArray('clusters') ?? []) {
      const name = cluster.getString('name');
      const authProvider =
        cluster.getOptionalString('authProvider') ?? 'serviceAccount';
      if (authProvider !== 'serviceAccount') {
        throw new InputError(
          `kubernetes cluster '${name}': authProvider '${authProvider}' is not supported by Container Cloud; use serviceAccount`,
        );
      }
      if (seen.has(name)) {
        throw new InputError(
          `kubernetes cluster '${name}' is listed twice; cluster names must be unique`,
        );
      }
      seen.add(name);
      const url = cluster.getString('url');
      if (!URL.canParse(url)) {
        throw new InputError(
          `kubernetes cluster '${name}': url '${url}' is not a URL`,
        );
      }
      clusters.push({
        name,
        url,
        serviceAccountToken: cluster.getOptionalString('serviceAccountToken'),
        caData: cluster.getOptionalString('caData'),
        caFile: cluster.getOptionalString('caFile'),
        skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify') ?? false,
        timeouts,
      });
    }
  }
  return clusters;
}
