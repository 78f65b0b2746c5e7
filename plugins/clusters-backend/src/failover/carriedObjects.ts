import type { Config } from '@backstage/config';
import type {
  V1Deployment,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Secret,
} from '@kubernetes/client-node';
import {
  KUBERNETES_ID_LABEL,
  STORAGE_TYPE_LABEL,
} from '@internal/plugin-container-cloud-common';

/** A Secret a Deployment's pods read; an optional one may be missing. */
export interface SecretReference {
  name: string;
  optional: boolean;
}

/**
 * The Secrets a Deployment's pods read (volumes, projected volumes, env, envFrom) and pull images
 * with, each named once; required when any use of it is.
 */
export function referencedSecrets(deployment: V1Deployment): SecretReference[] {
  const pod = deployment.spec?.template?.spec;
  const found = new Map<string, boolean>();
  const add = (name: string | undefined, optional: boolean | undefined) => {
    if (!name) return;
    found.set(name, (found.get(name) ?? true) && Boolean(optional));
  };
  for (const volume of pod?.volumes ?? []) {
    add(volume.secret?.secretName, volume.secret?.optional);
    for (const source of volume.projected?.sources ?? []) {
      add(source.secret?.name, source.secret?.optional);
    }
  }
  for (const c of [
    ...(pod?.containers ?? []),
    ...(pod?.initContainers ?? []),
  ]) {
    for (const from of c.envFrom ?? []) {
      add(from.secretRef?.name, from.secretRef?.optional);
    }
    for (const env of c.env ?? []) {
      const ref = env.valueFrom?.secretKeyRef;
      add(ref?.name, ref?.optional);
    }
  }
  // a missing pull secret does not stop a pod, but its image may then not be pulled
  for (const pull of pod?.imagePullSecrets ?? []) add(pull.name, false);
  return [...found.entries()]
    .map(([name, optional]) => ({ name, optional }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The PersistentVolumeClaims a Deployment's pods mount, each named once. */
export function referencedClaims(deployment: V1Deployment): string[] {
  const names = new Set<string>();
  for (const volume of deployment.spec?.template?.spec?.volumes ?? []) {
    if (volume.persistentVolumeClaim?.claimName) {
      names.add(volume.persistentVolumeClaim.claimName);
    }
  }
  return [...names].sort();
}

/** A storage type of one cluster, as the storage module's config declares it. */
export interface ClusterStorageType {
  name: string;
  storageClass?: string;
  nfs?: {
    server: string;
    basePath: string;
    mountOptions?: string[];
    reclaimPolicy: string;
  };
}

/**
 * The storage types per cluster from the storage module's configuration
 * (`containerCloud.storage.volumes.clusters`), read leniently: the storage backend checks it and
 * refuses to start on a mistake, this only needs to know which type a cluster has.
 */
export function readStorageTypes(
  config: Config,
): Map<string, Map<string, ClusterStorageType>> {
  const result = new Map<string, Map<string, ClusterStorageType>>();
  const clusters =
    config.getOptionalConfigArray('containerCloud.storage.volumes.clusters') ??
    [];
  for (const c of clusters) {
    const cluster = c.getOptionalString('cluster');
    if (!cluster) continue;
    const types = result.get(cluster) ?? new Map();
    for (const t of c.getOptionalConfigArray('types') ?? []) {
      const name = t.getOptionalString('name');
      if (!name) continue;
      const nfs = t.getOptionalConfig('nfs');
      types.set(name, {
        name,
        storageClass: t.getOptionalString('storageClass'),
        nfs: nfs && {
          server: nfs.getString('server'),
          basePath: nfs.getString('basePath').replace(/\/+$/, ''),
          mountOptions: nfs.getOptionalStringArray('mountOptions'),
          reclaimPolicy: nfs.getOptionalString('reclaimPolicy') ?? 'Retain',
        },
      });
    }
    result.set(cluster, types);
  }
  return result;
}

/** The storage module's name for the PersistentVolume of a claim on a static NFS export. */
const staticVolumeName = (namespace: string, claim: string) =>
  `cc-nfs-${namespace}-${claim}`;

/**
 * The claim to make in the target from the source's, of the target's storage type of the same
 * name, as the storage module makes it there (an NFS export: the PersistentVolume on the target's
 * export, reserved for the claim). The data is not copied: the claim starts empty, or finds what
 * the target's export already holds at that path.
 */
export function claimForTarget(
  source: V1PersistentVolumeClaim,
  type: ClusterStorageType,
  from: { cluster: string; runId: string; annotations: Record<string, string> },
): { claim: V1PersistentVolumeClaim; volume?: V1PersistentVolume } {
  const name = source.metadata!.name!;
  const namespace = source.metadata!.namespace!;
  const labels = {
    ...source.metadata?.labels,
    [STORAGE_TYPE_LABEL]: type.name,
  };
  const annotations = { ...from.annotations };
  for (const [key, value] of Object.entries(
    source.metadata?.annotations ?? {},
  )) {
    // the storage module's own (who made it, the orphan clock) travel; the cluster's do not
    if (key.startsWith('container-cloud.io/')) annotations[key] = value;
  }
  const size = source.spec?.resources?.requests?.storage ?? '1Gi';
  const accessModes = source.spec?.accessModes ?? ['ReadWriteOnce'];
  const meta = { name, namespace, labels, annotations };
  if (!type.nfs) {
    return {
      claim: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: meta,
        spec: {
          accessModes,
          storageClassName: type.storageClass,
          resources: { requests: { storage: size } },
        },
      },
    };
  }
  const pv = staticVolumeName(namespace, name);
  return {
    volume: {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: {
        name: pv,
        labels,
        annotations: from.annotations,
      },
      spec: {
        capacity: { storage: size },
        accessModes,
        persistentVolumeReclaimPolicy: type.nfs.reclaimPolicy,
        storageClassName: '',
        ...(type.nfs.mountOptions
          ? { mountOptions: type.nfs.mountOptions }
          : {}),
        nfs: {
          server: type.nfs.server,
          path: `${type.nfs.basePath}/${namespace}/${name}`,
        },
        claimRef: { namespace, name },
      },
    },
    claim: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta,
      spec: {
        accessModes,
        storageClassName: '',
        volumeName: pv,
        resources: { requests: { storage: size } },
      },
    },
  };
}

/** The Secret to create in the target: its data and type, nothing the source cluster owns. */
export function secretForTarget(
  source: V1Secret,
  annotations: Record<string, string>,
): V1Secret {
  const meta = source.metadata ?? {};
  const kept = { ...meta.annotations };
  delete kept['kubectl.kubernetes.io/last-applied-configuration'];
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      labels: meta.labels,
      annotations: { ...kept, ...annotations },
    },
    type: source.type,
    data: source.data,
    ...(source.immutable ? { immutable: true } : {}),
  };
}

/** Whether a claim belongs to the service (its kubernetes id label), for the target's check. */
export const claimOf = (claim: V1PersistentVolumeClaim) =>
  claim.metadata?.labels?.[KUBERNETES_ID_LABEL];
