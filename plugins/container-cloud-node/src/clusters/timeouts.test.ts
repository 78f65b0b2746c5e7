import { ConfigReader } from '@backstage/config';
import { createHash } from 'node:crypto';
import http from 'node:http';
import net, { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { DefaultContainerCloudClusters } from '../ContainerCloudClusters';
import { DeploymentOperations } from '../workloads/DeploymentOperations';
import { PodExec } from '../workloads/PodExec';
import type { PodOperations } from '../workloads/PodOperations';
import { ClusterConnection } from './ClusterConnection';
import { readClusterConfig } from './readClusterConfig';
import { recordingLogger } from './__testUtils__/recordingLogger';
import {
  ClusterTimeoutError,
  DEFAULT_KUBERNETES_TIMEOUTS,
  KubernetesTimeouts,
  readKubernetesTimeouts,
} from './timeouts';

/** A loopback TCP server that accepts every connection and never says a word. */
async function silentServer() {
  const sockets = new Set<net.Socket>();
  const server = net.createServer(socket => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** how many connections it holds open now */
    open: () => sockets.size,
    close: () => {
      sockets.forEach(s => s.destroy());
      return new Promise(resolve => server.close(resolve));
    },
  };
}

/**
 * A loopback server that completes every WebSocket upgrade (as a kubelet's exec does, with the
 * channel protocol) and then sends nothing.
 */
async function mutedWebSocketServer() {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const sockets = new Set<net.Socket>();
  server.on('upgrade', (req, socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    const accept = createHash('sha1')
      .update(
        `${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`,
      )
      .digest('base64');
    const protocol = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')[0]
      .trim();
    socket.write(
      [
        'HTTP/1.1 101 Switching Protocols',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Accept: ${accept}`,
        ...(protocol ? [`Sec-WebSocket-Protocol: ${protocol}`] : []),
        '',
        '',
      ].join('\r\n'),
    );
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      sockets.forEach(s => s.destroy());
      return new Promise(resolve => server.close(resolve));
    },
  };
}

const SHORT: KubernetesTimeouts = {
  requestMs: 200,
  probeMs: 200,
  execOpenMs: 200,
  execIdleMs: 200,
  commandIdleMs: 200,
};

function connectionTo(url: string, timeouts = SHORT) {
  return new ClusterConnection({
    name: 'silent',
    url,
    serviceAccountToken: 'token',
    skipTLSVerify: true,
    timeouts,
  });
}

/** The shared pod reader, answering that the container runs (the exec is what is tested). */
const runningPods = {
  get: async () => ({
    metadata: { name: 'p', namespace: 'ns' },
    spec: { containers: [{ name: 'app' }] },
    status: {
      containerStatuses: [{ name: 'app', state: { running: {} } }],
    },
  }),
} as unknown as PodOperations;
const TARGET = {
  namespace: 'ns',
  pod: 'p',
  container: 'app',
  kubernetesId: 'payments-api',
};

describe('timeouts', () => {
  it('reads containerCloud.kubernetes.timeouts in seconds, defaults for what is left out', () => {
    expect(readKubernetesTimeouts(new ConfigReader({}))).toEqual(
      DEFAULT_KUBERNETES_TIMEOUTS,
    );
    expect(
      readKubernetesTimeouts(
        new ConfigReader({
          containerCloud: {
            kubernetes: {
              timeouts: { requestSeconds: 5, execIdleSeconds: 0.5 },
            },
          },
        }),
      ),
    ).toEqual({
      ...DEFAULT_KUBERNETES_TIMEOUTS,
      requestMs: 5000,
      execIdleMs: 500,
    });
    expect(() =>
      readKubernetesTimeouts(
        new ConfigReader({
          containerCloud: { kubernetes: { timeouts: { probeSeconds: 0 } } },
        }),
      ),
    ).toThrow(
      'containerCloud.kubernetes.timeouts.probeSeconds must be a number of seconds above 0',
    );
  });

  it('gives every configured cluster the timeouts', () => {
    const [cluster] = readClusterConfig(
      new ConfigReader({
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [{ name: 'a', url: 'https://a.example.com' }],
            },
          ],
        },
        containerCloud: { kubernetes: { timeouts: { requestSeconds: 7 } } },
      }),
    );
    expect(new ClusterConnection(cluster).timeouts.requestMs).toBe(7000);
  });

  describe('against an apiserver that accepts and never answers', () => {
    let silent: Awaited<ReturnType<typeof silentServer>>;
    beforeAll(async () => {
      silent = await silentServer();
    });
    afterAll(() => silent.close());

    it('ends an API call with a 503 naming the cluster and the setting', async () => {
      const call = connectionTo(silent.url).apps.readNamespacedDeployment({
        namespace: 'ns',
        name: 'payments-api',
      });
      await expect(call).rejects.toThrow(ClusterTimeoutError);
      await expect(call).rejects.toMatchObject({
        statusCode: 503,
        message:
          'cluster silent: the apiserver did not answer within 0.2 s (containerCloud.kubernetes.timeouts.requestSeconds)',
      });
    });

    it('ends a Deployment write the same way, naming the cluster once', async () => {
      const write = new DeploymentOperations(connectionTo(silent.url)).scale(
        { namespace: 'ns', name: 'payments-api', kubernetesId: 'payments-api' },
        2,
      );
      await expect(write).rejects.toMatchObject({
        statusCode: 503,
        message:
          'cluster silent: the apiserver did not answer within 0.2 s (containerCloud.kubernetes.timeouts.requestSeconds)',
      });
    });

    it('ends the health probe, and reports the cluster unreachable', async () => {
      const clusters = new DefaultContainerCloudClusters(
        [
          {
            name: 'silent',
            url: silent.url,
            skipTLSVerify: true,
            serviceAccountToken: 't',
            timeouts: SHORT,
          },
        ],
        recordingLogger([]),
        60_000,
        SHORT.probeMs,
      );
      await clusters.probeAll();
      expect(clusters.health().silent).toMatchObject({
        reachable: false,
        error: 'the apiserver did not answer in time',
      });
    });

    it('gives up opening a shell with a 503, and closes the connection', async () => {
      const exec = new PodExec(connectionTo(silent.url), runningPods);
      const onExit = jest.fn();
      const opening = exec.open(
        TARGET,
        ['sh'],
        { columns: 80, rows: 24 },
        { onOutput: () => {}, onExit },
      );
      await expect(opening).rejects.toMatchObject({
        name: 'ClusterTimeoutError',
        statusCode: 503,
        message:
          'cluster silent: the apiserver (opening a shell in ns/p) did not answer within 0.2 s (containerCloud.kubernetes.timeouts.execOpenSeconds)',
      });
      expect(onExit).not.toHaveBeenCalled();
    });

    it('gives up opening a command (a file download) with a 503', async () => {
      const exec = new PodExec(connectionTo(silent.url), runningPods);
      const sink = new Writable({ write: (_c, _e, cb) => cb() });
      await expect(exec.run(TARGET, ['cat', '/x'], sink)).rejects.toMatchObject(
        {
          statusCode: 503,
          message: expect.stringContaining(
            'did not answer within 0.2 s (containerCloud.kubernetes.timeouts.execOpenSeconds)',
          ),
        },
      );
    });
  });

  describe('against a kubelet that opens an exec and then says nothing', () => {
    let muted: Awaited<ReturnType<typeof mutedWebSocketServer>>;
    beforeAll(async () => {
      muted = await mutedWebSocketServer();
    });
    afterAll(() => muted.close());

    it('closes a shell without a byte either way', async () => {
      const exec = new PodExec(connectionTo(muted.url), runningPods);
      const exit = new Promise(resolve => {
        exec.open(
          TARGET,
          ['sh'],
          { columns: 80, rows: 24 },
          { onOutput: () => {}, onExit: resolve },
        );
      });
      await expect(exit).resolves.toEqual({
        message:
          'closed after 0.2 s without a byte either way (containerCloud.kubernetes.timeouts.execIdleSeconds)',
      });
    });

    it('ends a command that sends no output', async () => {
      const exec = new PodExec(connectionTo(muted.url), runningPods);
      const sink = new Writable({ write: (_c, _e, cb) => cb() });
      await expect(exec.run(TARGET, ['cat', '/x'], sink)).resolves.toEqual({
        message:
          'ended after 0.2 s without output (containerCloud.kubernetes.timeouts.commandIdleSeconds)',
        stderr: '',
      });
    });
  });
});
