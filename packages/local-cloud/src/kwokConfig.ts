import fs from 'node:fs';
import path from 'node:path';
import { toYaml } from './yaml';

/** Path under kwok's server where a fake node's resource metrics are served, like a kubelet's. */
export const kwokResourceMetricsPath = (node: string) =>
  `/metrics/nodes/${node}/metrics/resource`;

/** Annotations that set a pod's simulated usage; without them a container uses a little. */
export const USAGE_ANNOTATIONS = {
  cpu: 'kwok.x-k8s.io/usage-cpu',
  memory: 'kwok.x-k8s.io/usage-memory',
};

function usageExpression(annotation: string, fallback: string): string {
  return `"${annotation}" in pod.metadata.annotations ? Quantity(pod.metadata.annotations["${annotation}"]) : Quantity("${fallback}")`;
}

const podLabels = [
  { name: 'namespace', value: 'pod.metadata.namespace' },
  { name: 'pod', value: 'pod.metadata.name' },
];
const containerLabels = [
  { name: 'container', value: 'container.name' },
  ...podLabels,
];

/**
 * kwok's configuration: its default node and pod stages (none given), simulated resource usage
 * with kubelet-style metrics for Prometheus, and container logs served through the apiserver
 * (`kubectl logs`) from one sample file.
 */
export function writeKwokConfig(file: string, sampleLog: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // CRI log format, as a kubelet stores container logs: time, stream, P(artial)/F(ull), text
  const now = Date.now();
  fs.writeFileSync(
    sampleLog,
    [
      'level=info msg="starting" version=1.0.0',
      'level=info msg="listening" addr=:8080',
      'level=info msg="ready"',
    ]
      .map((line, i) => `${new Date(now + i).toISOString()} stdout F ${line}\n`)
      .join(''),
  );
  const documents = [
    {
      apiVersion: 'config.kwok.x-k8s.io/v1alpha1',
      kind: 'KwokConfiguration',
      options: {},
    },
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterResourceUsage',
      metadata: { name: 'local-cloud-usage' },
      spec: {
        usages: [
          {
            usage: {
              cpu: { expression: usageExpression(USAGE_ANNOTATIONS.cpu, '5m') },
              memory: {
                expression: usageExpression(USAGE_ANNOTATIONS.memory, '48Mi'),
              },
            },
          },
        ],
      },
    },
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'Metric',
      metadata: { name: 'local-cloud-resource-metrics' },
      spec: {
        path: kwokResourceMetricsPath('{nodeName}'),
        metrics: [
          {
            name: 'container_cpu_usage_seconds_total',
            dimension: 'container',
            kind: 'counter',
            help: 'Simulated cumulative CPU time of the container in core-seconds',
            labels: containerLabels,
            value: 'pod.CumulativeUsage("cpu", container.name)',
          },
          {
            name: 'container_memory_working_set_bytes',
            dimension: 'container',
            kind: 'gauge',
            help: 'Simulated working set of the container in bytes',
            labels: containerLabels,
            value: 'pod.Usage("memory", container.name)',
          },
          {
            name: 'pod_cpu_usage_seconds_total',
            dimension: 'pod',
            kind: 'counter',
            help: 'Simulated cumulative CPU time of the pod in core-seconds',
            labels: podLabels,
            value: 'pod.CumulativeUsage("cpu")',
          },
          {
            name: 'pod_memory_working_set_bytes',
            dimension: 'pod',
            kind: 'gauge',
            help: 'Simulated working set of the pod in bytes',
            labels: podLabels,
            value: 'pod.Usage("memory")',
          },
          {
            name: 'node_cpu_usage_seconds_total',
            dimension: 'node',
            kind: 'counter',
            help: 'Simulated cumulative CPU time of the node in core-seconds',
            value: 'node.CumulativeUsage("cpu")',
          },
          {
            name: 'node_memory_working_set_bytes',
            dimension: 'node',
            kind: 'gauge',
            help: 'Simulated working set of the node in bytes',
            value: 'node.Usage("memory")',
          },
        ],
      },
    },
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterLogs',
      metadata: { name: 'local-cloud-logs' },
      spec: { logs: [{ logsFile: sampleLog, follow: false }] },
    },
  ];
  fs.writeFileSync(file, documents.map(d => toYaml(d)).join('---\n'));
}
