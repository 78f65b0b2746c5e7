/*
 * A config file set's mounts in a Deployment (a folder, or file by file with subPath) and the
 * pod-template annotation naming the version its pods run: what the change is. It is written, like
 * every volume change, by `changeInEveryCluster`.
 */
import {
  V1Container,
  V1Deployment,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { InputError } from '@backstage/errors';
import {
  CONFIG_FILES_ANNOTATION_PREFIX,
  KUBERNETES_ID_LABEL,
} from '@internal/plugin-container-cloud-common';
import { shadows } from './podSpecPatch';
import {
  ClusterWriteError,
  ContainerCloudClustersService,
  describeKubeError,
} from '@internal/plugin-container-cloud-node';

/** The volume a file set is mounted from, in a Deployment's pod template. */
export function volumeName(set: string): string {
  return `cfg-${set}`;
}

/** The pod-template annotation recording the version of a set the pods were started with. */
export function annotationKey(set: string): string {
  return `${CONFIG_FILES_ANNOTATION_PREFIX}${set}`;
}

/** `<version>:<checksum>`, as the annotation holds it. */
export function annotationValue(version: number, checksum: string): string {
  return `${version}:${checksum}`;
}

/** The version an annotation names, or null. */
export function annotatedVersion(value: string | undefined): number | null {
  const match = value ? /^(\d+):/.exec(value) : null;
  return match ? Number(match[1]) : null;
}

/** One mount of a set into one container: a folder, or its files one by one (subPath). */
export interface ContainerMount {
  container: string;
  path: string;
  mode: 'folder' | 'files';
}

/** What a mount asks for. */
export interface MountRequest {
  set: string;
  objectName: string;
  secret: boolean;
  path: string;
  mode: 'folder' | 'files';
  /** undefined: every container */
  containers?: string[];
  fileNames: string[];
  /** the pod-template annotation's value (version:checksum) */
  annotation: string;
}

const parentOf = (path: string) => path.slice(0, path.lastIndexOf('/')) || '/';

/** Where the set is mounted in the Deployment, container by container. */
export function mountsOf(
  deployment: V1Deployment,
  set: string,
): ContainerMount[] {
  const name = volumeName(set);
  const mounts: ContainerMount[] = [];
  for (const c of deployment.spec?.template.spec?.containers ?? []) {
    const seen = new Set<string>();
    for (const m of c.volumeMounts ?? []) {
      if (m.name !== name) continue;
      const mode = m.subPath ? 'files' : 'folder';
      const path = m.subPath ? parentOf(m.mountPath) : m.mountPath;
      const key = `${mode}:${path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      mounts.push({ container: c.name, path, mode });
    }
  }
  return mounts;
}

function containersFor(
  deployment: V1Deployment,
  names?: string[],
): V1Container[] {
  const all = deployment.spec?.template.spec?.containers ?? [];
  if (!names) return all;
  const missing = names.filter(n => !all.some(c => c.name === n));
  if (missing.length > 0) {
    throw new InputError(
      `containers: Deployment ${
        deployment.metadata?.name
      } has no container ${missing.join(', ')} (it has ${all
        .map(c => c.name)
        .join(', ')})`,
    );
  }
  return all.filter(c => names.includes(c.name));
}

/**
 * The Deployment with the set mounted (a copy); throws InputError (400) when the mount would
 * shadow or sit inside another mount of a container. Unchanged when it is mounted so already.
 */
export function withMount(
  deployment: V1Deployment,
  request: MountRequest,
): V1Deployment {
  const copy: V1Deployment = JSON.parse(JSON.stringify(deployment));
  const pod = copy.spec!.template.spec!;
  const vol = volumeName(request.set);
  const wanted: V1VolumeMount[] =
    request.mode === 'folder'
      ? [{ name: vol, mountPath: request.path, readOnly: true }]
      : request.fileNames.map(file => ({
          name: vol,
          mountPath: `${request.path === '/' ? '' : request.path}/${file}`,
          subPath: file,
          readOnly: true,
        }));
  for (const container of containersFor(copy, request.containers)) {
    const existing = container.volumeMounts ?? [];
    // the same set at the same path and in the same way: nothing to change
    const same = mountsOf(
      {
        spec: { selector: {}, template: { spec: { containers: [container] } } },
      },
      request.set,
    ).some(m => m.path === request.path && m.mode === request.mode);
    if (same) continue;
    for (const m of existing) {
      for (const w of wanted) {
        if (shadows(w.mountPath, m.mountPath)) {
          throw new InputError(
            `path: ${w.mountPath} would shadow or sit inside ${m.mountPath} (volume ${m.name}) in container ${container.name} of Deployment ${copy.metadata?.name}`,
          );
        }
      }
    }
    container.volumeMounts = [...existing, ...wanted];
  }
  pod.volumes = pod.volumes ?? [];
  if (!pod.volumes.some(v => v.name === vol)) {
    pod.volumes.push(
      request.secret
        ? { name: vol, secret: { secretName: request.objectName } }
        : { name: vol, configMap: { name: request.objectName } },
    );
  }
  const template = copy.spec!.template;
  template.metadata = template.metadata ?? {};
  template.metadata.annotations = {
    ...template.metadata.annotations,
    [annotationKey(request.set)]: request.annotation,
  };
  return copy;
}

/** The Deployment without the set's mounts at `path` (a copy); its volume goes with the last. */
export function withoutMount(
  deployment: V1Deployment,
  set: string,
  path: string,
): V1Deployment {
  const copy: V1Deployment = JSON.parse(JSON.stringify(deployment));
  const vol = volumeName(set);
  const pod = copy.spec!.template.spec!;
  for (const c of pod.containers) {
    c.volumeMounts = (c.volumeMounts ?? []).filter(
      m =>
        m.name !== vol ||
        (m.subPath ? parentOf(m.mountPath) : m.mountPath) !== path,
    );
    if (c.volumeMounts.length === 0) delete c.volumeMounts;
  }
  const stillUsed = pod.containers.some(c =>
    (c.volumeMounts ?? []).some(m => m.name === vol),
  );
  if (!stillUsed) {
    pod.volumes = (pod.volumes ?? []).filter(v => v.name !== vol);
    delete copy.spec!.template.metadata?.annotations?.[annotationKey(set)];
  }
  return copy;
}

/** The Deployment with its pods' annotation for the set at `value` (a rolling restart). */
export function withAnnotation(
  deployment: V1Deployment,
  set: string,
  value: string,
): V1Deployment {
  const copy: V1Deployment = JSON.parse(JSON.stringify(deployment));
  const template = copy.spec!.template;
  template.metadata = template.metadata ?? {};
  template.metadata.annotations = {
    ...template.metadata.annotations,
    [annotationKey(set)]: value,
  };
  return copy;
}

/** Lists a service's Deployments in one namespace (what a file set mounts into). */
export class DeploymentMounts {
  constructor(private readonly clusters: ContainerCloudClustersService) {}

  /** The service's Deployments in one namespace (labelled with its kubernetes id). */
  async ofService(
    at: { cluster: string; namespace: string },
    kubernetesId: string,
  ): Promise<V1Deployment[]> {
    const { apps } = this.clusters.connection(at.cluster);
    try {
      const list = await apps.listNamespacedDeployment({
        namespace: at.namespace,
        labelSelector: `${KUBERNETES_ID_LABEL}=${kubernetesId}`,
      });
      return list.items;
    } catch (error) {
      throw new ClusterWriteError(at.cluster, describeKubeError(error), error);
    }
  }
}
