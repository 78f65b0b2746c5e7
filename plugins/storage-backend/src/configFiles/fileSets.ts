import { createHash } from 'node:crypto';
import type { V1Deployment } from '@kubernetes/client-node';
import {
  ConfigFileClusterState,
  ConfigFileInfo,
  configFileFormat,
  ConfigFileMountView,
  ConfigFileSet,
  ConfigFileVersionSummary,
} from '@internal/plugin-container-cloud-common';
import type { ClusterObject, Placement } from './clusterObjects';
import { objectName } from './clusterObjects';
import {
  annotatedVersion,
  annotationKey,
  mountsOf,
} from '../mounts/fileSetMounts';
import type { StoredSet } from './ConfigFileStore';

const sha256 = (text: string) =>
  createHash('sha256').update(text).digest('hex');

/** Files in name order, so checksums do not depend on the order a request listed them. */
export function sortedFiles(
  files: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    Object.keys(files)
      .sort()
      .map(name => [name, files[name]]),
  );
}

/** sha256 over every file's name and text. */
export function setChecksum(files: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const [name, text] of Object.entries(sortedFiles(files))) {
    hash.update(name).update('\0').update(text).update('\0');
  }
  return hash.digest('hex');
}

/**
 * Whether someone edited the object in the cluster since the portal wrote it: its text no longer
 * matches the checksum our write left (an object without one, e.g. adopted, counts as edited when
 * it differs from `expectedChecksum`, the version the portal believes it holds).
 */
export function editedInCluster(
  o: ClusterObject,
  expectedChecksum?: string,
): boolean {
  if (o.checksum) return setChecksum(o.files) !== o.checksum;
  return expectedChecksum ? setChecksum(o.files) !== expectedChecksum : false;
}

/** What every reader may see of the files: names, formats, sizes and checksums. */
export function fileInfos(files: Record<string, string>): ConfigFileInfo[] {
  return Object.entries(sortedFiles(files)).map(([name, text]) => ({
    name,
    format: configFileFormat(name),
    bytes: Buffer.byteLength(text),
    checksum: sha256(text),
  }));
}

/** What one (cluster, namespace) held when the page asked. */
export interface ClusterSnapshot extends Placement {
  deployments: V1Deployment[];
  /** the file sets' objects labelled with the service's id, by set name */
  configMaps: Map<string, ClusterObject>;
  secrets: Map<string, ClusterObject>;
  error?: string;
}

/** A set as the page shows it, from the database row and what each cluster holds. */
export function setView(
  set: StoredSet,
  current: ConfigFileVersionSummary,
  snapshots: ClusterSnapshot[],
): ConfigFileSet {
  const clusters: ConfigFileClusterState[] = snapshots.map(s => {
    const o = (set.secret ? s.secrets : s.configMaps).get(set.name);
    return {
      cluster: s.cluster,
      namespace: s.namespace,
      version: o?.version ?? null,
      resourceVersion: o?.resourceVersion ?? null,
      editedInCluster: o ? editedInCluster(o, current.checksum) : false,
      ...(s.error ? { error: s.error } : {}),
    };
  });
  const mounts: ConfigFileMountView[] = snapshots.flatMap(s => {
    const held = (set.secret ? s.secrets : s.configMaps).get(set.name);
    return s.deployments.flatMap(d =>
      mountsOf(d, set.name).map(m => {
        const runningVersion =
          m.mode === 'folder'
            ? held?.version ?? null
            : annotatedVersion(
                d.spec?.template.metadata?.annotations?.[
                  annotationKey(set.name)
                ],
              );
        return {
          cluster: s.cluster,
          namespace: s.namespace,
          deployment: d.metadata?.name ?? '',
          container: m.container,
          path: m.path,
          mode: m.mode,
          runningVersion,
          current: runningVersion === set.currentVersion,
        };
      }),
    );
  });
  return {
    name: set.name,
    secret: set.secret,
    objectName: objectName(set.kubernetesId, set.name),
    currentVersion: set.currentVersion,
    checksum: current.checksum,
    updatedBy: current.createdBy,
    updatedAt: current.createdAt,
    files: current.files,
    clusters,
    mounts,
  };
}
