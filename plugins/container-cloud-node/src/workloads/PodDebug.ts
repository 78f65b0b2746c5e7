import { ApiException, V1EphemeralContainer } from '@kubernetes/client-node';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import crypto from 'node:crypto';
import {
  ClusterConnection,
  describeKubeError,
} from '../clusters/ClusterConnection';
import { ClusterWriteError } from './DeploymentOperations';
import { PodOperations } from './PodOperations';

/** Where a debug container goes: next to one container of one pod of a service. @public */
export interface DebugTarget {
  namespace: string;
  pod: string;
  /** the container whose processes (and network) the debug container shares */
  container: string;
  kubernetesId: string;
}

/** The debug container that was added. @public */
export interface DebugContainer {
  /** its name in the pod, to open a shell in */
  container: string;
  image: string;
  targetContainer: string;
}

function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/**
 * Debug containers: an ephemeral container from a tools image, added to a running pod and
 * targeting one of its containers (same process namespace), the way `kubectl debug` does. The
 * write goes through the pod's `ephemeralcontainers` subresource with the resourceVersion read,
 * so a pod changed meanwhile is a 409, not a lost update.
 * @public
 */
export class PodDebug {
  constructor(
    private readonly connection: ClusterConnection,
    private readonly pods: PodOperations,
  ) {}

  async add(target: DebugTarget, image: string): Promise<DebugContainer> {
    const pod = await this.pods.get(
      {
        namespace: target.namespace,
        name: target.pod,
        kubernetesId: target.kubernetesId,
      },
      () => this.notFound(target),
    );
    if (!pod.spec?.containers.some(c => c.name === target.container)) {
      throw this.notFound(target);
    }
    if (pod.metadata?.deletionTimestamp || pod.status?.phase !== 'Running') {
      throw new ConflictError(
        `pod ${target.namespace}/${target.pod} is not running (${
          pod.metadata?.deletionTimestamp ? 'terminating' : pod.status?.phase
        }); a debug container needs a running pod`,
      );
    }
    const taken = new Set(
      [...pod.spec.containers, ...(pod.spec.ephemeralContainers ?? [])].map(
        c => c.name,
      ),
    );
    let name: string;
    do {
      name = `debug-${crypto.randomBytes(3).toString('hex')}`;
    } while (taken.has(name));
    const debug: V1EphemeralContainer = {
      name,
      image,
      targetContainerName: target.container,
      stdin: true,
      tty: true,
      terminationMessagePolicy: 'File',
    };
    pod.spec.ephemeralContainers = [
      ...(pod.spec.ephemeralContainers ?? []),
      debug,
    ];
    try {
      // the pod as read carries its resourceVersion: the apiserver refuses a stale one with 409
      await this.connection.core.replaceNamespacedPodEphemeralcontainers({
        namespace: target.namespace,
        name: target.pod,
        body: pod,
      });
    } catch (error) {
      const status = statusOf(error);
      if (status === 409) {
        throw new ConflictError(
          `pod ${target.namespace}/${target.pod} changed while the debug container was added; try again`,
        );
      }
      if (status === 404) throw this.notFound(target);
      if (status === 422 || status === 400) {
        throw new InputError(
          `the cluster refused the debug container: ${describeKubeError(
            error,
          )}`,
        );
      }
      throw new ClusterWriteError(
        this.connection.name,
        describeKubeError(error),
        error,
      );
    }
    return { container: name, image, targetContainer: target.container };
  }

  private notFound(target: DebugTarget) {
    return new NotFoundError(
      `service ${target.kubernetesId} has no container ${target.container} in pod ${target.namespace}/${target.pod} on cluster ${this.connection.name}`,
    );
  }
}
