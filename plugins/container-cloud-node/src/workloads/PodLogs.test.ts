import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ClusterConnection } from '../clusters/ClusterConnection';
import { MAX_LOG_TAIL_BYTES, PodLogs } from './PodLogs';
import { PodOperations } from './PodOperations';

// A kubelet that lost a container's previous log answers the apiserver's log request with 400;
// the local cloud's kwok always has one, so this apiserver is a stand-in speaking its wire format.
describe('PodLogs', () => {
  let server: http.Server;
  let logs: PodLogs;
  /** the query of every log request payments-api-2's stand-in served */
  const logQueries: URLSearchParams[] = [];
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'payments-api-1',
      namespace: 'payments',
      labels: { 'backstage.io/kubernetes-id': 'payments-api' },
    },
    spec: { containers: [{ name: 'app', image: 'x' }] },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          image: 'x',
          imageID: '',
          ready: true,
          restartCount: 1,
          state: { running: { startedAt: '2026-11-23T10:00:00Z' } },
        },
      ],
    },
  };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      res.setHeader('Content-Type', 'application/json');
      if (url.pathname === '/api/v1/namespaces/payments/pods/payments-api-1') {
        res.end(JSON.stringify(pod));
      } else if (
        url.pathname === '/api/v1/namespaces/payments/pods/payments-api-2'
      ) {
        res.end(
          JSON.stringify({
            ...pod,
            metadata: { ...pod.metadata, name: 'payments-api-2' },
          }),
        );
      } else if (url.pathname.endsWith('/payments-api-2/log')) {
        logQueries.push(url.searchParams);
        res.setHeader('Content-Type', 'text/plain');
        res.end('a line\n');
      } else if (url.pathname.endsWith('/payments-api-1/log')) {
        res.statusCode = 400;
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            message:
              'previous terminated container "app" in pod "payments-api-1" not found',
            reason: 'BadRequest',
            code: 400,
          }),
        );
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const connection = new ClusterConnection({
      name: 'edge',
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      serviceAccountToken: 'token',
      skipTLSVerify: true,
    });
    logs = new PodLogs(connection, new PodOperations(connection));
  });

  afterAll(() => new Promise(resolve => server.close(resolve)));

  it('asks the apiserver for at most MAX_LOG_TAIL_BYTES on a tail, and no limit on a follow', async () => {
    const target = {
      namespace: 'payments',
      name: 'payments-api-2',
      kubernetesId: 'payments-api',
    };
    for (const follow of [false, true]) {
      const opened = await logs.open(target, {
        previous: false,
        follow,
        tailLines: 10,
      });
      const text: Buffer[] = [];
      for await (const chunk of opened.stream) text.push(chunk);
      expect(Buffer.concat(text).toString()).toBe('a line\n');
    }
    expect(logQueries.map(q => q.get('limitBytes'))).toEqual([
      String(MAX_LOG_TAIL_BYTES),
      null,
    ]);
    expect(logQueries.map(q => q.get('tailLines'))).toEqual(['10', '10']);
  });

  it('says in words that the cluster keeps no previous log, as a 404', async () => {
    const error = await logs
      .open(
        {
          namespace: 'payments',
          name: 'payments-api-1',
          kubernetesId: 'payments-api',
        },
        { previous: true, follow: false, tailLines: 100 },
      )
      .catch(e => e);
    expect(error).toMatchObject({ name: 'NotFoundError' });
    expect(error.message).toBe(
      'cluster edge keeps no logs of the previous instance of app in payments/payments-api-1',
    );
  });
});
