import {
  DiscoveryV1Api,
  KubernetesListObject,
  KubernetesObject,
  makeInformer,
  V1EndpointSlice,
} from '@kubernetes/client-node';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { ClusterConnection } from '../clusters/ClusterConnection';
import { RestartingWatch, WatchVerb } from './RestartingWatch';

/**
 * A kind a plugin wants watched in every namespace of a cluster, beside the workloads the cluster
 * layer always watches. One watch per cluster and `name`, however many plugins ask.
 * @public
 */
export interface WatchedKind<T extends KubernetesObject> {
  /** names the watch in the log and shares it: `EndpointSlice` */
  name: string;
  /** the collection to watch: `/apis/discovery.k8s.io/v1/endpointslices` */
  path: string;
  /** only objects carrying this label (a label selector) */
  labelSelector?: string;
  /** the objects are looked up by this label's value (`labelled`) */
  indexLabel?: string;
  /** lists the kind in every namespace with the label selector */
  list(
    connection: ClusterConnection,
    labelSelector?: string,
  ): Promise<KubernetesListObject<T>>;
}

/** Called for every change to a watched object. @public */
export type WatchedObjectListener<T extends KubernetesObject> = (
  verb: WatchVerb,
  object: T,
) => void;

/** The objects of one watched kind in one cluster, straight from the watch cache. @public */
export interface WatchedObjects<T extends KubernetesObject> {
  readonly cluster: string;
  /** true once the watch has listed and has not failed since */
  readonly isSynced: boolean;
  /**
   * Resolves once the watch has listed. A watch waiting out its backoff is tried again now; an
   * attempt that fails rejects with the apiserver's error, and `timeoutMs` bounds the wait.
   */
  whenSynced(timeoutMs: number): Promise<void>;
  /** every object, or those of one namespace */
  list(namespace?: string): readonly T[];
  /** the objects whose `indexLabel` has this value, in one namespace or all */
  labelled(value: string, namespace?: string): T[];
  onChange(listener: WatchedObjectListener<T>): () => void;
}

/** The label `kubernetes.io/service-name` EndpointSlices carry. @public */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/**
 * The EndpointSlices of Services, looked up by Service name
 * (`labelled(service, namespace)`).
 * @public
 */
export const endpointSlicesByService: WatchedKind<V1EndpointSlice> = {
  name: 'EndpointSlice',
  path: '/apis/discovery.k8s.io/v1/endpointslices',
  labelSelector: SERVICE_NAME_LABEL,
  indexLabel: SERVICE_NAME_LABEL,
  list: (connection, labelSelector) =>
    connection.kubeConfig
      .makeApiClient(DiscoveryV1Api)
      .listEndpointSliceForAllNamespaces({ labelSelector }),
};

function keyOf(object: KubernetesObject) {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/**
 * One kind watched in one cluster (a `RestartingWatch`), with an index by a label's value and
 * listeners that a failing listener cannot break.
 * @public
 */
export class KindWatch<T extends KubernetesObject>
  implements WatchedObjects<T>
{
  private readonly watch: RestartingWatch<T>;
  private readonly listeners = new Set<WatchedObjectListener<T>>();
  /** label value, then `namespace/name`, then object */
  private readonly index = new Map<string, Map<string, T>>();
  /** the label value each object is indexed under */
  private readonly indexedAs = new Map<string, string>();

  constructor(
    connection: ClusterConnection,
    private readonly kind: WatchedKind<T>,
    private readonly logger: LoggerService,
  ) {
    this.watch = new RestartingWatch(
      makeInformer(
        connection.kubeConfig,
        kind.path,
        () => kind.list(connection, kind.labelSelector),
        kind.labelSelector,
      ),
      { name: `cluster ${connection.name}: ${kind.name} watch`, logger },
    );
    this.cluster = connection.name;
    for (const verb of ['add', 'update', 'delete'] as const) {
      this.watch.on(verb, object => this.changed(verb, object));
    }
  }

  readonly cluster: string;

  get isSynced() {
    return this.watch.isSynced;
  }

  start(): Promise<void> {
    return this.watch.start();
  }

  whenSynced(timeoutMs: number): Promise<void> {
    return this.watch.whenSynced(timeoutMs);
  }

  stop(): Promise<void> {
    this.listeners.clear();
    return this.watch.stop();
  }

  list(namespace?: string): readonly T[] {
    return this.watch.informer.list(namespace);
  }

  labelled(value: string, namespace?: string): T[] {
    const objects = [...(this.index.get(value)?.values() ?? [])];
    return namespace === undefined
      ? objects
      : objects.filter(o => o.metadata?.namespace === namespace);
  }

  onChange(listener: WatchedObjectListener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(verb: WatchVerb, object: T) {
    if (this.kind.indexLabel) this.reindex(verb, object, this.kind.indexLabel);
    for (const listener of this.listeners) {
      try {
        listener(verb, object);
      } catch (error) {
        this.logger.warn(
          `${this.kind.name} listener of cluster ${this.cluster} failed: ${error}`,
        );
      }
    }
  }

  /** Keeps the index right when an object comes, goes, or changes its label's value. */
  private reindex(verb: WatchVerb, object: T, label: string) {
    const key = keyOf(object);
    const before = this.indexedAs.get(key);
    if (before !== undefined) {
      const objects = this.index.get(before);
      objects?.delete(key);
      if (objects?.size === 0) this.index.delete(before);
      this.indexedAs.delete(key);
    }
    const value = object.metadata?.labels?.[label];
    if (verb === 'delete' || value === undefined) return;
    let objects = this.index.get(value);
    if (!objects) {
      objects = new Map();
      this.index.set(value, objects);
    }
    objects.set(key, object);
    this.indexedAs.set(key, value);
  }
}
