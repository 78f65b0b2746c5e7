import {
  CoreV1Event,
  Informer,
  KubernetesObject,
  ListWatch,
  makeInformer,
  ObjectCache,
  V1Deployment,
  V1Pod,
  V1ReplicaSet,
  Watch,
} from '@kubernetes/client-node';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { KUBERNETES_ID_LABEL } from '@internal/plugin-container-cloud-common';
import {
  ClusterConnection,
  describeKubeError,
  describeKubeErrorBriefly,
} from '../clusters/ClusterConnection';

type Watched<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

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

const MAX_BACKOFF_MS = 30_000;
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
 * default), which bounds what is held. An event about one of the service's objects is passed to
 * the listeners under that service's id.
 * @public
 */
export class ClusterWatch {
  private readonly deployments: Watched<V1Deployment>;
  private readonly replicaSets: Watched<V1ReplicaSet>;
  private readonly pods: Watched<V1Pod>;
  private readonly events: Record<WorkloadKind, Watched<CoreV1Event>>;
  /** events by `namespace/kind/name` of what they are about, then by uid */
  private readonly eventIndex = new Map<string, Map<string, CoreV1Event>>();
  private readonly synced = new Set<string>();
  private readonly listeners = new Set<WorkloadListener>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private lastError?: string;

  constructor(
    private readonly connection: ClusterConnection,
    private readonly logger: LoggerService,
  ) {
    const kc = connection.kubeConfig;
    const labelSelector = KUBERNETES_ID_LABEL;
    this.deployments = makeInformer(
      kc,
      '/apis/apps/v1/deployments',
      () => connection.apps.listDeploymentForAllNamespaces({ labelSelector }),
      labelSelector,
    );
    this.replicaSets = makeInformer(
      kc,
      '/apis/apps/v1/replicasets',
      () => connection.apps.listReplicaSetForAllNamespaces({ labelSelector }),
      labelSelector,
    );
    this.pods = makeInformer(
      kc,
      '/api/v1/pods',
      () => connection.core.listPodForAllNamespaces({ labelSelector }),
      labelSelector,
    );
    const eventsAbout = (kind: WorkloadKind) => {
      const fieldSelector = `involvedObject.kind=${kind}`;
      return new ListWatch<CoreV1Event>(
        '/api/v1/events',
        new Watch(kc),
        () => connection.core.listEventForAllNamespaces({ fieldSelector }),
        false,
        undefined,
        fieldSelector,
      );
    };
    this.events = {
      Deployment: eventsAbout('Deployment'),
      ReplicaSet: eventsAbout('ReplicaSet'),
      Pod: eventsAbout('Pod'),
    };
  }

  get cluster() {
    return this.connection.name;
  }

  /** true once every workload watch has listed and none has failed since */
  get isSynced() {
    return WORKLOAD_KINDS.every(kind => this.synced.has(kind));
  }

  /** true once every event watch has listed and none has failed since */
  get eventsSynced() {
    return WORKLOAD_KINDS.every(kind => this.synced.has(`Event:${kind}`));
  }

  get error() {
    return this.lastError;
  }

  onChange(listener: WorkloadListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts the watches; resolves when each has listed once or failed once (then retries). */
  async start(): Promise<void> {
    this.stopped = false;
    await Promise.all([
      this.run('Deployment', this.deployments, this.emitter('Deployment')),
      this.run('ReplicaSet', this.replicaSets, this.emitter('ReplicaSet')),
      this.run('Pod', this.pods, this.emitter('Pod')),
      ...WORKLOAD_KINDS.map(kind =>
        this.run(`Event:${kind}`, this.events[kind], this.eventHandler()),
      ),
    ]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.synced.clear();
    await Promise.allSettled([
      this.deployments.stop(),
      this.replicaSets.stop(),
      this.pods.stop(),
      ...WORKLOAD_KINDS.map(kind => this.events[kind].stop()),
    ]);
    this.eventIndex.clear();
  }

  workloadsOf(kubernetesId: string): ClusterWorkloads {
    const mine = <T extends KubernetesObject>(items: readonly T[]) =>
      items.filter(
        o => o.metadata?.labels?.[KUBERNETES_ID_LABEL] === kubernetesId,
      );
    return {
      deployments: mine(this.deployments.list()),
      replicaSets: mine(this.replicaSets.list()),
      pods: mine(this.pods.list()),
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
    if (!this.synced.has(kind)) return 'unknown';
    const cache: ObjectCache<KubernetesObject> = {
      Deployment: this.deployments,
      ReplicaSet: this.replicaSets,
      Pod: this.pods,
    }[kind];
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
    if (!this.synced.has(`Event:${kind}`)) return undefined;
    return [
      ...(this.eventIndex.get(eventKey(namespace, kind, name))?.values() ?? []),
    ];
  }

  /** Every watched pod's uid, or undefined while the pod watch is not synced. */
  livePodUids(): Set<string> | undefined {
    if (!this.synced.has('Pod')) return undefined;
    return new Set(
      this.pods
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

  private emitter(kind: WorkloadKind) {
    return (verb: 'add' | 'update' | 'delete', obj: KubernetesObject) => {
      const id = obj.metadata?.labels?.[KUBERNETES_ID_LABEL];
      if (id) this.notify(id, kind, verb, obj);
    };
  }

  /** Keeps the event index, and tells the listeners when the event is about a service's object. */
  private eventHandler() {
    return (verb: 'add' | 'update' | 'delete', obj: KubernetesObject) => {
      const event = obj as CoreV1Event;
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
      const target = this.find(
        about.kind as WorkloadKind,
        namespace,
        about.name,
      );
      const id =
        typeof target === 'object'
          ? target.metadata?.labels?.[KUBERNETES_ID_LABEL]
          : undefined;
      if (id) this.notify(id, 'Event', verb, event);
    };
  }

  /** `kind` names the watch in the synced set and in messages: `Pod`, or `Event:Pod`. */
  private run<T extends KubernetesObject>(
    kind: string,
    informer: Watched<T>,
    handle: (verb: 'add' | 'update' | 'delete', obj: T) => void,
  ): Promise<void> {
    let backoff = 1000;
    const on = (verb: 'add' | 'update' | 'delete') => (obj: T) => {
      backoff = 1000;
      handle(verb, obj);
    };
    informer.on('add', on('add'));
    informer.on('update', on('update'));
    informer.on('delete', on('delete'));
    let failed = false;
    let retry: NodeJS.Timeout | undefined;
    const restart = {
      attempt: (): Promise<void> => {
        failed = false;
        return informer.start().then(() => {
          if (!failed) {
            this.synced.add(kind);
            this.lastError = undefined;
          }
        }, restart.onError);
      },
      onError: (error: unknown) => {
        failed = true;
        this.synced.delete(kind);
        if (this.stopped || retry) return;
        // shown in cluster health to every reader: the kind of failure; the detail is logged
        this.lastError = describeKubeErrorBriefly(error);
        this.logger.warn(
          `cluster ${this.cluster}: ${kind} watch failed (${describeKubeError(
            error,
          )}); retrying in ${backoff / 1000} s`,
        );
        retry = setTimeout(() => {
          this.timers.delete(retry!);
          retry = undefined;
          if (!this.stopped) restart.attempt();
        }, backoff);
        this.timers.add(retry);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      },
    };
    informer.on('error', restart.onError);
    return restart.attempt();
  }
}
