import http from 'node:http';
import { AddressInfo } from 'node:net';
import { recordingLogger } from './__testUtils__/recordingLogger';
import { DefaultContainerCloudClusters } from '../ContainerCloudClusters';

// The apiserver's words name the portal's service account (and may name users and addresses);
// cluster health goes to every reader of a service's page, so it says only what kind of failure.
const FORBIDDEN = {
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  message:
    'forbidden: User "system:serviceaccount:platform:container-cloud-prod" cannot get path "/version"',
  reason: 'Forbidden',
  code: 403,
};

describe('cluster health', () => {
  let server: http.Server;
  let url: string;

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.statusCode = 403;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(FORBIDDEN));
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise(resolve => server.close(resolve)));

  it("shows readers the kind of failure, and logs the apiserver's words once", async () => {
    const logged: string[] = [];
    const clusters = new DefaultContainerCloudClusters(
      [
        {
          name: 'edge',
          url,
          serviceAccountToken: 'token',
          skipTLSVerify: true,
        },
      ],
      recordingLogger(logged),
    );
    await clusters.probeAll();
    await clusters.probeAll();
    expect(clusters.health().edge).toEqual({
      reachable: false,
      error: 'the apiserver answered 403',
      checkedAt: expect.any(String),
    });
    expect(logged).toEqual([
      `cluster edge is unreachable: the apiserver answered 403: ${FORBIDDEN.message}`,
    ]);
  });

  it('joins a probe still running instead of starting another', async () => {
    const held: http.ServerResponse[] = [];
    let arrived!: () => void;
    const firstArrived = new Promise<void>(resolve => {
      arrived = resolve;
    });
    const slow = http.createServer((_req, res) => {
      held.push(res);
      arrived();
    });
    await new Promise<void>(resolve => slow.listen(0, '127.0.0.1', resolve));
    try {
      const clusters = new DefaultContainerCloudClusters(
        [
          {
            name: 'slow',
            url: `http://127.0.0.1:${(slow.address() as AddressInfo).port}`,
            serviceAccountToken: 'token',
            skipTLSVerify: true,
          },
        ],
        recordingLogger([]),
      );
      const first = clusters.probeAll();
      await firstArrived;
      const second = clusters.probeAll();
      expect(second).toBe(first);
      for (const res of held) {
        res.statusCode = 503;
        res.end('{}');
      }
      await Promise.all([first, second]);
      expect(held).toHaveLength(1);
      expect(clusters.health().slow.error).toBe('the apiserver answered 503');
    } finally {
      await new Promise(resolve => slow.close(resolve));
    }
  });

  it('gives up on an apiserver that never answers, and probes afresh the next time', async () => {
    let requests = 0;
    const silent = http.createServer(() => {
      requests++;
    });
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
    try {
      const clusters = new DefaultContainerCloudClusters(
        [
          {
            name: 'silent',
            url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
            serviceAccountToken: 'token',
            skipTLSVerify: true,
          },
        ],
        recordingLogger([]),
        15_000,
        200,
      );
      await clusters.probeAll();
      expect(clusters.health().silent).toMatchObject({
        reachable: false,
        error: 'the apiserver did not answer in time',
      });
      await clusters.probeAll();
      expect(requests).toBe(2);
    } finally {
      silent.closeAllConnections();
      await new Promise(resolve => silent.close(resolve));
    }
  });
});
