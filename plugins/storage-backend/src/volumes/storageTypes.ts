import type { Config } from '@backstage/config';
import { VOLUME_ACCESS_MODES } from '@internal/plugin-container-cloud-common';

const KEY = 'containerCloud.storage.volumes';

/** A static NFS export the backend makes PersistentVolumes on. */
export interface NfsExport {
  server: string;
  basePath: string;
  mountOptions?: string[];
  reclaimPolicy: 'Retain' | 'Delete';
}

/** One storage type of one cluster, as configured. */
export interface StorageType {
  cluster: string;
  name: string;
  title: string;
  storageClass?: string;
  nfs?: NfsExport;
  accessModes: string[];
}

/** The storage types of every cluster (`containerCloud.storage.volumes`), parsed once. */
export interface StorageTypesConfig {
  types: StorageType[];
  orphanAfterDays: number;
}

const typeName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Reads `containerCloud.storage.volumes`; a mistake is an error naming the key to change (the
 * backend does not start with it). Clusters not in `clusterNames` are refused.
 */
export function readStorageTypes(
  config: Config,
  clusterNames: string[],
): StorageTypesConfig {
  const volumes = config.getOptionalConfig(KEY);
  const types: StorageType[] = [];
  (volumes?.getOptionalConfigArray('clusters') ?? []).forEach((c, i) => {
    const cluster = c.getString('cluster');
    if (!clusterNames.includes(cluster)) {
      throw new Error(
        `${KEY}.clusters[${i}].cluster: '${cluster}' is not a configured cluster (kubernetes.clusterLocatorMethods has: ${
          clusterNames.join(', ') || 'none'
        })`,
      );
    }
    c.getConfigArray('types').forEach((t, j) => {
      const at = `${KEY}.clusters[${i}].types[${j}]`;
      const name = t.getString('name');
      if (!typeName.test(name)) {
        throw new Error(
          `${at}.name: '${name}' must be lower-case letters, digits and dashes`,
        );
      }
      if (types.some(x => x.cluster === cluster && x.name === name)) {
        throw new Error(
          `${at}.name: cluster ${cluster} declares type '${name}' twice`,
        );
      }
      const storageClass = t.getOptionalString('storageClass');
      const nfsConfig = t.getOptionalConfig('nfs');
      if (Boolean(storageClass) === Boolean(nfsConfig)) {
        throw new Error(`${at}: give exactly one of storageClass and nfs`);
      }
      let nfs: NfsExport | undefined;
      if (nfsConfig) {
        const basePath = nfsConfig.getString('basePath');
        if (!basePath.startsWith('/')) {
          throw new Error(`${at}.nfs.basePath: must be an absolute path`);
        }
        const reclaimPolicy =
          nfsConfig.getOptionalString('reclaimPolicy') ?? 'Retain';
        if (reclaimPolicy !== 'Retain' && reclaimPolicy !== 'Delete') {
          throw new Error(`${at}.nfs.reclaimPolicy: Retain or Delete`);
        }
        nfs = {
          server: nfsConfig.getString('server'),
          basePath: basePath.replace(/\/+$/, ''),
          mountOptions: nfsConfig.getOptionalStringArray('mountOptions'),
          reclaimPolicy,
        };
      }
      const accessModes = t.getOptionalStringArray('accessModes') ?? [
        ...VOLUME_ACCESS_MODES,
      ];
      for (const mode of accessModes) {
        if (!(VOLUME_ACCESS_MODES as readonly string[]).includes(mode)) {
          throw new Error(
            `${at}.accessModes: '${mode}' is none of ${VOLUME_ACCESS_MODES.join(
              ', ',
            )}`,
          );
        }
      }
      types.push({
        cluster,
        name,
        title: t.getOptionalString('title') ?? name,
        storageClass,
        nfs,
        accessModes,
      });
    });
  });
  const orphanAfterDays = volumes?.getOptionalNumber('orphanAfterDays') ?? 7;
  if (!(orphanAfterDays > 0)) {
    throw new Error(`${KEY}.orphanAfterDays: a number of days above 0`);
  }
  return { types, orphanAfterDays };
}
