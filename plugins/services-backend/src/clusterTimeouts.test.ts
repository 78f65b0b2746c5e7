import { mockCredentials } from '@backstage/backend-test-utils';
import net, { AddressInfo } from 'node:net';
import request from 'supertest';
import { startServicesBackend } from './__testUtils__/startServicesBackend';

jest.setTimeout(60_000);

const ALICE = 'user:default/alice'; // team-payments, owns payments-api

// A cluster whose apiserver accepts connections and never answers: a request to it ends, as a
// 503 naming the cluster, after containerCloud.kubernetes.timeouts.requestSeconds.
describe('a cluster that accepts and never answers', () => {
  const sockets = new Set<net.Socket>();
  const silent = net.createServer(socket => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  let backend: Awaited<ReturnType<typeof startServicesBackend>>;

  beforeAll(async () => {
    await new Promise<void>(resolve => silent.listen(0, '127.0.0.1', resolve));
    backend = await startServicesBackend({
      containerCloud: {
        kubernetes: { timeouts: { requestSeconds: 0.2, probeSeconds: 0.2 } },
      },
      clusters: [
        {
          name: 'silent',
          url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
          serviceAccountToken: 'x',
          skipTLSVerify: true,
        },
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    sockets.forEach(s => s.destroy());
    await new Promise(resolve => silent.close(resolve));
  });

  it('answers a write with 503 naming the cluster and the setting', async () => {
    const res = await request(backend.server)
      .post('/api/services/services/default/payments-api/scale')
      .set('Authorization', mockCredentials.user.header(ALICE))
      .send({
        cluster: 'silent',
        namespace: 'payments',
        deployment: 'payments-api',
        resourceVersion: '1',
        replicas: 2,
      });
    expect(res.status).toBe(503);
    expect(res.body.error.message).toBe(
      'cluster silent: the apiserver did not answer within 0.2 s (containerCloud.kubernetes.timeouts.requestSeconds)',
    );
  });

  it('shows the cluster unreachable on the service page', async () => {
    const res = await request(backend.server)
      .get('/api/services/services/default/payments-api')
      .set('Authorization', mockCredentials.user.header(ALICE));
    expect(res.status).toBe(200);
    expect(res.body.clusters).toEqual([
      expect.objectContaining({
        cluster: 'silent',
        health: expect.objectContaining({
          reachable: false,
          error: 'the apiserver did not answer in time',
        }),
      }),
    ]);
  });
});
