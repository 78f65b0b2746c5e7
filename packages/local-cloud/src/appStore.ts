import { KubeRest } from './kubeRest';
import { localNfsExport } from './storage';

/**
 * The app store's part of the local cloud: where its charts live in the local registry, and the
 * `containerCloud.appStore` config that points the app store backend at them and at the helm
 * program local-cloud built.
 */

/** The registry path the project's charts are pushed under: oci://127.0.0.1:<port>/charts/<name>. */
export const CHARTS_PATH = 'charts';

/** The OCI repository of the project's charts in the local registry. */
export function chartsRepository(registryPort: number): string {
  return `oci://127.0.0.1:${registryPort}/${CHARTS_PATH}`;
}

/** `containerCloud.appStore` of the generated app-config (keys: plugins/app-store-backend/config.d.ts). */
export function appStoreAppConfig(helm: string, registryPort: number) {
  return {
    helm,
    repositories: [
      {
        name: 'local',
        url: chartsRepository(registryPort),
        // the local registry speaks plain HTTP on loopback
        plainHttp: true,
      },
    ],
  };
}

/**
 * The app store's volumes on the local cloud. Its charts claim volumes through StatefulSets'
 * volumeClaimTemplates of the cluster's default StorageClass; no provisioner runs here (kwok has no
 * CSI driver), so the local cloud keeps a pool of static PersistentVolumes of this class (on the
 * static NFS export, which nothing really serves: kwok's pods mount nothing) that the
 * controller-manager's binder binds claims to, the smallest that fits. A volume whose claim is
 * gone (Released: the instance was uninstalled) goes back into the pool on the next `up` or `seed`.
 */
export const APP_STORE_STORAGE_CLASS = 'local-cloud-static';

/** Labels the pool's PersistentVolumes carry. */
export const APP_STORE_POOL_LABEL =
  'local-cloud.container-cloud.io/volume-pool';

/** How many volumes of each size the pool keeps per cluster (chart sizes: 1Gi to 10Ti). */
export const APP_STORE_POOL: ReadonlyArray<readonly [string, number]> = [
  ['8Gi', 40],
  ['20Gi', 8],
  ['100Gi', 4],
  ['1Ti', 2],
  ['10Ti', 2],
];

/** The pool's volume names of one cluster, e.g. app-store-8gi-007. */
export function poolVolumeNames(): Array<{ name: string; size: string }> {
  return APP_STORE_POOL.flatMap(([size, count]) =>
    Array.from({ length: count }, (_, i) => ({
      name: `app-store-${size.toLowerCase()}-${String(i).padStart(3, '0')}`,
      size,
    })),
  );
}

/** What ensureAppStoreVolumes did in one cluster. */
export interface VolumePoolResult {
  created: number;
  recycled: number;
  available: number;
}

/**
 * Declares the default StorageClass, creates the pool's missing volumes and returns Released ones
 * to the pool (their claim deleted). Idempotent; a few requests when nothing is missing.
 */
export async function ensureAppStoreVolumes(
  api: KubeRest,
  cluster: string,
): Promise<VolumePoolResult> {
  await api.apply(
    `/apis/storage.k8s.io/v1/storageclasses/${APP_STORE_STORAGE_CLASS}`,
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: APP_STORE_STORAGE_CLASS,
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      // static volumes only: claims bind to the pool's PersistentVolumes
      provisioner: 'kubernetes.io/no-provisioner',
      reclaimPolicy: 'Retain',
      volumeBindingMode: 'Immediate',
    },
  );
  const listed = await api.expect(
    'GET',
    `/api/v1/persistentvolumes?labelSelector=${encodeURIComponent(
      `${APP_STORE_POOL_LABEL}=app-store`,
    )}`,
  );
  const existing = new Map<string, any>(
    (listed.body.items ?? []).map((pv: any) => [pv.metadata.name, pv]),
  );
  const { server, basePath } = localNfsExport(cluster);
  const missing = poolVolumeNames().filter(({ name }) => !existing.has(name));
  // a few requests at a time: a fresh cluster makes the whole pool during its first 'up'
  const queue = [...missing];
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { name, size } = next;
        await api.apply(`/api/v1/persistentvolumes/${name}`, {
          apiVersion: 'v1',
          kind: 'PersistentVolume',
          metadata: { name, labels: { [APP_STORE_POOL_LABEL]: 'app-store' } },
          spec: {
            capacity: { storage: size },
            accessModes: ['ReadWriteOnce', 'ReadWriteMany'],
            persistentVolumeReclaimPolicy: 'Retain',
            storageClassName: APP_STORE_STORAGE_CLASS,
            nfs: { server, path: `${basePath}/app-store/${name}` },
          },
        });
      }
    }),
  );
  const created = missing.length;
  let recycled = 0;
  for (const pv of existing.values()) {
    if (pv.status?.phase !== 'Released') continue;
    await api.expect(
      'PATCH',
      `/api/v1/persistentvolumes/${pv.metadata.name}`,
      { spec: { claimRef: null } },
      [404, 409],
      'application/merge-patch+json',
    );
    recycled++;
  }
  const available =
    created +
    recycled +
    [...existing.values()].filter(pv => pv.status?.phase === 'Available')
      .length;
  return { created, recycled, available };
}
