import { CoreV1Api, StorageV1Api, loadYaml } from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { APP_STORE_STORAGE_CLASS } from './appStore';
import { LOCAL_CLOUD_VERSIONS } from './settings';
import { useLocalCloud } from './testing';

const lc = useLocalCloud();

describe('the app store on the local cloud', () => {
  it("has the helm 'up' built, and names it and the charts' registry in the generated app-config", () => {
    const { info, cloud } = lc;
    const version = spawnSync(info.helm.binary, ['version', '--short'], {
      encoding: 'utf8',
    });
    expect(version.stderr).toBe('');
    expect(version.stdout).toMatch(
      new RegExp(`^v${LOCAL_CLOUD_VERSIONS.helm.replace(/\./g, '\\.')}\\b`),
    );
    const appConfig = loadYaml(fs.readFileSync(info.appConfig, 'utf8')) as any;
    expect(appConfig.containerCloud.appStore).toEqual({
      helm: info.helm.binary,
      repositories: [
        { name: 'local', url: info.registry.charts, plainHttp: true },
      ],
    });
    expect(info.registry.charts).toBe(
      `oci://127.0.0.1:${cloud.settings.registryPort}/charts`,
    );
    expect(cloud.envExports()).toContain(
      `LOCAL_CLOUD_HELM='${info.helm.binary}'\n`,
    );
  });
});

async function until<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    // the jest timeout bounds this loop
    await new Promise(resolve => setTimeout(resolve, 250));
  }
}

describe("the app store's volumes", () => {
  it('binds a claim of the default StorageClass to a pool volume, and returns the volume to the pool on up once the claim is gone', async () => {
    const kc = lc.kubeConfig('local-a');
    const core = kc.makeApiClient(CoreV1Api);
    const classes = await kc.makeApiClient(StorageV1Api).listStorageClass();
    const defaults = classes.items.filter(
      c =>
        c.metadata?.annotations?.[
          'storageclass.kubernetes.io/is-default-class'
        ] === 'true',
    );
    expect(defaults.map(c => c.metadata?.name)).toEqual([
      APP_STORE_STORAGE_CLASS,
    ]);
    // as a chart's volumeClaimTemplate asks: no class named, so the default
    await core.createNamespacedPersistentVolumeClaim({
      namespace: lc.namespace,
      body: {
        metadata: { name: 'data' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '3Gi' } },
        },
      },
    });
    const bound = await until(async () => {
      const claim = await core.readNamespacedPersistentVolumeClaim({
        namespace: lc.namespace,
        name: 'data',
      });
      return claim.status?.phase === 'Bound' ? claim : undefined;
    });
    expect(bound.spec?.storageClassName).toBe(APP_STORE_STORAGE_CLASS);
    // the smallest pool volume that fits
    expect(bound.status?.capacity?.storage).toBe('8Gi');
    const volume = bound.spec!.volumeName!;
    expect(volume).toMatch(/^app-store-8gi-\d{3}$/);
    await core.deleteNamespacedPersistentVolumeClaim({
      namespace: lc.namespace,
      name: 'data',
    });
    await until(async () =>
      (await core.readPersistentVolume({ name: volume })).status?.phase ===
      'Released'
        ? true
        : undefined,
    );
    await lc.cloud.up();
    // up took the claim's reference off; the binder then marks the volume Available
    const back = await core.readPersistentVolume({ name: volume });
    expect(back.spec?.claimRef).toBeUndefined();
    await until(async () =>
      (await core.readPersistentVolume({ name: volume })).status?.phase ===
      'Available'
        ? true
        : undefined,
    );
  }, 120_000);
});
