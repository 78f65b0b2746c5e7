import { InputError } from '@backstage/errors';
import type { V1Deployment, V1Volume } from '@kubernetes/client-node';
import {
  mountPathProblem,
  normalMountPath,
} from '@internal/plugin-container-cloud-common';

/**
 * A pod volume: its name in the pod spec and its source, e.g.
 * `{ name: 'data', source: { persistentVolumeClaim: { claimName: 'data' } } }` or
 * `{ name: 'cfg-app', source: { configMap: { name: 'payments-api-app-config' } } }`.
 * @public
 */
export interface PodVolume {
  name: string;
  source: Omit<V1Volume, 'name'>;
}

/** Where the volume goes in the containers. @public */
export interface MountSpec {
  /** absolute, see `mountPathProblem` */
  path: string;
  /** a file or folder inside the volume instead of its root */
  subPath?: string;
  readOnly?: boolean;
  /** the containers to mount into; default every container */
  containers?: string[];
}

/** One mount of one container, as the Deployment has it. @public */
export interface ContainerMount {
  container: string;
  volume: string;
  path: string;
  subPath?: string;
  readOnly: boolean;
}

/** Every mount of every container of the Deployment's pod template. @public */
export function podMounts(deployment: V1Deployment): ContainerMount[] {
  return (deployment.spec?.template?.spec?.containers ?? []).flatMap(c =>
    (c.volumeMounts ?? []).map(m => ({
      container: c.name,
      volume: m.name,
      path: m.mountPath,
      ...(m.subPath ? { subPath: m.subPath } : {}),
      readOnly: Boolean(m.readOnly),
    })),
  );
}

/** The claim name of a pod volume of the Deployment that is a PersistentVolumeClaim. */
export function claimOfVolume(
  deployment: V1Deployment,
  volumeName: string,
): string | undefined {
  return deployment.spec?.template?.spec?.volumes?.find(
    v => v.name === volumeName,
  )?.persistentVolumeClaim?.claimName;
}

/** Whether two volume sources name the same thing (the apiserver adds defaults to what it stores). */
function sameSource(a: Omit<V1Volume, 'name'>, b: Omit<V1Volume, 'name'>) {
  if (a.persistentVolumeClaim || b.persistentVolumeClaim) {
    return (
      a.persistentVolumeClaim?.claimName === b.persistentVolumeClaim?.claimName
    );
  }
  if (a.configMap || b.configMap)
    return a.configMap?.name === b.configMap?.name;
  if (a.secret || b.secret)
    return a.secret?.secretName === b.secret?.secretName;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Whether one path is the other or inside it, either way (a mount there would hide the other). */
export function shadows(a: string, b: string): boolean {
  const x = normalMountPath(a);
  const y = normalMountPath(b);
  return x === y || x.startsWith(`${y}/`) || y.startsWith(`${x}/`);
}

const testVersion = (deployment: V1Deployment, resourceVersion?: string) => ({
  op: 'test',
  path: '/metadata/resourceVersion',
  value: resourceVersion ?? deployment.metadata?.resourceVersion,
});

/**
 * The JSON patch that mounts the volume into the Deployment, guarded by its resourceVersion; or
 * 'unchanged' when it is mounted there already, exactly so. An InputError (400) in words when
 * the path is refused, would shadow another mount of a container, names a container the
 * Deployment lacks, or the volume's name is taken by another source.
 * @public
 */
export function mountPatch(
  deployment: V1Deployment,
  volume: PodVolume,
  mount: MountSpec,
  resourceVersion?: string,
): object[] | 'unchanged' {
  const where = `deployment ${deployment.metadata?.namespace}/${deployment.metadata?.name}`;
  const problem = mountPathProblem(mount.path);
  if (problem) throw new InputError(`mount path '${mount.path}': ${problem}`);
  const podSpec = deployment.spec?.template?.spec;
  const containers = podSpec?.containers ?? [];
  const names = containers.map(c => c.name);
  const chosen = mount.containers ?? names;
  for (const name of chosen) {
    if (!names.includes(name)) {
      throw new InputError(
        `${where} has no container '${name}' (it has: ${names.join(', ')})`,
      );
    }
  }
  const existing = podSpec?.volumes?.find(v => v.name === volume.name);
  if (existing && !sameSource(existing, volume.source)) {
    throw new InputError(
      `${where} already has a pod volume named '${volume.name}' with another source`,
    );
  }
  const path = normalMountPath(mount.path);
  const ops: object[] = [testVersion(deployment, resourceVersion)];
  let changed = false;
  if (!existing) {
    changed = true;
    ops.push(
      podSpec?.volumes
        ? {
            op: 'add',
            path: '/spec/template/spec/volumes/-',
            value: { name: volume.name, ...volume.source },
          }
        : {
            op: 'add',
            path: '/spec/template/spec/volumes',
            value: [{ name: volume.name, ...volume.source }],
          },
    );
  }
  containers.forEach((container, index) => {
    if (!chosen.includes(container.name)) return;
    const mounts = container.volumeMounts ?? [];
    const same = mounts.find(
      m => m.name === volume.name && normalMountPath(m.mountPath) === path,
    );
    if (same) {
      if (
        (same.subPath ?? undefined) === (mount.subPath ?? undefined) &&
        Boolean(same.readOnly) === Boolean(mount.readOnly)
      ) {
        return; // mounted there already, exactly so
      }
      throw new InputError(
        `${where}: container '${container.name}' mounts '${volume.name}' at ${path} already, with another subPath or read-only setting; unmount it first`,
      );
    }
    const hidden = mounts.find(m => shadows(m.mountPath, path));
    if (hidden) {
      throw new InputError(
        `mount path ${path} would shadow the mount of '${hidden.name}' at ${hidden.mountPath} in container '${container.name}' of ${where}; choose a path beside it`,
      );
    }
    changed = true;
    const value = {
      name: volume.name,
      mountPath: path,
      ...(mount.subPath ? { subPath: mount.subPath } : {}),
      ...(mount.readOnly ? { readOnly: true } : {}),
    };
    const base = `/spec/template/spec/containers/${index}/volumeMounts`;
    ops.push(
      container.volumeMounts
        ? { op: 'add', path: `${base}/-`, value }
        : { op: 'add', path: base, value: [value] },
    );
  });
  return changed ? ops : 'unchanged';
}

/**
 * The JSON patch that removes the volume from the Deployment (every container's mounts of it and
 * the pod volume), guarded by its resourceVersion; 'unchanged' when it has neither.
 * @public
 */
export function unmountPatch(
  deployment: V1Deployment,
  volumeName: string,
  resourceVersion?: string,
): object[] | 'unchanged' {
  const podSpec = deployment.spec?.template?.spec;
  const ops: object[] = [testVersion(deployment, resourceVersion)];
  (podSpec?.containers ?? []).forEach((container, c) => {
    const mounts = container.volumeMounts ?? [];
    // from the last, so the indexes of the ones before stay right
    for (let m = mounts.length - 1; m >= 0; m--) {
      if (mounts[m].name === volumeName) {
        ops.push({
          op: 'remove',
          path: `/spec/template/spec/containers/${c}/volumeMounts/${m}`,
        });
      }
    }
  });
  const volumeIndex = (podSpec?.volumes ?? []).findIndex(
    v => v.name === volumeName,
  );
  if (volumeIndex >= 0) {
    ops.push({
      op: 'remove',
      path: `/spec/template/spec/volumes/${volumeIndex}`,
    });
  }
  return ops.length > 1 ? ops : 'unchanged';
}

/**
 * The JSON patch that puts the pod volumes and every container's mounts back as they were in
 * `original`, from `current` (what our own write left), guarded by its generation: a later change
 * of the spec by someone else is a conflict, not overwritten.
 * @public
 */
export function restorePatch(
  original: V1Deployment,
  current: V1Deployment,
): object[] {
  const before = original.spec?.template?.spec;
  const now = current.spec?.template?.spec;
  // the generation, not the resourceVersion: the Deployment controller's status updates move
  // the latter right after our write, while only a change of the spec moves the generation
  const ops: object[] = [
    {
      op: 'test',
      path: '/metadata/generation',
      value: current.metadata?.generation,
    },
  ];
  if (before?.volumes) {
    ops.push({
      op: 'add',
      path: '/spec/template/spec/volumes',
      value: before.volumes,
    });
  } else if (now?.volumes) {
    ops.push({ op: 'remove', path: '/spec/template/spec/volumes' });
  }
  (before?.containers ?? []).forEach((container, index) => {
    const path = `/spec/template/spec/containers/${index}/volumeMounts`;
    if (container.volumeMounts) {
      ops.push({ op: 'add', path, value: container.volumeMounts });
    } else if (now?.containers?.[index]?.volumeMounts) {
      ops.push({ op: 'remove', path });
    }
  });
  // the pod template's annotations (a config file set's version), only when our write moved them
  const annotations = original.spec?.template?.metadata?.annotations;
  const nowAnnotations = current.spec?.template?.metadata?.annotations;
  if (JSON.stringify(annotations) !== JSON.stringify(nowAnnotations)) {
    ops.push(
      annotations
        ? {
            op: 'add',
            path: '/spec/template/metadata/annotations',
            value: annotations,
          }
        : { op: 'remove', path: '/spec/template/metadata/annotations' },
    );
  }
  return ops;
}

/**
 * The JSON patch that turns the Deployment's pod volumes, containers' mounts and pod-template
 * annotations into those of `after` (the Deployment as a change computed it), guarded by its
 * resourceVersion; 'unchanged' when they are the same. Whatever else `after` differs in is not
 * written: this is the one way the storage plugin changes a Deployment.
 * @public
 */
export function templatePatch(
  before: V1Deployment,
  after: V1Deployment,
  resourceVersion?: string,
): object[] | 'unchanged' {
  const ops: object[] = [testVersion(before, resourceVersion)];
  const same = (a: unknown, b: unknown) =>
    JSON.stringify(a) === JSON.stringify(b);
  const set = (path: string, from: unknown, to: unknown) => {
    if (same(from, to)) return;
    ops.push(
      to === undefined
        ? { op: 'remove', path }
        : { op: 'add', path, value: to },
    );
  };
  const was = before.spec?.template;
  const will = after.spec?.template;
  set('/spec/template/spec/volumes', was?.spec?.volumes, will?.spec?.volumes);
  const containers = was?.spec?.containers ?? [];
  if ((will?.spec?.containers ?? []).length !== containers.length) {
    throw new Error('a volume change may not add or remove containers');
  }
  containers.forEach((container, index) =>
    set(
      `/spec/template/spec/containers/${index}/volumeMounts`,
      container.volumeMounts,
      will?.spec?.containers[index].volumeMounts,
    ),
  );
  set(
    '/spec/template/metadata/annotations',
    was?.metadata?.annotations,
    will?.metadata?.annotations,
  );
  return ops.length > 1 ? ops : 'unchanged';
}
