import {
  CoreV1Event,
  KubernetesListObject,
  KubernetesObject,
  makeInformer,
  ObjectCache,
  V1Deployment,
  V1Pod,
  V1ReplicaSet,
  Watch,
} from '@kubernetes/client-node';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { KUBERNETES_ID_LABEL } from '@internal/plugin-container-cloud-common';
import type { ClusterConnection } from '../clusters/ClusterConnection';
import {
  boundedListWatch,
  MAX_EVENTS_PER_WATCH,
  trimEvent,
} from '../watch/boundedListWatch';
import {
  CachingInformer,
  RestartingWatch,
  WatchVerb,
} from '../watch/RestartingWatch';

/** What one cluster holds for one service, straight from the watch cache. @public */
export interface ClusterWorkloads {
  deployments: V1Deployment[];
  replicaSets: V1ReplicaSet[];
  pods: V1Pod[];
}

/** The kinds whose objects carry the label, and whose events are followed. @public */
export type WorkloadKind = 'Deployment' | 'ReplicaSet' | 'Pod';

/**
 * Called with the `backstage.io/kubernetes-id` of whatever changed: a labelled object, or a
 * Kubernetes event about one (kind `Event`, the event as object).
 * @public
 */
export type WorkloadListener = (
  cluster: string,
  kubernetesId: string,
  kind: WorkloadKind | 'Event',
  verb: 'add' | 'update' | 'delete',
  object: KubernetesObject,
) => void;

const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  'Deployment',
  'ReplicaSet',
  'Pod',
];

function eventKey(namespace: string, kind: string, name: string) {
  return `${namespace}/${kind}/${name}`;
}

/**
 * List+watch of the Deployments, ReplicaSets and Pods labelled with `backstage.io/kubernetes-id`
 * in one cluster, and of the events about objects of those kinds. Page views read this cache;
 * they never LIST the apiserver. A watch that fails is restarted with exponential backoff, and
 * the cluster is reported unsynced until it recovers.
 *
 * Events carry no labels, so the event watches see those kinds' events in every namespace (field
 * selector `involvedObject.kind`); the apiserver drops events after its event TTL (an hour by
 * default), and each event watch keeps at most `MAX_EVENTS_PER_WATCH`, trimmed
 * (`boundedListWatch`), which bounds what is held. An event about one of the service's objects is passed to
 * the listeners under that service's id.
 * @public
 */
export class ClusterWatch {
  private readonly deployments: RestartingWatch<V1Deployment>;
  private readonly replicaSets: RestartingWatch<V1ReplicaSet>;
  private readonly pods: RestartingWatch<V1Pod>;
  private readonly events: Record<WorkloadKind, RestartingWatch<CoreV1Event>>;
  /** events by `namespace/kind/name` of what they are about, then by uid */
  private readonly eventIndex = new Map<string, Map<string, CoreV1Event>>();
  private readonly listeners = new Set<WorkloadListener>();

  constructor(
    private readonly connection: ClusterConnection,
    private readonly logger: LoggerService,
  ) {
    const kc = connection.kubeConfig;
    const labelSelector = KUBERNETES_ID_LABEL;
    const kept = <T extends KubernetesObject>(
      kind: string,
      informer: CachingInformer<T>,
    ) =>
      new RestartingWatch(informer, {
        name: `cluster ${connection.name}: ${kind} watch`,
        logger,
      });
    /** the objects of a kind that carry the kubernetes-id label, in every namespace */
    const labelled = <T extends KubernetesObject>(
      kind: WorkloadKind,
      path: string,
      list: () => Promise<KubernetesListObject<T>>,
    ) => kept(kind, makeInformer(kc, path, list, labelSelector));
    this.deployments = labelled('Deployment', '/apis/apps/v1/deployments', () =>
      connection.apps.listDeploymentForAllNamespaces({ labelSelector }),
    );
    this.replicaSets = labelled('ReplicaSet', '/apis/apps/v1/replicasets', () =>
      connection.apps.listReplicaSetForAllNamespaces({ labelSelector }),
    );
    this.pods = labelled('Pod', '/api/v1/pods', () =>
      connection.core.listPodForAllNamespaces({ labelSelector }),
    );
    const eventsAbout = (kind: WorkloadKind) => {
      const fieldSelector = `involvedObject.kind=${kind}`;
      // bounded: the cluster's events in every namespace, not only the services' ones
      return kept(
        `Event:${kind}`,
        boundedListWatch<CoreV1Event>({
          path: '/api/v1/events',
          watch: new Watch(kc),
          list: () =>
            connection.core.listEventForAllNamespaces({ fieldSelector }),
          maxObjects: MAX_EVENTS_PER_WATCH,
          trim: trimEvent,
          fieldSelector,
        }),
      );
    };
    this.events = {
      Deployment: eventsAbout('Deployment'),
      ReplicaSet: eventsAbout('ReplicaSet'),
      Pod: eventsAbout('Pod'),
    };
    this.follow('Deployment', this.deployments);
    this.follow('ReplicaSet', this.replicaSets);
    this.follow('Pod', this.pods);
    WORKLOAD_KINDS.forEach(kind => this.followEvents(this.events[kind]));
  }

  get cluster() {
    return this.connection.name;
  }

  /** true once every workload watch has listed and none has failed since */
  get isSynced() {
    return this.workloadWatches().every(watch => watch.isSynced);
  }

  /** true once every event watch has listed and none has failed since */
  get eventsSynced() {
    return WORKLOAD_KINDS.every(kind => this.events[kind].isSynced);
  }

  /** why a watch is unsynced, in words fit for any reader; undefined while all are synced */
  get error(): string | undefined {
    return [...this.workloadWatches(), ...Object.values(this.events)]
      .map(watch => watch.error)
      .find(Boolean);
  }

  onChange(listener: WorkloadListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts the watches; resolves when each has listed once or failed once (then retries). */
  async start(): Promise<void> {
    await Promise.all(
      [...this.workloadWatches(), ...Object.values(this.events)].map(watch =>
        watch.start(),
      ),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(
      [...this.workloadWatches(), ...Object.values(this.events)].map(watch =>
        watch.stop(),
      ),
    );
    this.eventIndex.clear();
  }

  workloadsOf(kubernetesId: string): ClusterWorkloads {
    const mine = <T extends KubernetesObject>(items: readonly T[]) =>
      items.filter(
        o => o.metadata?.labels?.[KUBERNETES_ID_LABEL] === kubernetesId,
      );
    return {
      deployments: mine(this.deployments.informer.list()),
      replicaSets: mine(this.replicaSets.informer.list()),
      pods: mine(this.pods.informer.list()),
    };
  }

  /**
   * A labelled object of one kind from the cache; `absent` when the watch is synced and holds no
   * such object, `unknown` while the watch is not synced.
   */
  find(
    kind: WorkloadKind,
    namespace: string,
    name: string,
  ): KubernetesObject | 'absent' | 'unknown' {
    const watch: RestartingWatch<KubernetesObject> = {
      Deployment: this.deployments,
      ReplicaSet: this.replicaSets,
      Pod: this.pods,
    }[kind];
    if (!watch.isSynced) return 'unknown';
    const cache: ObjectCache<KubernetesObject> = watch.informer;
    return cache.get(name, namespace) ?? 'absent';
  }

  /**
   * The events about one object, from the event watch; undefined while that watch is not synced
   * (the caller then asks the apiserver).
   */
  eventsAbout(
    namespace: string,
    kind: WorkloadKind,
    name: string,
  ): CoreV1Event[] | undefined {
    if (!this.events[kind].isSynced) return undefined;
    return [
      ...(this.eventIndex.get(eventKey(namespace, kind, name))?.values() ?? []),
    ];
  }

  /** Every watched pod's uid, or undefined while the pod watch is not synced. */
  livePodUids(): Set<string> | undefined {
    if (!this.pods.isSynced) return undefined;
    return new Set(
      this.pods.informer
        .list()
        .map(p => p.metadata?.uid)
        .filter((uid): uid is string => Boolean(uid)),
    );
  }

  private notify(
    kubernetesId: string,
    kind: WorkloadKind | 'Event',
    verb: 'add' | 'update' | 'delete',
    object: KubernetesObject,
  ) {
    for (const listener of this.listeners) {
      try {
        listener(this.cluster, kubernetesId, kind, verb, object);
      } catch (error) {
        this.logger.warn(`workload listener failed: ${error}`);
      }
    }
  }

  private workloadWatches(): RestartingWatch<KubernetesObject>[] {
    return [this.deployments, this.replicaSets, this.pods];
  }

  /** Tells the listeners of every change to the labelled objects of one kind. */
  private follow(kind: WorkloadKind, watch: RestartingWatch<KubernetesObject>) {
    for (const verb of ['add', 'update', 'delete'] as const) {
      watch.on(verb, obj => {
        const id = obj.metadata?.labels?.[KUBERNETES_ID_LABEL];
        if (id) this.notify(id, kind, verb, obj);
      });
    }
  }

  private followEvents(watch: RestartingWatch<CoreV1Event>) {
    for (const verb of ['add', 'update', 'delete'] as const) {
      watch.on(verb, event => this.eventChanged(verb, event));
    }
  }

  /** Keeps the event index, and tells the listeners when the event is about a service's object. */
  private eventChanged(verb: WatchVerb, event: CoreV1Event) {
    const about = event.involvedObject;
    const uid = event.metadata?.uid;
    const namespace = about?.namespace ?? event.metadata?.namespace;
    if (!about?.kind || !about.name || !namespace || !uid) return;
    const key = eventKey(namespace, about.kind, about.name);
    let byUid = this.eventIndex.get(key);
    if (verb === 'delete') {
      byUid?.delete(uid);
      if (byUid?.size === 0) this.eventIndex.delete(key);
    } else {
      if (!byUid) {
        byUid = new Map();
        this.eventIndex.set(key, byUid);
      }
      byUid.set(uid, event);
    }
    // an event's own deletion (its TTL ran out) changes nothing a page shows
    if (verb === 'delete' || !WORKLOAD_KINDS.includes(about.kind as any)) {
      return;
    }
    const target = this.find(about.kind as WorkloadKind, namespace, about.name);
    const id =
      typeof target === 'object'
        ? target.metadata?.labels?.[KUBERNETES_ID_LABEL]
        : undefined;
    if (id) this.notify(id, 'Event', verb, event);
  }
}
