import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PrometheusClient } from './PrometheusClient';
import { containerUsage, usageQueries } from './containerUsage';

const target = {
  cluster: 'local-a',
  namespace: 'payments',
  pod: 'payments-api-7d9-abcde',
};
const POD =
  'k8s_cluster="local-a",namespace="payments",pod="payments-api-7d9-abcde"';

describe('usageQueries', () => {
  it("asks for the containers' CPU and memory and the pod's network traffic", () => {
    const queries = usageQueries({ ...target, step: 15 }, 'k8s_cluster');
    expect(queries).toEqual([
      {
        metric: 'cpu',
        unit: 'cores',
        promql: `sum by (container) (rate(container_cpu_usage_seconds_total{${POD},container!="",container!="POD"}[60s]))`,
      },
      {
        metric: 'memory',
        unit: 'bytes',
        promql: `sum by (container) (container_memory_working_set_bytes{${POD},container!="",container!="POD"})`,
      },
      {
        metric: 'network-receive',
        unit: 'bytes/s',
        promql: `sum by (pod) (rate(container_network_receive_bytes_total{${POD}}[60s]))`,
      },
      {
        metric: 'network-transmit',
        unit: 'bytes/s',
        promql: `sum by (pod) (rate(container_network_transmit_bytes_total{${POD}}[60s]))`,
      },
    ]);
  });

  it('narrows CPU and memory to one container, never the pod-wide network', () => {
    const queries = usageQueries(
      { ...target, container: 'app', step: 15 },
      'cluster',
    );
    const promql = Object.fromEntries(queries.map(q => [q.metric, q.promql]));
    expect(promql.cpu).toContain(
      'pod="payments-api-7d9-abcde",container="app"}',
    );
    expect(promql.memory).toContain(',container="app"}');
    expect(promql['network-receive']).toBe(
      `sum by (pod) (rate(container_network_receive_bytes_total{cluster="local-a",namespace="payments",pod="payments-api-7d9-abcde"}[60s]))`,
    );
    expect(promql['network-transmit']).not.toContain('container=');
  });

  it('widens the rate window with the step, so no samples fall between points', () => {
    const queries = usageQueries({ ...target, step: 300 }, 'cluster');
    for (const metric of ['cpu', 'network-receive', 'network-transmit']) {
      expect(queries.find(q => q.metric === metric)!.promql).toContain(
        '[600s]))',
      );
    }
  });

  it('quotes label values, so a name cannot change the query', () => {
    const [cpu] = usageQueries(
      { ...target, pod: 'a"} or vector(1) #', step: 15 },
      'cluster',
    );
    expect(cpu.promql).toContain('pod="a\\"} or vector(1) #"');
  });
});

describe('containerUsage', () => {
  // answers query_range as Prometheus does, with a series per metric the query names
  let server: http.Server;
  let prometheus: PrometheusClient;
  const asked: string[] = [];
  const answers: Record<string, Array<Record<string, unknown>>> = {
    container_cpu_usage_seconds_total: [
      { metric: { container: 'sidecar' }, values: [[1000, '0.005']] },
      { metric: { container: 'app' }, values: [[1000, '0.25']] },
    ],
    container_memory_working_set_bytes: [
      { metric: { container: 'app' }, values: [[1000, '67108864']] },
    ],
    container_network_receive_bytes_total: [
      {
        metric: { pod: target.pod },
        values: [
          [1000, '2048'],
          [1015, '2048.5'],
        ],
      },
    ],
    container_network_transmit_bytes_total: [],
  };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', chunk => (body += chunk));
      req.on('end', () => {
        const query = new URLSearchParams(body).get('query') ?? '';
        asked.push(query);
        const name = Object.keys(answers).find(n => query.includes(n));
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            status: 'success',
            data: { resultType: 'matrix', result: name ? answers[name] : [] },
          }),
        );
      });
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    prometheus = new PrometheusClient({
      url: `http://127.0.0.1:${port}`,
      clusterLabel: 'cluster',
    });
  });

  afterAll(() => new Promise(resolve => server.close(resolve)));

  it('returns every series with its metric and unit, network as the pod with no container', async () => {
    const metrics = await containerUsage(prometheus, {
      ...target,
      start: 700,
      end: 1000,
      step: 15,
    });
    expect(asked).toHaveLength(4);
    expect(metrics).toEqual({
      ...target,
      start: 700,
      end: 1000,
      step: 15,
      series: [
        {
          metric: 'cpu',
          unit: 'cores',
          container: 'app',
          points: [[1000, 0.25]],
        },
        {
          metric: 'cpu',
          unit: 'cores',
          container: 'sidecar',
          points: [[1000, 0.005]],
        },
        {
          metric: 'memory',
          unit: 'bytes',
          container: 'app',
          points: [[1000, 67108864]],
        },
        {
          metric: 'network-receive',
          unit: 'bytes/s',
          container: '',
          points: [
            [1000, 2048],
            [1015, 2048.5],
          ],
        },
      ],
    });
  });
});
