import http from 'node:http';
import { AddressInfo } from 'node:net';
import type { LoggerService } from '@backstage/backend-plugin-api';
import { ContainerCloudClusters } from '../ContainerCloudClusters';

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

function recordingLogger(lines: string[]): LoggerService {
  const logger: LoggerService = {
    error: m => lines.push(m),
    warn: m => lines.push(m),
    info: () => {},
    debug: () => {},
    child: () => logger,
  };
  return logger;
}

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
    const clusters = new ContainerCloudClusters(
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
});
