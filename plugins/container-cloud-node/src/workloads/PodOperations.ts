import {
  ApiException,
  PatchStrategy,
  setHeaderOptions,
  V1Pod,
} from '@kubernetes/client-node';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { KUBERNETES_ID_LABEL } from '@internal/plugin-container-cloud-common';
import {
  ClusterConnection,
  describeKubeError,
} from '../clusters/ClusterConnection';
import { ClusterWriteError, FIELD_MANAGER } from './DeploymentOperations';

/** Marks a pod taken out of load balancing; the page shows it. @public */
export const REMOVED_FROM_LB_LABEL = 'container-cloud.io/removed-from-lb';

/** @public */
export interface PodTarget {
  namespace: string;
  name: string;
  kubernetesId: string;
}

function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** Operations on one container (pod) of a service. @public */
export class PodOperations {
  constructor(private readonly connection: ClusterConnection) {}

  /** Deletes the pod so its controller recreates it. */
  async destroy(target: PodTarget): Promise<void> {
    const pod = await this.get(target);
    try {
      await this.connection.core.deleteNamespacedPod({
        namespace: target.namespace,
        name: target.name,
        // only this pod, as we read it (and checked its label): not a newer one with the same
        // name, nor this one relabelled since
        body: {
          preconditions: {
            uid: pod.metadata?.uid,
            resourceVersion: pod.metadata?.resourceVersion,
          },
        },
      });
    } catch (error) {
      if (statusOf(error) === 404) throw this.notFound(target);
      if (statusOf(error) === 409) {
        throw new ConflictError(
          `pod ${target.namespace}/${target.name} was replaced or changed meanwhile; reload`,
        );
      }
      throw new ClusterWriteError(
        this.connection.name,
        describeKubeError(error),
        error,
      );
    }
  }

  /**
   * Takes the pod out of its Services' endpoints and away from its ReplicaSet, by removing the
   * labels their selectors match. It keeps running (for diagnosis) and keeps the service's
   * `backstage.io/kubernetes-id`; the ReplicaSet starts a replacement.
   */
  async removeFromLoadBalancing(target: PodTarget): Promise<string[]> {
    const pod = await this.get(target);
    const labels = pod.metadata?.labels ?? {};
    if (labels[REMOVED_FROM_LB_LABEL]) {
      throw new ConflictError(
        `pod ${target.namespace}/${target.name} is already out of load balancing`,
      );
    }
    const selected = new Set<string>();
    const services = await this.connection.core.listNamespacedService({
      namespace: target.namespace,
    });
    for (const svc of services.items) {
      const selector = svc.spec?.selector;
      if (
        selector &&
        Object.keys(selector).length > 0 &&
        Object.entries(selector).every(([k, v]) => labels[k] === v)
      ) {
        Object.keys(selector).forEach(k => selected.add(k));
      }
    }
    const rsName = pod.metadata?.ownerReferences?.find(
      o => o.kind === 'ReplicaSet',
    )?.name;
    if (rsName) {
      const rs = await this.connection.apps.readNamespacedReplicaSet({
        namespace: target.namespace,
        name: rsName,
      });
      // one label of its selector is enough to leave the ReplicaSet; the template hash is kept
      // when another one will do, since it tells which revision the pod ran
      const rsKeys = Object.keys(rs.spec?.selector?.matchLabels ?? {});
      if (!rsKeys.some(k => selected.has(k)) && rsKeys.length > 0) {
        selected.add(rsKeys.find(k => k !== 'pod-template-hash') ?? rsKeys[0]);
      }
    }
    if (selected.has(KUBERNETES_ID_LABEL)) {
      throw new ConflictError(
        `pod ${target.namespace}/${target.name} is selected by its ${KUBERNETES_ID_LABEL} label; taking it out of load balancing would also hide it from the portal. Use a different selector label (e.g. app) in the Deployment and Service`,
      );
    }
    if (selected.size === 0) {
      throw new ConflictError(
        `pod ${target.namespace}/${target.name} is in no Service and no ReplicaSet: there is nothing to take it out of`,
      );
    }
    // JSON patch: a `test` on the resourceVersion, then the label changes
    const escape = (key: string) =>
      key.replace(/~/g, '~0').replace(/\//g, '~1');
    const ops: object[] = [
      {
        op: 'test',
        path: '/metadata/resourceVersion',
        value: pod.metadata?.resourceVersion,
      },
      ...[...selected].map(k => ({
        op: 'remove',
        path: `/metadata/labels/${escape(k)}`,
      })),
      {
        op: 'add',
        path: `/metadata/labels/${escape(REMOVED_FROM_LB_LABEL)}`,
        value: 'true',
      },
    ];
    try {
      await this.connection.core.patchNamespacedPod(
        {
          namespace: target.namespace,
          name: target.name,
          body: ops,
          fieldManager: FIELD_MANAGER,
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
    } catch (error) {
      const status = statusOf(error);
      if (status === 409 || status === 422) {
        throw new ConflictError(
          `pod ${target.namespace}/${target.name} changed while it was being taken out of load balancing; reload and try again`,
        );
      }
      throw new ClusterWriteError(
        this.connection.name,
        describeKubeError(error),
        error,
      );
    }
    return [...selected].sort();
  }

  /**
   * The pod, read from the apiserver; absent (404) unless it belongs to `target.kubernetesId`.
   * `notFound` words that 404 for the caller (a shell names the container it looked for).
   */
  async get(
    target: PodTarget,
    notFound: () => Error = () => this.notFound(target),
  ): Promise<V1Pod> {
    let pod: V1Pod;
    try {
      pod = await this.connection.core.readNamespacedPod({
        namespace: target.namespace,
        name: target.name,
      });
    } catch (error) {
      if (statusOf(error) === 404) throw notFound();
      throw new ClusterWriteError(
        this.connection.name,
        describeKubeError(error),
        error,
      );
    }
    if (pod.metadata?.labels?.[KUBERNETES_ID_LABEL] !== target.kubernetesId) {
      throw notFound();
    }
    return pod;
  }

  private notFound(target: PodTarget) {
    return new NotFoundError(
      `cluster ${this.connection.name} has no container ${target.namespace}/${target.name} for this service`,
    );
  }
}
