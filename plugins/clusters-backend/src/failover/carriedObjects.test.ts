import { ConfigReader } from '@backstage/config';
import {
  claimForTarget,
  readStorageTypes,
  referencedClaims,
  referencedSecrets,
  secretForTarget,
} from './carriedObjects';

const deployment = {
  metadata: { name: 'api', namespace: 'shop' },
  spec: {
    selector: {},
    template: {
      spec: {
        imagePullSecrets: [{ name: 'pull' }],
        initContainers: [
          {
            name: 'init',
            env: [
              {
                name: 'T',
                valueFrom: { secretKeyRef: { name: 'token', key: 't' } },
              },
            ],
          },
        ],
        containers: [
          {
            name: 'app',
            envFrom: [
              { secretRef: { name: 'env', optional: true } },
              { configMapRef: { name: 'not-a-secret' } },
            ],
            env: [
              {
                name: 'P',
                valueFrom: {
                  secretKeyRef: { name: 'maybe', key: 'p', optional: true },
                },
              },
            ],
          },
        ],
        volumes: [
          { name: 'tls', secret: { secretName: 'tls' } },
          {
            name: 'all',
            projected: { sources: [{ secret: { name: 'env' } }] },
          },
          { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
          { name: 'logs', persistentVolumeClaim: { claimName: 'logs' } },
          { name: 'again', persistentVolumeClaim: { claimName: 'data' } },
        ],
      },
    },
  },
};

describe('referencedSecrets', () => {
  it('names every Secret the pods read or pull with, once; optional only when every use is', () => {
    expect(referencedSecrets(deployment)).toEqual([
      { name: 'env', optional: false },
      { name: 'maybe', optional: true },
      { name: 'pull', optional: false },
      { name: 'tls', optional: false },
      { name: 'token', optional: false },
    ]);
  });
});

describe('referencedClaims', () => {
  it('names every claim the pods mount, once', () => {
    expect(referencedClaims(deployment)).toEqual(['data', 'logs']);
  });
});

describe('readStorageTypes', () => {
  it("reads the storage module's types per cluster", () => {
    const types = readStorageTypes(
      new ConfigReader({
        containerCloud: {
          storage: {
            volumes: {
              clusters: [
                {
                  cluster: 'a',
                  types: [
                    {
                      name: 'nfs',
                      nfs: { server: 'nfs.a', basePath: '/exports/a/' },
                    },
                    { name: 'fast', storageClass: 'ssd' },
                  ],
                },
                { cluster: 'b', types: [{ name: 'nfs', storageClass: 'x' }] },
              ],
            },
          },
        },
      }),
    );
    expect([...types.get('a')!.keys()]).toEqual(['nfs', 'fast']);
    expect(types.get('a')!.get('nfs')!.nfs).toEqual({
      server: 'nfs.a',
      basePath: '/exports/a',
      mountOptions: undefined,
      reclaimPolicy: 'Retain',
    });
    expect(types.get('b')!.get('nfs')!.storageClass).toBe('x');
    expect(readStorageTypes(new ConfigReader({})).size).toBe(0);
  });
});

const sourceClaim = {
  metadata: {
    name: 'data',
    namespace: 'shop',
    labels: {
      'backstage.io/kubernetes-id': 'api',
      'container-cloud.io/storage-type': 'nfs',
    },
    annotations: {
      'container-cloud.io/created-by': 'user:default/alice',
      'pv.kubernetes.io/bind-completed': 'yes',
    },
  },
  spec: {
    accessModes: ['ReadWriteMany'],
    resources: { requests: { storage: '2Gi' } },
  },
};
const from = {
  cluster: 'b',
  runId: 'r1',
  annotations: { 'container-cloud.io/failover-from': 'b' },
};

describe('claimForTarget', () => {
  it("makes an NFS claim on the target's export, bound to its own PersistentVolume", () => {
    const { claim, volume } = claimForTarget(
      sourceClaim,
      {
        name: 'nfs',
        nfs: {
          server: 'nfs.a',
          basePath: '/exports/a',
          reclaimPolicy: 'Retain',
        },
      },
      from,
    );
    expect(volume!.metadata!.name).toBe('cc-nfs-shop-data');
    expect(volume!.spec).toMatchObject({
      capacity: { storage: '2Gi' },
      accessModes: ['ReadWriteMany'],
      persistentVolumeReclaimPolicy: 'Retain',
      nfs: { server: 'nfs.a', path: '/exports/a/shop/data' },
      claimRef: { namespace: 'shop', name: 'data' },
    });
    expect(claim.metadata).toEqual({
      name: 'data',
      namespace: 'shop',
      labels: sourceClaim.metadata.labels,
      annotations: {
        'container-cloud.io/failover-from': 'b',
        'container-cloud.io/created-by': 'user:default/alice',
      },
    });
    expect(claim.spec).toEqual({
      accessModes: ['ReadWriteMany'],
      storageClassName: '',
      volumeName: 'cc-nfs-shop-data',
      resources: { requests: { storage: '2Gi' } },
    });
  });

  it("makes a dynamic claim of the target's StorageClass", () => {
    const { claim, volume } = claimForTarget(
      sourceClaim,
      { name: 'nfs', storageClass: 'ssd' },
      from,
    );
    expect(volume).toBeUndefined();
    expect(claim.spec).toEqual({
      accessModes: ['ReadWriteMany'],
      storageClassName: 'ssd',
      resources: { requests: { storage: '2Gi' } },
    });
  });
});

describe('secretForTarget', () => {
  it('keeps the type, data and labels, and nothing the source cluster owns', () => {
    const secret = secretForTarget(
      {
        metadata: {
          name: 'tls',
          namespace: 'shop',
          uid: 'u',
          resourceVersion: '5',
          labels: { a: 'b' },
          annotations: {
            'kubectl.kubernetes.io/last-applied-configuration': '{}',
            keep: 'me',
          },
          managedFields: [{ manager: 'kubectl' }],
        },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': 'Y3J0', 'tls.key': 'a2V5' },
      },
      { 'container-cloud.io/failover-from': 'b' },
    );
    expect(secret).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'tls',
        namespace: 'shop',
        labels: { a: 'b' },
        annotations: { keep: 'me', 'container-cloud.io/failover-from': 'b' },
      },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': 'Y3J0', 'tls.key': 'a2V5' },
    });
  });
});
