import { ConfigReader } from '@backstage/config';
import { readStorageTypes } from './storageTypes';

const read = (volumes: object) =>
  readStorageTypes(
    new ConfigReader({ containerCloud: { storage: { volumes } } }),
    ['a', 'b'],
  );

describe('readStorageTypes', () => {
  it('reads each cluster’s types with their defaults', () => {
    expect(
      read({
        clusters: [
          {
            cluster: 'a',
            types: [
              {
                name: 'fast',
                storageClass: 'ceph-rbd',
                accessModes: ['ReadWriteOnce'],
              },
              {
                name: 'nfs',
                title: 'NFS',
                nfs: { server: 'n', basePath: '/x/' },
              },
            ],
          },
        ],
        orphanAfterDays: 3,
      }),
    ).toEqual({
      orphanAfterDays: 3,
      types: [
        {
          cluster: 'a',
          name: 'fast',
          title: 'fast',
          storageClass: 'ceph-rbd',
          nfs: undefined,
          accessModes: ['ReadWriteOnce'],
        },
        {
          cluster: 'a',
          name: 'nfs',
          title: 'NFS',
          storageClass: undefined,
          nfs: {
            server: 'n',
            basePath: '/x',
            mountOptions: undefined,
            reclaimPolicy: 'Retain',
          },
          accessModes: [
            'ReadWriteOnce',
            'ReadOnlyMany',
            'ReadWriteMany',
            'ReadWriteOncePod',
          ],
        },
      ],
    });
    expect(read({})).toEqual({ types: [], orphanAfterDays: 7 });
  });

  it.each([
    [
      { clusters: [{ cluster: 'c', types: [] }] },
      "clusters[0].cluster: 'c' is not a configured cluster (kubernetes.clusterLocatorMethods has: a, b)",
    ],
    [
      { clusters: [{ cluster: 'a', types: [{ name: 'x' }] }] },
      'clusters[0].types[0]: give exactly one of storageClass and nfs',
    ],
    [
      {
        clusters: [
          {
            cluster: 'a',
            types: [
              {
                name: 'x',
                storageClass: 's',
                nfs: { server: 'n', basePath: '/' },
              },
            ],
          },
        ],
      },
      'give exactly one',
    ],
    [
      {
        clusters: [{ cluster: 'a', types: [{ name: 'X', storageClass: 's' }] }],
      },
      "types[0].name: 'X' must be lower-case",
    ],
    [
      {
        clusters: [
          {
            cluster: 'a',
            types: [{ name: 'x', nfs: { server: 'n', basePath: 'rel' } }],
          },
        ],
      },
      'nfs.basePath: must be an absolute path',
    ],
    [
      {
        clusters: [
          {
            cluster: 'a',
            types: [{ name: 'x', storageClass: 's', accessModes: ['RW'] }],
          },
        ],
      },
      "accessModes: 'RW' is none of",
    ],
    [
      {
        clusters: [
          {
            cluster: 'a',
            types: [
              { name: 'x', storageClass: 's' },
              { name: 'x', storageClass: 't' },
            ],
          },
        ],
      },
      "declares type 'x' twice",
    ],
    [{ orphanAfterDays: 0 }, 'orphanAfterDays: a number of days above 0'],
  ])('refuses %j naming the key', (volumes, message) => {
    expect(() => read(volumes)).toThrow(
      expect.objectContaining({
        message: expect.stringContaining(message),
      }),
    );
    expect(() => read(volumes)).toThrow('containerCloud.storage.volumes');
  });
});
