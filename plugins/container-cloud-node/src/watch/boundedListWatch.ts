import {
  CoreV1Event,
  KubernetesListObject,
  KubernetesObject,
  ListWatch,
  Watch,
} from '@kubernetes/client-node';

/**
 * The most events one event watch keeps (one kind's events in one cluster, e.g. every event about
 * a Pod). The apiserver keeps events for its event TTL (an hour by default) in every namespace,
 * not only the services' ones, so a large or busy cluster holds far more than a page shows: past
 * this many, the least recently changed events go first. At about 1 KB a kept event (trimmed by
 * `trimEvent`), the three event watches of a cluster stay under 60 MB.
 * @public
 */
export const MAX_EVENTS_PER_WATCH = 20_000;

/** The part of client-node's `Watch` a list+watch uses. @public */
export type WatchLike = Pick<Watch, 'watch'>;
type WatchCallback = Parameters<Watch['watch']>[2];

/**
 * An event with only what the portal reads of it (what happened, to what, when, how often): the
 * apiserver's bookkeeping (managed fields, annotations, the reporting instance) is dropped before
 * it reaches the cache.
 * @public
 */
export function trimEvent(event: CoreV1Event): CoreV1Event {
  const { metadata, involvedObject } = event;
  return {
    metadata: {
      name: metadata?.name,
      namespace: metadata?.namespace,
      uid: metadata?.uid,
      resourceVersion: metadata?.resourceVersion,
      creationTimestamp: metadata?.creationTimestamp,
    },
    involvedObject: {
      kind: involvedObject?.kind,
      name: involvedObject?.name,
      namespace: involvedObject?.namespace,
      uid: involvedObject?.uid,
      fieldPath: involvedObject?.fieldPath,
    },
    type: event.type,
    reason: event.reason,
    message: event.message,
    count: event.count,
    firstTimestamp: event.firstTimestamp,
    lastTimestamp: event.lastTimestamp,
    eventTime: event.eventTime,
    ...(event.series ? { series: event.series } : {}),
  };
}

function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/** When an object last changed, as far as it says (events: their last occurrence). */
function changedAt(object: KubernetesObject): number {
  const o = object as CoreV1Event;
  const at =
    o.series?.lastObservedTime ??
    o.lastTimestamp ??
    o.eventTime ??
    o.metadata?.creationTimestamp;
  const ms = at ? new Date(at as unknown as string).getTime() : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/**
 * A list+watch (client-node's `ListWatch`, with its resumption and relisting) that keeps at most
 * `maxObjects` objects, each as `trim` leaves it: a list keeps its `maxObjects` most recently
 * changed items, and past that, each object the watch adds pushes out the least recently changed
 * one (the cache's listeners hear of it as a deletion). For kinds whose objects the cluster itself
 * does not bound by anything a portal controls, such as events.
 * @public
 */
export function boundedListWatch<T extends KubernetesObject>(options: {
  path: string;
  watch: WatchLike;
  list(): Promise<KubernetesListObject<T>>;
  maxObjects: number;
  trim?(object: T): T;
  labelSelector?: string;
  fieldSelector?: string;
}): ListWatch<T> & { readonly size: number } {
  const trim = options.trim ?? ((object: T) => object);
  /** every kept object's key, least recently changed first, with what the cache holds */
  const kept = new Map<string, T>();
  let latestVersion = '';
  let deliver: WatchCallback | undefined;

  const keep = (object: T) => {
    const key = keyOf(object);
    kept.delete(key);
    kept.set(key, object);
    while (kept.size > options.maxObjects && deliver) {
      const [oldestKey, oldest] = kept.entries().next().value!;
      kept.delete(oldestKey);
      // through the watch's own handler, so the cache and its listeners let it go; at the newest
      // version seen, so a resumed watch starts where it stopped
      deliver('DELETED', {
        ...oldest,
        metadata: { ...oldest.metadata, resourceVersion: latestVersion },
      });
    }
  };

  const watch: WatchLike = {
    watch(path, params, callback, done) {
      deliver = callback;
      return options.watch.watch(
        path,
        params,
        (phase, apiObj, watchObj) => {
          if (phase === 'ADDED' || phase === 'MODIFIED') {
            const object = trim(apiObj as T);
            latestVersion = object.metadata?.resourceVersion ?? latestVersion;
            callback(phase, object, watchObj);
            keep(object);
            return;
          }
          if (phase === 'DELETED') kept.delete(keyOf(apiObj as T));
          if (apiObj?.metadata?.resourceVersion) {
            latestVersion = apiObj.metadata.resourceVersion;
          }
          callback(phase, apiObj, watchObj);
        },
        done,
      );
    },
  };

  const list = async () => {
    const listed = await options.list();
    const items = listed.items.map(trim);
    // the newest first when there are too many; the list's order is kept otherwise
    const chosen =
      items.length > options.maxObjects
        ? items
            .map(item => ({ item, at: changedAt(item) }))
            .sort((a, b) => b.at - a.at)
            .slice(0, options.maxObjects)
            .reverse()
            .map(({ item }) => item)
        : items;
    kept.clear();
    for (const item of chosen) kept.set(keyOf(item), item);
    latestVersion = listed.metadata?.resourceVersion ?? latestVersion;
    return { ...listed, items: chosen };
  };

  const informer = new ListWatch<T>(
    options.path,
    watch as unknown as Watch,
    list,
    false,
    options.labelSelector,
    options.fieldSelector,
  );
  Object.defineProperty(informer, 'size', { get: () => kept.size });
  return informer as ListWatch<T> & { readonly size: number };
}
