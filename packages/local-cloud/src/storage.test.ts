import { CoreV1Api, StorageV1Api } from '@kubernetes/client-node';
import fs from 'node:fs';
import { loadAllYaml } from '@kubernetes/client-node';
import { LOCAL_STORAGE_CLASS, STORAGE_SEED } from './storage';
import { useLocalCloud } from './testing';

const lc = useLocalCloud();
// the seed below waits while another jest worker's test has reserved the example services
jest.setTimeout(35 * 60_000);

describe('storage', () => {
  it('seeds payments-api a Bound volume on the NFS export and a config file set in both clusters', async () => {
    await lc.cloud.seed();
    for (const cluster of ['local-a', 'local-b'] as const) {
      const kc = lc.kubeConfig(cluster);
      const core = kc.makeApiClient(CoreV1Api);
      const claim = await core.readNamespacedPersistentVolumeClaim({
        namespace: STORAGE_SEED.namespace,
        name: STORAGE_SEED.volume,
      });
      expect(claim.status?.phase).toBe('Bound');
      const pv = await core.readPersistentVolume({
        name: claim.spec!.volumeName!,
      });
      expect(pv.spec?.nfs?.path).toBe(
        `/exports/${cluster}/payments/payments-data`,
      );
      const configMap = await core.readNamespacedConfigMap({
        namespace: STORAGE_SEED.namespace,
        name: STORAGE_SEED.configMap,
      });
      expect(configMap.metadata?.labels).toMatchObject({
        'backstage.io/kubernetes-id': 'payments-api',
        'container-cloud.io/config-files': 'app-config',
      });
      expect(configMap.data).toEqual({
        'application.yaml': 'server:\n  port: 8080\n',
      });
      const storageClass = await kc
        .makeApiClient(StorageV1Api)
        .readStorageClass({ name: LOCAL_STORAGE_CLASS });
      expect(storageClass.allowVolumeExpansion).toBe(true);
    }
  });

  it('writes both storage types of every cluster into the app-config overlay', () => {
    const [overlay] = loadAllYaml(
      fs.readFileSync(lc.info.appConfig, 'utf8'),
    ) as any[];
    const clusters = overlay.containerCloud.storage.volumes.clusters;
    expect(clusters.map((c: any) => c.cluster)).toEqual(['local-a', 'local-b']);
    expect(clusters[1].types.map((t: any) => t.name)).toEqual([
      'nfs',
      'standard',
    ]);
    expect(clusters[1].types[0].nfs.basePath).toBe('/exports/local-b');
  });
});
