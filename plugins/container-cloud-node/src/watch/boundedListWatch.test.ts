import type { CoreV1Event, Watch } from '@kubernetes/client-node';
import { boundedListWatch, trimEvent } from './boundedListWatch';

type Callback = Parameters<Watch['watch']>[2];

/** An event about pod `pod` in `ns`, last seen `at` seconds after the epoch. */
function event(name: string, at: number, rv: number, pod = name): CoreV1Event {
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      resourceVersion: String(rv),
      creationTimestamp: new Date(at * 1000),
      managedFields: [{ manager: 'kube-scheduler', operation: 'Update' }],
      annotations: { big: 'x'.repeat(1000) },
    },
    involvedObject: { kind: 'Pod', name: pod, namespace: 'ns', uid: 'p' },
    reason: 'Scheduled',
    message: `Successfully assigned ns/${pod} to kwok-node-0`,
    type: 'Normal',
    count: 1,
    lastTimestamp: new Date(at * 1000),
    source: { component: 'default-scheduler' },
    reportingComponent: 'default-scheduler',
    reportingInstance: 'default-scheduler-xyz',
  };
}

/** A list+watch over a fake apiserver: `list` answers with `listed`, `send` streams a change. */
function setup(maxObjects: number, listed: CoreV1Event[] = []) {
  let stream: Callback | undefined;
  const watch = {
    async watch(_path: string, _params: object, callback: Callback) {
      stream = callback;
      return new AbortController();
    },
  };
  const informer = boundedListWatch<CoreV1Event>({
    path: '/api/v1/events',
    watch: watch as unknown as Watch,
    list: async () => ({
      metadata: { resourceVersion: '1000' },
      items: listed,
    }),
    maxObjects,
    trim: trimEvent,
  });
  const deleted: string[] = [];
  informer.on('delete', e => deleted.push(e.metadata!.name!));
  return {
    informer,
    deleted,
    send: (phase: string, e: CoreV1Event) => stream!(phase, e, {}),
  };
}

describe('boundedListWatch', () => {
  it('keeps the newest events of a list that holds more than its bound', async () => {
    const listed = Array.from({ length: 10 }, (_, i) =>
      event(`e${i}`, i === 3 ? 100 : i, i + 1),
    );
    const { informer } = setup(4, listed);
    await informer.start();
    expect(
      informer
        .list()
        .map(e => e.metadata!.name)
        .sort(),
    ).toEqual(['e3', 'e7', 'e8', 'e9']);
    expect(informer.size).toBe(4);
  });

  it('never holds more than its bound however many events stream in, the least recently changed going first', async () => {
    const { informer, deleted, send } = setup(100);
    await informer.start();
    for (let i = 0; i < 5_000; i++) {
      send('ADDED', event(`e${i}`, i, 2000 + i));
      expect(informer.size).toBeLessThanOrEqual(100);
    }
    expect(informer.list()).toHaveLength(100);
    expect(deleted).toHaveLength(4_900);
    expect(deleted.slice(0, 3)).toEqual(['e0', 'e1', 'e2']);
    // an event that changes again (its count goes up) is kept over older ones
    send('MODIFIED', { ...event('e4900', 6000, 9000), count: 2 });
    for (let i = 5_000; i < 5_099; i++)
      send('ADDED', event(`e${i}`, i, 9001 + i));
    expect(informer.get('e4900', 'ns')?.count).toBe(2);
    expect(informer.get('e4901', 'ns')).toBeUndefined();
    // an eviction does not move the version the watch resumes from backwards
    expect(Number(informer.latestResourceVersion())).toBe(9001 + 5_098);
  });

  it('lets a deletion from the apiserver free its place', async () => {
    const { informer, send } = setup(3);
    await informer.start();
    send('ADDED', event('a', 1, 2));
    send('ADDED', event('b', 2, 3));
    send('DELETED', event('a', 1, 4));
    send('ADDED', event('c', 3, 5));
    send('ADDED', event('d', 4, 6));
    expect(
      informer
        .list()
        .map(e => e.metadata!.name)
        .sort(),
    ).toEqual(['b', 'c', 'd']);
  });

  it('keeps what the portal reads of an event and drops the rest', () => {
    const trimmed = trimEvent(event('e', 5, 7));
    expect(trimmed).toEqual({
      metadata: {
        name: 'e',
        namespace: 'ns',
        uid: 'uid-e',
        resourceVersion: '7',
        creationTimestamp: new Date(5000),
      },
      involvedObject: {
        kind: 'Pod',
        name: 'e',
        namespace: 'ns',
        uid: 'p',
        fieldPath: undefined,
      },
      type: 'Normal',
      reason: 'Scheduled',
      message: 'Successfully assigned ns/e to kwok-node-0',
      count: 1,
      firstTimestamp: undefined,
      lastTimestamp: new Date(5000),
      eventTime: undefined,
    });
    expect(JSON.stringify(trimmed).length).toBeLessThan(
      JSON.stringify(event('e', 5, 7)).length / 3,
    );
  });
});
