import {
  ClusterWriteError,
  type ContainerCloudClusters,
} from '@internal/plugin-container-cloud-node';
import { ApiException } from '@kubernetes/client-node';
import type { SecretReader } from './appStoreSecrets';

/** Reads Secrets of one cluster with the cluster layer's credentials (404: undefined). */
export function secretReader(
  clusters: ContainerCloudClusters,
  cluster: string,
): SecretReader {
  return async (namespace, name) => {
    try {
      return await clusters
        .connection(cluster)
        .core.readNamespacedSecret({ namespace, name });
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw new ClusterWriteError(
        cluster,
        `could not read the Secret ${namespace}/${name}: ${
          (error as Error).message
        }`,
        error,
      );
    }
  };
}
