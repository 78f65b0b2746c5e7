import { LocalCloudError } from './errors';
import { KubeRest } from './kubeRest';
import { KUBERNETES_ID_LABEL } from './seed';

/**
 * The local cloud's StorageClass for dynamic volumes. No provisioner serves it (kwok runs no
 * CSI driver), so a claim of this class stays Pending, as it would in a cluster whose
 * provisioner is down: the page then shows the reason from the claim's events. The volumes that
 * really bind use the static NFS export.
 */
export const LOCAL_STORAGE_CLASS = 'local-cloud-standard';

/** The provisioner the class names; nothing in the local cloud answers to it. */
export const LOCAL_STORAGE_PROVISIONER = 'local-cloud.container-cloud.io/none';

/**
 * The static NFS export of one cluster. No NFS server runs: the control plane binds a claim to a
 * PersistentVolume with an `nfs` source without ever reaching the server (kwok's pods mount
 * nothing), so the volumes are Bound as on a real platform.
 */
export function localNfsExport(cluster: string) {
  return { server: 'nfs.local-cloud.test', basePath: `/exports/${cluster}` };
}

// the storage backend's names (plugins/storage-backend), repeated here: local-cloud depends on
// no plugin
const STORAGE_TYPE_LABEL = 'container-cloud.io/storage-type';
const CONFIG_FILES_LABEL = 'container-cloud.io/config-files';
/** The PersistentVolume the storage backend makes for a claim on a static NFS export. */
const staticVolumeName = (namespace: string, claim: string) =>
  `cc-nfs-${namespace}-${claim}`;

/** `containerCloud.storage.volumes` of the app-config overlay: both types in every cluster. */
export function storageAppConfig(clusters: string[]) {
  return {
    volumes: {
      clusters: clusters.map(cluster => ({
        cluster,
        types: [
          {
            name: 'nfs',
            title: 'NFS export (static, binds at once)',
            nfs: { ...localNfsExport(cluster), reclaimPolicy: 'Retain' },
          },
          {
            name: 'standard',
            title: 'Standard (dynamic; no provisioner on the local cloud)',
            storageClass: LOCAL_STORAGE_CLASS,
          },
        ],
      })),
      orphanAfterDays: 7,
    },
  };
}

/** Declares the local cloud's StorageClass (idempotent). */
export async function applyStorageClass(api: KubeRest): Promise<void> {
  await api.apply(
    `/apis/storage.k8s.io/v1/storageclasses/${LOCAL_STORAGE_CLASS}`,
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: { name: LOCAL_STORAGE_CLASS },
      provisioner: LOCAL_STORAGE_PROVISIONER,
      reclaimPolicy: 'Delete',
      allowVolumeExpansion: true,
      volumeBindingMode: 'Immediate',
    },
  );
}

/** The service the seed gives a volume and a config file set. */
export const STORAGE_SEED = {
  service: 'payments-api',
  namespace: 'payments',
  volume: 'payments-data',
  size: '1Gi',
  configMap: 'payments-api-app-config',
};

/**
 * Gives the seeded service a volume on the NFS export (bound, mounted nowhere) and one config
 * file set (a ConfigMap the config-files backend adopts as its version 1), in every cluster it
 * runs in; then waits for the claims to be Bound.
 */
export async function seedStorage(
  clusters: Array<{ name: string; api: KubeRest }>,
  progress: (line: string) => void = () => {},
): Promise<void> {
  const { service, namespace, volume, size, configMap } = STORAGE_SEED;
  const labels = { [KUBERNETES_ID_LABEL]: service };
  for (const { name, api } of clusters) {
    await applyStorageClass(api);
    const pv = staticVolumeName(namespace, volume);
    const { server, basePath } = localNfsExport(name);
    await api.apply(`/api/v1/persistentvolumes/${pv}`, {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: {
        name: pv,
        labels: { ...labels, [STORAGE_TYPE_LABEL]: 'nfs' },
      },
      spec: {
        capacity: { storage: size },
        accessModes: ['ReadWriteMany'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: '',
        nfs: { server, path: `${basePath}/${namespace}/${volume}` },
        claimRef: { namespace, name: volume },
      },
    });
    await api.apply(
      `/api/v1/namespaces/${namespace}/persistentvolumeclaims/${volume}`,
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name: volume,
          namespace,
          labels: { ...labels, [STORAGE_TYPE_LABEL]: 'nfs' },
        },
        spec: {
          accessModes: ['ReadWriteMany'],
          storageClassName: '',
          volumeName: pv,
          resources: { requests: { storage: size } },
        },
      },
    );
    await api.apply(`/api/v1/namespaces/${namespace}/configmaps/${configMap}`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: configMap,
        namespace,
        labels: { ...labels, [CONFIG_FILES_LABEL]: 'app-config' },
      },
      data: { 'application.yaml': 'server:\n  port: 8080\n' },
    });
  }
  for (const { name, api } of clusters) {
    await waitBound(api, name, namespace, volume);
  }
  progress(
    `  ${namespace}/${service}: volume ${volume} (Bound, on the NFS export) and config files ${configMap} on ${clusters
      .map(c => c.name)
      .join(', ')}`,
  );
}

async function waitBound(
  api: KubeRest,
  cluster: string,
  namespace: string,
  claim: string,
) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await api.expect(
      'GET',
      `/api/v1/namespaces/${namespace}/persistentvolumeclaims/${claim}`,
    );
    if (res.body.status?.phase === 'Bound') return;
    if (Date.now() > deadline) {
      throw new LocalCloudError(
        `claim ${namespace}/${claim} in ${cluster} is not Bound after 60 s (phase ${res.body.status?.phase}); see kube-controller-manager's log`,
      );
    }
    await new Promise(resolve => setTimeout(resolve, 500));
  }
}
