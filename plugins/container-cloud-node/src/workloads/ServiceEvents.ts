import {
  CoreV1Event,
  KubernetesObject,
  V1Deployment,
  V1ReplicaSet,
} from '@kubernetes/client-node';
import { ServiceUnavailableError } from '@backstage/errors';
import {
  EventView,
  KUBERNETES_ID_LABEL,
} from '@internal/plugin-container-cloud-common';
import {
  ClusterConnection,
  describeKubeError,
} from '../clusters/ClusterConnection';
import { ClusterWatch, WorkloadKind } from './ClusterWatch';
import { DeploymentOperations } from './DeploymentOperations';
import { PodOperations } from './PodOperations';

/** The most events one answer carries; the newest are kept. @public */
export const MAX_EVENTS = 200;

function iso(value: Date | string | undefined): string | undefined {
  if (!value) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * One event as the page shows it. Events written through `events.k8s.io/v1` (the scheduler's,
 * for example) count repeats in `series` and carry `eventTime` instead of the timestamps.
 * @public
 */
export function eventView(event: CoreV1Event): EventView {
  const lastSeen =
    iso(event.series?.lastObservedTime) ??
    iso(event.lastTimestamp) ??
    iso(event.eventTime) ??
    iso(event.metadata?.creationTimestamp);
  return {
    type: event.type ?? 'Normal',
    reason: event.reason ?? '',
    message: event.message ?? '',
    count: event.series?.count ?? event.count ?? 1,
    firstSeen:
      iso(event.firstTimestamp) ??
      iso(event.eventTime) ??
      iso(event.metadata?.creationTimestamp),
    lastSeen,
    object: {
      kind: event.involvedObject.kind ?? '',
      name: event.involvedObject.name ?? '',
    },
  };
}

/** Newest first; at most {@link MAX_EVENTS}. */
function newestFirst(events: EventView[]): EventView[] {
  return events
    .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''))
    .slice(0, MAX_EVENTS);
}

/**
 * The Kubernetes events of one service's pods and Deployments. They come from the cluster's event
 * watch; while that is not synced (at start, or after a failure) they are listed from the
 * apiserver. Objects of another service are answered as absent, as every other per-object route
 * does.
 * @public
 */
export class ServiceEvents {
  constructor(
    private readonly connection: ClusterConnection,
    private readonly watch: ClusterWatch,
    private readonly pods: PodOperations,
    private readonly deployments: DeploymentOperations,
  ) {}

  /** Events of one pod (its containers: pulled, started, probe failed, killed...). */
  async ofPod(target: {
    namespace: string;
    name: string;
    kubernetesId: string;
  }): Promise<EventView[]> {
    if (!this.cachedOf('Pod', target)) await this.pods.get(target);
    return newestFirst(
      await this.about(target.namespace, 'Pod', [target.name]),
    );
  }

  /** Events of one Deployment and of its ReplicaSets (scaled, created pods, quota refusals). */
  async ofDeployment(target: {
    namespace: string;
    name: string;
    kubernetesId: string;
  }): Promise<EventView[]> {
    const deployment =
      (this.cachedOf('Deployment', target) as V1Deployment | undefined) ??
      (await this.deployments.get(
        target.namespace,
        target.name,
        target.kubernetesId,
      ));
    const uid = deployment.metadata?.uid;
    const owned = (await this.replicaSetsIn(target))
      .filter(rs => rs.metadata?.ownerReferences?.some(o => o.uid === uid))
      .map(rs => rs.metadata!.name!);
    const [own, ofReplicaSets] = await Promise.all([
      this.about(target.namespace, 'Deployment', [target.name]),
      this.about(target.namespace, 'ReplicaSet', owned),
    ]);
    return newestFirst([...own, ...ofReplicaSets]);
  }

  /** The service's object from the watch cache, when the cache has it. */
  private cachedOf(
    kind: WorkloadKind,
    target: { namespace: string; name: string; kubernetesId: string },
  ): KubernetesObject | undefined {
    const found = this.watch.find(kind, target.namespace, target.name);
    return typeof found === 'object' &&
      found.metadata?.labels?.[KUBERNETES_ID_LABEL] === target.kubernetesId
      ? found
      : undefined;
  }

  private async replicaSetsIn(target: {
    namespace: string;
    kubernetesId: string;
  }): Promise<V1ReplicaSet[]> {
    if (this.watch.isSynced) {
      return this.watch
        .workloadsOf(target.kubernetesId)
        .replicaSets.filter(rs => rs.metadata?.namespace === target.namespace);
    }
    const list = await this.call(() =>
      this.connection.apps.listNamespacedReplicaSet({
        namespace: target.namespace,
      }),
    );
    return list.items;
  }

  /**
   * The events about one object: from the event watch, or listed from the apiserver while that
   * is not synced. Errors are the client's own.
   */
  async eventsOf(
    namespace: string,
    kind: WorkloadKind,
    name: string,
  ): Promise<CoreV1Event[]> {
    const cached = this.watch.eventsAbout(namespace, kind, name);
    if (cached) return cached;
    const list = await this.connection.core.listNamespacedEvent({
      namespace,
      fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}`,
    });
    return list.items;
  }

  private async about(
    namespace: string,
    kind: WorkloadKind,
    names: string[],
  ): Promise<EventView[]> {
    const lists = await Promise.all(
      names.map(name => this.call(() => this.eventsOf(namespace, kind, name))),
    );
    return lists.flatMap(list => list.map(eventView));
  }

  private async call<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw new ServiceUnavailableError(
        `cluster ${
          this.connection.name
        } could not list events: ${describeKubeError(error)}`,
      );
    }
  }
}
