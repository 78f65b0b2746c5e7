import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlertmanagerClient } from './AlertmanagerClient';
import { AlertReader } from './AlertReader';

/**
 * A stand-in Prometheus speaking /api/v1/alerts' wire format (a pending and a firing alert of
 * payments-api, one of another service), for the merge; the unreachable cases use a closed port.
 */
function fakePrometheus(): Promise<Server> {
  const server = createServer((_req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify({
        status: 'success',
        data: {
          alerts: [
            {
              labels: {
                alertname: 'CpuHigh',
                cc_entity: 'component:default/payments-api',
                cc_rule: 'cpu',
                severity: 'warning',
                cc_cluster: 'local-a',
                namespace: 'payments',
                pod: 'payments-api-1',
                container: 'app',
              },
              annotations: { summary: 'cpu high' },
              state: 'pending',
              activeAt: '2026-12-06T10:00:00Z',
              value: '9.1e-01',
            },
            {
              labels: {
                alertname: 'Other',
                cc_entity: 'component:default/orders-api',
              },
              annotations: {},
              state: 'firing',
              activeAt: '2026-12-06T09:00:00Z',
              value: '1',
            },
          ],
        },
      }),
    );
  });
  return new Promise(resolve =>
    server.listen(0, '127.0.0.1', () => resolve(server)),
  );
}

describe('AlertReader', () => {
  let prometheus: Server;
  let url: string;

  beforeAll(async () => {
    prometheus = await fakePrometheus();
    url = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`;
  });

  afterAll(() => prometheus.close());

  it("reads a service's pending alerts with their value and a metrics link, and reports a silent Alertmanager as unreachable", async () => {
    const reader = new AlertReader(
      new AlertmanagerClient('http://127.0.0.1:1', 2000),
      [{ name: 'local', url, clusters: ['local-a', 'local-b'] }],
      2000,
    );
    const { alerts, sources } = await reader.read(
      'component:default/payments-api',
    );
    expect(sources).toEqual([
      {
        source: 'alertmanager',
        status: 'unreachable',
        message: expect.stringContaining('did not answer'),
      },
      {
        source: 'prometheus:local',
        status: 'ok',
        clusters: ['local-a', 'local-b'],
      },
    ]);
    expect(alerts).toEqual([
      expect.objectContaining({
        name: 'CpuHigh',
        state: 'pending',
        rule: 'cpu',
        value: '0.91',
        startsAt: '2026-12-06T10:00:00Z',
        metricsLink: {
          cluster: 'local-a',
          namespace: 'payments',
          pod: 'payments-api-1',
          container: 'app',
        },
      }),
    ]);
  });

  it('reports a Prometheus that does not answer as unreachable, with the clusters whose alerts are unknown', async () => {
    const reader = new AlertReader(
      undefined,
      [
        { name: 'down', url: 'http://127.0.0.1:1', clusters: ['local-b'] },
        { name: 'local', url, clusters: ['local-a'] },
      ],
      2000,
    );
    const { alerts, sources } = await reader.read();
    expect(sources.map(s => [s.source, s.status])).toEqual([
      ['alertmanager', 'unreachable'],
      ['prometheus:down', 'unreachable'],
      ['prometheus:local', 'ok'],
    ]);
    expect(sources[1].clusters).toEqual(['local-b']);
    // every service's alerts when no entity is asked for
    expect(alerts.map(a => a.name).sort()).toEqual(['CpuHigh', 'Other']);
  });
});
