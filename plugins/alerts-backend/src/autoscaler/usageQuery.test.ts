import { METRIC_CATALOGUE } from '../rules/metricCatalogue';
import {
  AUTOSCALING_SOURCES,
  readUsage,
  sampleKey,
  usageQuery,
} from './usageQuery';

describe('usageQuery', () => {
  it('asks for every pod of the namespaces in one query, each metric labelled', () => {
    expect(
      usageQuery({
        clusterLabel: 'cluster',
        clusters: ['local-b', 'local-a', 'local-a'],
        namespaces: ['payments', 'orders'],
        metrics: ['memory', 'cpu', 'cpu'],
        rateWindowSeconds: 60,
      }),
    ).toBe(
      'label_replace(sum by (cluster, namespace, pod) (rate(container_cpu_usage_seconds_total{cluster=~"local-a|local-b",namespace=~"orders|payments",container!="",container!="POD"}[60s])), "autoscaler_metric", "cpu", "", "")' +
        ' or ' +
        'label_replace(sum by (cluster, namespace, pod) (container_memory_working_set_bytes{cluster=~"local-a|local-b",namespace=~"orders|payments",container!="",container!="POD"}), "autoscaler_metric", "memory", "", "")',
    );
  });

  it("measures a rule metric by the catalogue's own template, per pod (network in/out), in the same query", () => {
    const q = usageQuery({
      clusterLabel: 'cluster',
      clusters: ['local-a'],
      namespaces: ['payments'],
      metrics: ['network_receive_bytes', 'cpu', 'network_transmit_bytes'],
      rateWindowSeconds: 60,
    });
    const where = 'cluster=~"local-a",namespace=~"payments"';
    expect(q.split(' or ')).toEqual([
      `label_replace(sum by (cluster, namespace, pod) (rate(container_cpu_usage_seconds_total{${where},container!="",container!="POD"}[60s])), "autoscaler_metric", "cpu", "", "")`,
      // a pod's containers share its network: the pod's own series, no container matcher
      `label_replace(sum by (cluster, namespace, pod) (rate(container_network_receive_bytes_total{${where}}[60s])), "autoscaler_metric", "network_receive_bytes", "", "")`,
      `label_replace(sum by (cluster, namespace, pod) (rate(container_network_transmit_bytes_total{${where}}[60s])), "autoscaler_metric", "network_transmit_bytes", "", "")`,
    ]);
    // one template per metric: what the rules render is the same series expression
    for (const metric of [
      'cpu',
      'network_receive_bytes',
      'network_transmit_bytes',
    ] as const) {
      const series = METRIC_CATALOGUE[AUTOSCALING_SOURCES[metric]].series!(
        ['a="b"'],
        '60s',
      );
      expect(q).toContain(series.split('{')[0]);
    }
  });

  it('puts names in as escaped literals, never as PromQL', () => {
    const q = usageQuery({
      clusterLabel: 'cluster',
      clusters: ['a.b"} or vector(1) #'],
      namespaces: ['x|y'],
      metrics: ['memory'],
      rateWindowSeconds: 60,
    });
    expect(q).toContain('cluster=~"a\\\\.b\\"\\\\} or vector\\\\(1\\\\) #"');
    expect(q).toContain('namespace=~"x\\\\|y"');
  });

  it('refuses a cluster label that is not a label name', () => {
    expect(() =>
      usageQuery({
        clusterLabel: 'cluster) or (',
        clusters: ['a'],
        namespaces: ['b'],
        metrics: ['cpu'],
        rateWindowSeconds: 60,
      }),
    ).toThrow('is not a Prometheus label name');
  });

  it('reads the newest point of each series by cluster, namespace, pod and metric', () => {
    const samples = readUsage(
      [
        {
          metric: {
            cluster: 'a',
            namespace: 'n',
            pod: 'p',
            autoscaler_metric: 'cpu',
          },
          values: [
            [1, 0.05],
            [2, 0.08],
          ],
        },
        {
          metric: { cluster: 'a', namespace: 'n', pod: 'q' },
          values: [[2, 1]],
        },
        {
          metric: {
            cluster: 'a',
            namespace: 'n',
            pod: 'r',
            autoscaler_metric: 'memory',
          },
          values: [],
        },
      ],
      'cluster',
    );
    expect([...samples]).toEqual([[sampleKey('a', 'n', 'p', 'cpu'), 0.08]]);
  });
});
