import {
  ApiException,
  V1Container,
  V1Deployment,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { InputError } from '@backstage/errors';
import {
  CONFIG_FILES_ANNOTATION_PREFIX,
  KUBERNETES_ID_LABEL,
} from '@internal/plugin-container-cloud-common';
import { shadows } from '../mounts';
import {
  ClusterWriteError,
  ContainerCloudClustersService,
  DeploymentConflictError,
  deploymentView,
  describeKubeError,
  FIELD_MANAGER,
} from '@internal/plugin-container-cloud-node';
import type { Placement } from './clusterObjects';

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

/** Whether any pod of the Deployment mounts the object (as a volume or projected source). */
export function mountsObject(
  deployment: V1Deployment,
  objectName: string,
  secret: boolean,
): boolean {
  return (deployment.spec?.template.spec?.volumes ?? []).some(v =>
    secret
      ? v.secret?.secretName === objectName ||
        v.projected?.sources?.some(s => s.secret?.name === objectName)
      : v.configMap?.name === objectName ||
        v.projected?.sources?.some(s => s.configMap?.name === objectName),
  );
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

/** Lists and replaces Deployments with their resourceVersion as the precondition. */
export class DeploymentMounts {
  constructor(private readonly clusters: ContainerCloudClustersService) {}

  /** The service's Deployments in one namespace (labelled with its kubernetes id). */
  async ofService(
    at: Placement,
    kubernetesId: string,
  ): Promise<V1Deployment[]> {
    return this.list(at, `${KUBERNETES_ID_LABEL}=${kubernetesId}`);
  }

  /** Every Deployment in the namespace (anyone's may mount a ConfigMap there). */
  async all(at: Placement): Promise<V1Deployment[]> {
    return this.list(at);
  }

  private async list(at: Placement, labelSelector?: string) {
    const { apps } = this.clusters.connection(at.cluster);
    try {
      const list = await apps.listNamespacedDeployment({
        namespace: at.namespace,
        ...(labelSelector ? { labelSelector } : {}),
      });
      return list.items;
    } catch (error) {
      throw new ClusterWriteError(at.cluster, describeKubeError(error), error);
    }
  }

  async read(at: Placement, name: string): Promise<V1Deployment> {
    const { apps } = this.clusters.connection(at.cluster);
    try {
      return await apps.readNamespacedDeployment({
        name,
        namespace: at.namespace,
      });
    } catch (error) {
      throw new ClusterWriteError(at.cluster, describeKubeError(error), error);
    }
  }

  /**
   * Applies a change derived from the Deployment as read; undefined when it changes nothing.
   * A 409 re-reads and derives the change again (a few times): the controller's status writes
   * move the resourceVersion during every rollout, and a change computed from the fresh object
   * never overwrites anyone's edit. Still losing after that: the 409 with the current state.
   */
  async apply(
    at: Placement,
    deployment: V1Deployment,
    change: (d: V1Deployment) => V1Deployment,
    attempts = 4,
  ): Promise<V1Deployment | undefined> {
    let current = deployment;
    for (let attempt = 1; ; attempt++) {
      const changed = change(current);
      if (JSON.stringify(changed) === JSON.stringify(current)) return undefined;
      try {
        return await this.replace(at, changed);
      } catch (error) {
        if (
          !(error instanceof DeploymentConflictError) ||
          attempt >= attempts
        ) {
          throw error;
        }
        current = await this.read(at, current.metadata!.name!);
      }
    }
  }

  /** Writes the changed Deployment on the condition that it is still as it was read. */
  async replace(at: Placement, changed: V1Deployment): Promise<V1Deployment> {
    const { apps } = this.clusters.connection(at.cluster);
    const name = changed.metadata!.name!;
    try {
      return await apps.replaceNamespacedDeployment({
        name,
        namespace: at.namespace,
        body: changed,
        fieldManager: FIELD_MANAGER,
      });
    } catch (error) {
      if (error instanceof ApiException && error.code === 409) {
        const current = await apps.readNamespacedDeployment({
          name,
          namespace: at.namespace,
        });
        throw new DeploymentConflictError(
          `Deployment ${at.namespace}/${name} in cluster ${at.cluster} changed while it was being updated (resourceVersion ${changed.metadata?.resourceVersion}, now ${current.metadata?.resourceVersion}); nothing was changed there, try again`,
          deploymentView(current),
        );
      }
      throw new ClusterWriteError(at.cluster, describeKubeError(error), error);
    }
  }
}
