import http from 'node:http';
import { AddressInfo } from 'node:net';
import { recordingLogger } from '../clusters/__testUtils__/recordingLogger';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { ClusterConnection } from '../clusters/ClusterConnection';
import { DefaultContainerCloudClusters } from '../ContainerCloudClusters';
import {
  endpointSlicesByService,
  KindWatch,
  SERVICE_NAME_LABEL,
} from './WatchedKind';

const SLICES = '/apis/discovery.k8s.io/v1/endpointslices';

function slice(
  name: string,
  service: string,
  resourceVersion = '7',
): V1EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'] }],
    metadata: {
      name,
      namespace: 'shop',
      resourceVersion,
      labels: { [SERVICE_NAME_LABEL]: service },
    },
  };
}

const FAILURE = {
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  message: 'etcd is down',
  code: 500,
};

/**
 * An apiserver for EndpointSlices speaking the real wire format: each list and each watch
 * request takes the next answer of its script (a status code; 200 lists `items`), and a watch
 * answered 200 stays open for `send`.
 */
class FakeApiserver {
  readonly requests: string[] = [];
  private readonly open: http.ServerResponse[] = [];
  private readonly server = http.createServer((req, res) =>
    this.answer(req, res),
  );
  private readonly waiting: Array<() => void> = [];
  url = '';

  constructor(
    private readonly script: { lists: number[]; watches: number[] },
    private readonly items: V1EndpointSlice[],
  ) {}

  async start() {
    await new Promise<void>(resolve =>
      this.server.listen(0, '127.0.0.1', resolve),
    );
    this.url = `http://127.0.0.1:${
      (this.server.address() as AddressInfo).port
    }`;
  }

  async stop() {
    this.open.forEach(res => res.end());
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
  }

  /** Resolves once a watch answered 200 is open. */
  watching(): Promise<void> {
    if (this.open.length > 0) return Promise.resolve();
    return new Promise(resolve => this.waiting.push(resolve));
  }

  send(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: V1EndpointSlice) {
    for (const res of this.open)
      res.write(`${JSON.stringify({ type, object })}\n`);
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url!, 'http://x');
    const watch = url.searchParams.get('watch') === 'true';
    this.requests.push(watch ? 'watch' : 'list');
    if (url.pathname !== SLICES) {
      res.statusCode = 404;
      res.end();
      return;
    }
    const status =
      (watch ? this.script.watches : this.script.lists).shift() ?? 200;
    res.setHeader('Content-Type', 'application/json');
    if (status !== 200) {
      res.statusCode = status;
      res.end(JSON.stringify(FAILURE));
    } else if (watch) {
      res.writeHead(200);
      res.flushHeaders();
      this.open.push(res);
      this.waiting.splice(0).forEach(resolve => resolve());
    } else {
      res.end(
        JSON.stringify({
          kind: 'EndpointSliceList',
          apiVersion: 'discovery.k8s.io/v1',
          metadata: { resourceVersion: '7' },
          items: this.items,
        }),
      );
    }
  }
}

function connectionTo(url: string) {
  return new ClusterConnection({
    name: 'edge',
    url,
    serviceAccountToken: 'token',
    skipTLSVerify: true,
  });
}

/** Resolves with the next change the watch reports. */
function nextChange(watch: KindWatch<V1EndpointSlice>) {
  return new Promise<string>(resolve => {
    const off = watch.onChange((verb, object) => {
      off();
      resolve(`${verb} ${object.metadata?.name}`);
    });
  });
}

// the first test waits out real backoffs: 1 s, 2 s, then 1 s again
jest.setTimeout(20_000);

describe('KindWatch', () => {
  let apiserver: FakeApiserver;
  /** the test's watch, stopped after it */
  let current: KindWatch<V1EndpointSlice> | undefined;

  afterEach(async () => {
    await current?.stop();
    current = undefined;
    await apiserver.stop();
  });

  /** An apiserver with this script and the slice `web-abc`, and a watch of it (not started). */
  async function watchOf(
    script: { lists: number[]; watches: number[] },
    logged: string[] = [],
  ): Promise<KindWatch<V1EndpointSlice>> {
    apiserver = new FakeApiserver(script, [slice('web-abc', 'web')]);
    await apiserver.start();
    current = new KindWatch(
      connectionTo(apiserver.url),
      endpointSlicesByService,
      recordingLogger(logged),
    );
    return current;
  }

  it('restarts a failing list after a doubling backoff, and from 1 s again once it has listed', async () => {
    const logged: string[] = [];
    // two lists fail; the first watch after the list fails too, the second stays open
    const watch = await watchOf({ lists: [500, 500], watches: [500] }, logged);
    const added = nextChange(watch);
    await watch.start();
    expect(watch.isSynced).toBe(false);

    expect(await added).toBe('add web-abc');
    // the open watch is the attempt after the broken one; waiting joins that attempt
    await apiserver.watching();
    await watch.whenSynced(10_000);
    expect(watch.isSynced).toBe(true);
    expect(logged).toEqual([
      expect.stringMatching(
        /^cluster edge: EndpointSlice watch failed \(the apiserver answered 500: etcd is down\); retrying in 1 s$/,
      ),
      expect.stringMatching(/retrying in 2 s$/),
      // objects arrived before the watch broke: the backoff starts from 1 s again
      expect.stringMatching(/retrying in 1 s$/),
    ]);
    expect(apiserver.requests).toEqual([
      'list',
      'list',
      'list',
      'watch',
      'watch',
    ]);
  });

  it('looks objects up by the label, and follows a change of its value', async () => {
    const watch = await watchOf({ lists: [], watches: [] });
    await watch.start();
    await apiserver.watching();
    expect(watch.labelled('web', 'shop').map(s => s.metadata?.name)).toEqual([
      'web-abc',
    ]);
    expect(watch.labelled('web', 'other')).toEqual([]);

    let change = nextChange(watch);
    apiserver.send('MODIFIED', slice('web-abc', 'api', '8'));
    expect(await change).toBe('update web-abc');
    expect(watch.labelled('web')).toEqual([]);
    expect(watch.labelled('api').map(s => s.metadata?.name)).toEqual([
      'web-abc',
    ]);

    change = nextChange(watch);
    apiserver.send('DELETED', slice('web-abc', 'api', '9'));
    expect(await change).toBe('delete web-abc');
    expect(watch.labelled('api')).toEqual([]);
  });

  it('tries a watch waiting out its backoff again when a caller waits for it', async () => {
    const watch = await watchOf({ lists: [500, 500], watches: [] });
    await watch.start();
    // the first failure scheduled a retry in 1 s; waiting tries now, and fails once more
    await expect(watch.whenSynced(10_000)).rejects.toMatchObject({
      code: 500,
    });
    await watch.whenSynced(10_000);
    expect(watch.isSynced).toBe(true);
    expect(apiserver.requests.slice(0, 3)).toEqual(['list', 'list', 'list']);
  });
});

describe('DefaultContainerCloudClusters.watchKind', () => {
  it('shares one watch per cluster and kind, and names the configured clusters for an unknown one', async () => {
    const apiserver = new FakeApiserver({ lists: [], watches: [] }, [
      slice('web-abc', 'web'),
    ]);
    await apiserver.start();
    const clusters = new DefaultContainerCloudClusters(
      [{ name: 'edge', url: apiserver.url, skipTLSVerify: true }],
      recordingLogger([]),
    );
    try {
      const first = clusters.watchKind('edge', endpointSlicesByService);
      const second = clusters.watchKind('edge', endpointSlicesByService);
      expect(second).toBe(first);
      await second.whenSynced(10_000);
      expect(first.labelled('web', 'shop')).toHaveLength(1);
      expect(apiserver.requests.filter(r => r === 'list')).toEqual(['list']);
      expect(() => clusters.watchKind('nope', endpointSlicesByService)).toThrow(
        "no cluster named 'nope'; configured: edge",
      );
    } finally {
      await clusters.stop();
      await apiserver.stop();
    }
  });
});
