import type {
  CoreV1Event,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
} from '@kubernetes/client-node';
import {
  KUBERNETES_ID_LABEL,
  reportedQuantityBytes,
  STORAGE_TYPE_LABEL,
  VolumeClaimView,
  VolumeMountView,
} from '@internal/plugin-container-cloud-common';
import { claimVolume, PodSpecWorkload, workloadsWithVolume } from '../mounts';
import type { StorageType } from './storageTypes';

/** When the last Deployment stopped mounting the claim (set by unmount, cleared by mount). */
export const UNMOUNTED_AT_ANNOTATION = 'container-cloud.io/unmounted-at';
/** Who asked for the volume. */
export const CREATED_BY_ANNOTATION = 'container-cloud.io/created-by';

/** The PersistentVolume the backend makes for a claim on a static NFS export. */
export const staticVolumeName = (namespace: string, claim: string) =>
  `cc-nfs-${namespace}-${claim}`;

/** The pod volume name a mount of the claim gets in a Deployment. */
export const podVolumeName = (claim: string) => `pvc-${claim}`;

function toIso(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value instanceof Date ? value.toISOString() : String(value);
}

/** What the backend creates for one volume in one (cluster, namespace). */
export function claimObjects(options: {
  name: string;
  namespace: string;
  kubernetesId: string;
  type: StorageType;
  size: string;
  accessMode: string;
  createdBy: string;
}): { claim: V1PersistentVolumeClaim; volume?: V1PersistentVolume } {
  const { name, namespace, type, size, accessMode } = options;
  const labels = {
    [KUBERNETES_ID_LABEL]: options.kubernetesId,
    [STORAGE_TYPE_LABEL]: type.name,
  };
  const annotations = {
    [CREATED_BY_ANNOTATION]: options.createdBy,
    // nothing mounts it yet: its orphan clock starts now
    [UNMOUNTED_AT_ANNOTATION]: new Date().toISOString(),
  };
  if (!type.nfs) {
    return {
      claim: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name, namespace, labels, annotations },
        spec: {
          accessModes: [accessMode],
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
      metadata: { name: pv, labels },
      spec: {
        capacity: { storage: size },
        accessModes: [accessMode],
        persistentVolumeReclaimPolicy: type.nfs.reclaimPolicy,
        storageClassName: '',
        ...(type.nfs.mountOptions
          ? { mountOptions: type.nfs.mountOptions }
          : {}),
        nfs: {
          server: type.nfs.server,
          path: `${type.nfs.basePath}/${namespace}/${name}`,
        },
        // reserved for this claim: no other claim can take it
        claimRef: { namespace, name },
      },
    },
    claim: {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, namespace, labels, annotations },
      spec: {
        accessModes: [accessMode],
        storageClassName: '',
        volumeName: pv,
        resources: { requests: { storage: size } },
      },
    },
  };
}

/** Why a claim is not Bound, from its newest event. */
export function pendingReason(events: CoreV1Event[]): string | undefined {
  const time = (e: CoreV1Event) =>
    new Date(
      (toIso(e.lastTimestamp) ??
        toIso(e.eventTime as any) ??
        toIso(e.metadata?.creationTimestamp)) ||
        0,
    ).getTime();
  const newest = [...events].sort((a, b) => time(b) - time(a))[0];
  return newest ? `${newest.reason}: ${newest.message}` : undefined;
}

/** One claim as the page shows it. */
export function claimView(
  cluster: string,
  claim: V1PersistentVolumeClaim,
  extra: {
    volume?: V1PersistentVolume;
    reason?: string;
    usedBytes: number | null;
    reclaimPolicy?: string;
  },
): VolumeClaimView {
  const phase = claim.status?.phase;
  const requested = claim.spec?.resources?.requests?.storage ?? '';
  const capacity = claim.status?.capacity?.storage;
  const requestedBytes = reportedQuantityBytes(requested);
  const capacityBytes = capacity ? reportedQuantityBytes(capacity) : undefined;
  return {
    cluster,
    namespace: claim.metadata?.namespace ?? '',
    phase:
      phase === 'Pending' || phase === 'Bound' || phase === 'Lost'
        ? phase
        : 'Unknown',
    ...(phase !== 'Bound' && extra.reason ? { reason: extra.reason } : {}),
    requested,
    ...(capacity ? { capacity } : {}),
    ...(capacityBytes !== undefined ? { capacityBytes } : {}),
    usedBytes: extra.usedBytes,
    accessModes: claim.spec?.accessModes ?? [],
    ...(claim.spec?.storageClassName
      ? { storageClass: claim.spec.storageClassName }
      : {}),
    ...(claim.spec?.volumeName
      ? { persistentVolume: claim.spec.volumeName }
      : {}),
    ...(extra.volume?.spec?.persistentVolumeReclaimPolicy ?? extra.reclaimPolicy
      ? {
          reclaimPolicy:
            extra.volume?.spec?.persistentVolumeReclaimPolicy ??
            extra.reclaimPolicy,
        }
      : {}),
    resizing:
      phase === 'Bound' &&
      requestedBytes !== undefined &&
      capacityBytes !== undefined &&
      requestedBytes > capacityBytes,
    createdAt: toIso(claim.metadata?.creationTimestamp),
  };
}

/**
 * Where the workloads (Deployments, StatefulSets, ... see `podSpecWorkloads`) mount the claim,
 * container by container.
 */
export function mountsOfClaim(
  claim: string,
  workloads: PodSpecWorkload[],
): VolumeMountView[] {
  return workloads.flatMap(w => {
    const spec = w.podSpec;
    const podVolumes = new Set(
      (spec?.volumes ?? []).filter(claimVolume(claim)).map(v => v.name),
    );
    if (podVolumes.size === 0) return [];
    return [
      ...(spec?.initContainers ?? []),
      ...(spec?.containers ?? []),
    ].flatMap(c =>
      (c.volumeMounts ?? [])
        .filter(m => podVolumes.has(m.name))
        .map(m => ({
          cluster: w.cluster,
          namespace: w.namespace,
          deployment: w.name,
          ...(w.kind !== 'Deployment' ? { kind: w.kind } : {}),
          container: c.name,
          path: m.mountPath,
          ...(m.subPath ? { subPath: m.subPath } : {}),
          readOnly: Boolean(m.readOnly),
        })),
    );
  });
}

/** The workloads that name the claim in their pod spec (mounted into a container or not). */
export function workloadsUsingClaim(
  claim: string,
  workloads: PodSpecWorkload[],
): PodSpecWorkload[] {
  return workloadsWithVolume(workloads, claimVolume(claim));
}

/** What a reclaim policy does to the data when the volume is deleted, in words. */
export function reclaimMeaning(
  policy: string | undefined,
  volume?: V1PersistentVolume,
): string {
  const nfs = volume?.spec?.nfs;
  if (policy === 'Delete') {
    return nfs
      ? `the PersistentVolume is deleted; the folder ${nfs.server}:${nfs.path} is not emptied by Kubernetes`
      : 'the provisioner deletes the volume and its data';
  }
  if (policy === 'Retain') {
    return nfs
      ? `the data stays on ${nfs.server}:${nfs.path}; ops can reuse or remove it`
      : 'the volume and its data stay (Released) until ops remove them';
  }
  return policy
    ? `reclaim policy ${policy}`
    : 'not bound yet: there is no data to keep';
}
