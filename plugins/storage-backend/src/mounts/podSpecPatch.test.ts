import type { V1Deployment } from '@kubernetes/client-node';
import {
  mountPatch,
  podMounts,
  restorePatch,
  shadows,
  unmountPatch,
} from './podSpecPatch';

function deployment(
  mounts: { name: string; mountPath: string }[] = [],
  volumes?: object[],
): V1Deployment {
  return {
    metadata: { name: 'api', namespace: 'payments', resourceVersion: '7' },
    spec: {
      selector: {},
      template: {
        spec: {
          containers: [
            {
              name: 'api',
              ...(mounts.length ? { volumeMounts: mounts } : {}),
            },
            { name: 'sidecar' },
          ],
          ...(volumes ? { volumes: volumes as any } : {}),
        },
      },
    },
  };
}

const data = {
  name: 'data',
  source: { persistentVolumeClaim: { claimName: 'data' } },
};

describe('mountPatch', () => {
  it('adds the volume and a mount to every container, guarded by the resourceVersion', () => {
    expect(mountPatch(deployment(), data, { path: '/var/data/' })).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      {
        op: 'add',
        path: '/spec/template/spec/volumes',
        value: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
      },
      {
        op: 'add',
        path: '/spec/template/spec/containers/0/volumeMounts',
        value: [{ name: 'data', mountPath: '/var/data' }],
      },
      {
        op: 'add',
        path: '/spec/template/spec/containers/1/volumeMounts',
        value: [{ name: 'data', mountPath: '/var/data' }],
      },
    ]);
  });

  it('appends to existing lists, into the chosen containers, with the caller’s resourceVersion', () => {
    const d = deployment(
      [{ name: 'cfg', mountPath: '/etc/app' }],
      [{ name: 'cfg', configMap: { name: 'x' } }],
    );
    expect(
      mountPatch(
        d,
        data,
        { path: '/data', subPath: 'a', readOnly: true, containers: ['api'] },
        '5',
      ),
    ).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '5' },
      {
        op: 'add',
        path: '/spec/template/spec/volumes/-',
        value: { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      },
      {
        op: 'add',
        path: '/spec/template/spec/containers/0/volumeMounts/-',
        value: {
          name: 'data',
          mountPath: '/data',
          subPath: 'a',
          readOnly: true,
        },
      },
    ]);
  });

  it('is unchanged when mounted there already', () => {
    const d = deployment(
      [{ name: 'data', mountPath: '/data' }],
      [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
    );
    expect(mountPatch(d, data, { path: '/data', containers: ['api'] })).toBe(
      'unchanged',
    );
  });

  it.each([
    ['/etc/app', 'the same path'],
    ['/etc', 'a parent of another mount'],
    ['/etc/app/conf', 'a path inside another mount'],
  ])('refuses %s (%s): it would shadow a config-file mount', path => {
    const d = deployment(
      [{ name: 'cfg', mountPath: '/etc/app' }],
      [{ name: 'cfg', configMap: { name: 'x' } }],
    );
    expect(() => mountPatch(d, data, { path })).toThrow(
      /would shadow the mount of 'cfg' at \/etc\/app in container 'api'/,
    );
  });

  it.each([
    ['relative', 'must be absolute'],
    ['/', 'not the root folder'],
    ['/a/../b', 'no . or .. segments'],
    ['/proc', 'not at or under /proc'],
    ['/sys/fs', 'not at or under /sys'],
    ['/dev/shm', 'not at or under /dev'],
  ])('refuses the path %s', (path, message) => {
    expect(() => mountPatch(deployment(), data, { path })).toThrow(message);
  });

  it('refuses an unknown container and a volume name taken by another source', () => {
    expect(() =>
      mountPatch(deployment(), data, { path: '/d', containers: ['nope'] }),
    ).toThrow("has no container 'nope' (it has: api, sidecar)");
    const taken = deployment([], [{ name: 'data', emptyDir: {} }]);
    expect(() => mountPatch(taken, data, { path: '/d' })).toThrow(
      "already has a pod volume named 'data' with another source",
    );
  });
});

describe('unmountPatch and restorePatch', () => {
  const mounted = deployment(
    [
      { name: 'data', mountPath: '/a' },
      { name: 'cfg', mountPath: '/etc/app' },
      { name: 'data', mountPath: '/b' },
    ],
    [
      { name: 'cfg', configMap: { name: 'x' } },
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
    ],
  );

  it('removes every mount of the volume from the last, then the volume', () => {
    expect(unmountPatch(mounted, 'data')).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'remove', path: '/spec/template/spec/containers/0/volumeMounts/2' },
      { op: 'remove', path: '/spec/template/spec/containers/0/volumeMounts/0' },
      { op: 'remove', path: '/spec/template/spec/volumes/1' },
    ]);
    expect(unmountPatch(deployment(), 'data')).toBe('unchanged');
  });

  it('lists mounts, and tells shadowing paths', () => {
    expect(podMounts(mounted).map(m => `${m.volume}:${m.path}`)).toEqual([
      'data:/a',
      'cfg:/etc/app',
      'data:/b',
    ]);
    expect(shadows('/data', '/data/x')).toBe(true);
    expect(shadows('/data2', '/data')).toBe(false);
  });

  it('puts volumes and mounts back as they were, guarded by our own write', () => {
    const before = deployment();
    const after = {
      ...mounted,
      metadata: { resourceVersion: '9', generation: 3 },
    };
    expect(restorePatch(before, after)).toEqual([
      { op: 'test', path: '/metadata/generation', value: 3 },
      { op: 'remove', path: '/spec/template/spec/volumes' },
      { op: 'remove', path: '/spec/template/spec/containers/0/volumeMounts' },
    ]);
  });
});
