import { CoreV1Event } from '@kubernetes/client-node';
import { ServiceUnavailableError } from '@backstage/errors';
import type { EventView } from '@internal/plugin-container-cloud-common';
import {
  ClusterConnection,
  describeKubeError,
} from '../clusters/ClusterConnection';
import { DeploymentOperations } from './DeploymentOperations';
import { PodOperations } from './PodOperations';

/** The most events one answer carries; the newest are kept. */
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
 * The Kubernetes events of one service's pods and Deployments, read from the apiserver. Objects
 * of another service are answered as absent, as every other per-object route does.
 * @public
 */
export class ServiceEvents {
  constructor(
    private readonly connection: ClusterConnection,
    private readonly pods: PodOperations,
    private readonly deployments: DeploymentOperations,
  ) {}

  /** Events of one pod (its containers: pulled, started, probe failed, killed...). */
  async ofPod(target: {
    namespace: string;
    name: string;
    kubernetesId: string;
  }): Promise<EventView[]> {
    await this.pods.get(target);
    return newestFirst(await this.list(target.namespace, 'Pod', [target.name]));
  }

  /** Events of one Deployment and of its ReplicaSets (scaled, created pods, quota refusals). */
  async ofDeployment(target: {
    namespace: string;
    name: string;
    kubernetesId: string;
  }): Promise<EventView[]> {
    const deployment = await this.deployments.get(
      target.namespace,
      target.name,
      target.kubernetesId,
    );
    const uid = deployment.metadata?.uid;
    const replicaSets = await this.call(() =>
      this.connection.apps.listNamespacedReplicaSet({
        namespace: target.namespace,
      }),
    );
    const owned = replicaSets.items
      .filter(rs => rs.metadata?.ownerReferences?.some(o => o.uid === uid))
      .map(rs => rs.metadata!.name!);
    const [own, ofReplicaSets] = await Promise.all([
      this.list(target.namespace, 'Deployment', [target.name]),
      this.list(target.namespace, 'ReplicaSet', owned),
    ]);
    return newestFirst([...own, ...ofReplicaSets]);
  }

  private async list(
    namespace: string,
    kind: string,
    names: string[],
  ): Promise<EventView[]> {
    const lists = await Promise.all(
      names.map(name =>
        this.call(() =>
          this.connection.core.listNamespacedEvent({
            namespace,
            fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}`,
          }),
        ),
      ),
    );
    return lists.flatMap(list => list.items.map(eventView));
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
