import fs from 'node:fs';
import path from 'node:path';
import { toYaml } from './yaml';

/** Path under kwok's server where a fake node's resource metrics are served, like a kubelet's. */
export const kwokResourceMetricsPath = (node: string) =>
  `/metrics/nodes/${node}/metrics/resource`;

/**
 * Annotations that set a pod's simulated usage; without them a pod uses a little. CPU and memory
 * are per container (cores, bytes); network is per pod, in bytes per second received and sent.
 */
export const USAGE_ANNOTATIONS = {
  cpu: 'kwok.x-k8s.io/usage-cpu',
  memory: 'kwok.x-k8s.io/usage-memory',
  networkReceive: 'kwok.x-k8s.io/usage-network-receive',
  networkTransmit: 'kwok.x-k8s.io/usage-network-transmit',
};

/** What a pod without the network annotations receives and sends, in bytes per second. */
export const DEFAULT_NETWORK_USAGE = { receive: 2048, transmit: 1024 };

function usageExpression(annotation: string, fallback: string): string {
  return `"${annotation}" in pod.metadata.annotations ? Quantity(pod.metadata.annotations["${annotation}"]) : Quantity("${fallback}")`;
}

/**
 * A pod's network rate as a usage of each of its containers: kwok knows usages per container
 * only, and sums them for `pod.CumulativeUsage`, so each container carries its share.
 */
function podShareExpression(annotation: string, fallback: string): string {
  const podRate = usageExpression(annotation, fallback);
  return `(${podRate}) / size(pod.spec.containers)`;
}

const podLabels = [
  { name: 'namespace', value: 'pod.metadata.namespace' },
  { name: 'pod', value: 'pod.metadata.name' },
];
const containerLabels = [
  { name: 'container', value: 'container.name' },
  ...podLabels,
];
// cAdvisor counts a pod's traffic once, per interface of its network namespace
const podInterfaceLabels = [
  ...podLabels,
  { name: 'interface', value: '"eth0"' },
];

/**
 * Simulated volume usage. kwok's metric expressions cannot read a pod's volumes (its CEL
 * environment registers Pod, PodSpec, Container and ObjectMeta, not Volume: see
 * `DefaultTypes` in kwok's pkg/utils/cel/default.go), so a stage first copies the claims a
 * running pod mounts into its annotations (`claim-0`, `claim-1`, ... in the order of its
 * volumes), and the metrics read those. A pod's `used-bytes` annotation sets what each of its
 * claims holds; without it, a claim holds {@link DEFAULT_VOLUME_USED_BYTES}.
 */
const CLAIM_ANNOTATION_PREFIX = 'local-cloud.container-cloud.io/volume-claim-';
export const VOLUME_ANNOTATIONS = {
  /** Written by the stage once it has noted the pod's claims: their number. */
  claims: 'local-cloud.container-cloud.io/volume-claims',
  claim: (slot: number) => `${CLAIM_ANNOTATION_PREFIX}${slot}`,
  usedBytes: 'local-cloud.container-cloud.io/volume-used-bytes',
};

/** What a mounted claim holds when its pod does not say, as a Kubernetes quantity. */
export const DEFAULT_VOLUME_USED_BYTES = '24Mi';

/** How many claims of one pod report usage (kwok's metrics have no per-volume dimension). */
export const VOLUME_SLOTS = 4;

const annotationOr = (annotation: string, fallback: string) =>
  `"${annotation}" in pod.metadata.annotations ? pod.metadata.annotations["${annotation}"] : ${fallback}`;

/**
 * `kubelet_volume_stats_used_bytes` of each claim slot: one series per (namespace, claim) like a
 * kubelet's. A pod without a claim in a slot gives a series with an empty claim, which readers
 * leave out (kwok's pod dimension gives every pod a series).
 */
function volumeUsageMetrics() {
  return Array.from({ length: VOLUME_SLOTS }, (_, slot) => ({
    name: 'kubelet_volume_stats_used_bytes',
    dimension: 'pod',
    kind: 'gauge',
    help: 'Simulated bytes used on the volume (local cloud: a pod annotation, or a default)',
    labels: [
      { name: 'namespace', value: 'pod.metadata.namespace' },
      {
        name: 'persistentvolumeclaim',
        value: annotationOr(VOLUME_ANNOTATIONS.claim(slot), '""'),
      },
    ],
    value: `Quantity(${annotationOr(
      VOLUME_ANNOTATIONS.usedBytes,
      `"${DEFAULT_VOLUME_USED_BYTES}"`,
    )})`,
  }));
}

/**
 * Notes the claims a running pod mounts in its annotations, once (a pod's volumes never change),
 * for the volume metrics to read.
 */
const volumeClaimsStage = {
  apiVersion: 'kwok.x-k8s.io/v1alpha1',
  kind: 'Stage',
  metadata: { name: 'local-cloud-volume-claims' },
  spec: {
    resourceRef: { apiGroup: 'v1', kind: 'Pod' },
    selector: {
      matchExpressions: [
        { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' },
        { key: '.status.podIP', operator: 'Exists' },
        {
          // a jq expression: the pod mounts a claim and its claims are not noted yet
          key: `((.spec.volumes // []) | map(select(.persistentVolumeClaim != null)) | length > 0) and ((.metadata.annotations // {}) | has("${VOLUME_ANNOTATIONS.claims}") | not)`,
          operator: 'In',
          values: ['true'],
        },
      ],
    },
    next: {
      patches: [
        {
          // a Go template (with sprig's functions) over the pod
          template: [
            '{{ $n := 0 }}',
            'metadata:',
            '  annotations:',
            '{{ range .spec.volumes }}{{ if .persistentVolumeClaim }}',
            `    ${CLAIM_ANNOTATION_PREFIX}{{ $n }}: {{ .persistentVolumeClaim.claimName | Quote }}`,
            '{{ $n = add $n 1 }}{{ end }}{{ end }}',
            `    ${VOLUME_ANNOTATIONS.claims}: "{{ $n }}"`,
            '',
          ].join('\n'),
        },
      ],
    },
  },
};

/** Marks a running pod's ephemeral containers running, as a kubelet would start them. */
const ephemeralContainersStage = {
  apiVersion: 'kwok.x-k8s.io/v1alpha1',
  kind: 'Stage',
  metadata: { name: 'local-cloud-ephemeral-containers' },
  spec: {
    resourceRef: { apiGroup: 'v1', kind: 'Pod' },
    selector: {
      matchExpressions: [
        { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' },
        { key: '.status.podIP', operator: 'Exists' },
        {
          // a jq expression: more ephemeral containers than statuses
          key: '((.spec.ephemeralContainers // []) | length) > ((.status.ephemeralContainerStatuses // []) | length)',
          operator: 'In',
          values: ['true'],
        },
      ],
    },
    next: {
      statusTemplate: [
        '{{ $now := Now }}',
        'ephemeralContainerStatuses:',
        '{{ range .spec.ephemeralContainers }}',
        '- image: {{ .image | Quote }}',
        '  name: {{ .name | Quote }}',
        '  ready: false',
        '  restartCount: 0',
        '  state:',
        '    running:',
        '      startedAt: {{ $now | Quote }}',
        '{{ end }}',
        '',
      ].join('\n'),
    },
  },
};

/** The sample log of a container's previous instance, beside the current one. */
export function previousLogFile(sampleLog: string): string {
  return `${sampleLog.replace(/\.log$/, '')}-previous.log`;
}

/**
 * kwok's configuration: its default node and pod stages (none given), simulated resource usage
 * (CPU, memory, a pod's network traffic, the bytes used on mounted claims) with kubelet-style
 * metrics for Prometheus, and container
 * logs served through the apiserver (`kubectl logs`, and `--previous`) from sample files, and
 * exec into any container as a local command.
 */
export function writeKwokConfig(
  file: string,
  sampleLog: string,
  shellDir: string,
  defaultPodStages?: string[],
): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.mkdirSync(shellDir, { recursive: true });
  fs.chmodSync(shellDir, 0o1777);
  // CRI log format, as a kubelet stores container logs: time, stream, P(artial)/F(ull), text
  const now = Date.now();
  const criLog = (lines: string[], start: number, stream = 'stdout') =>
    lines
      .map(
        (line, i) =>
          `${new Date(start + i).toISOString()} ${stream} F ${line}\n`,
      )
      .join('');
  fs.writeFileSync(
    sampleLog,
    criLog(
      [
        'level=info msg="starting" version=1.0.0',
        'level=info msg="listening" addr=:8080',
        'level=info msg="ready"',
      ],
      now,
    ),
  );
  // what a container wrote before its last restart (`kubectl logs --previous`)
  const previousLog = previousLogFile(sampleLog);
  fs.writeFileSync(
    previousLog,
    criLog(
      [
        'level=info msg="starting" version=1.0.0',
        'level=error msg="out of memory" heap=250Mi',
      ],
      now - 60_000,
      'stderr',
    ),
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
              // not Kubernetes resources: kwok takes any name and integrates it like cpu
              'network-receive': {
                expression: podShareExpression(
                  USAGE_ANNOTATIONS.networkReceive,
                  String(DEFAULT_NETWORK_USAGE.receive),
                ),
              },
              'network-transmit': {
                expression: podShareExpression(
                  USAGE_ANNOTATIONS.networkTransmit,
                  String(DEFAULT_NETWORK_USAGE.transmit),
                ),
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
            name: 'container_network_receive_bytes_total',
            dimension: 'pod',
            kind: 'counter',
            help: 'Simulated cumulative bytes the pod received',
            labels: podInterfaceLabels,
            value: 'pod.CumulativeUsage("network-receive")',
          },
          {
            name: 'container_network_transmit_bytes_total',
            dimension: 'pod',
            kind: 'counter',
            help: 'Simulated cumulative bytes the pod sent',
            labels: podInterfaceLabels,
            value: 'pod.CumulativeUsage("network-transmit")',
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
          ...volumeUsageMetrics(),
        ],
      },
    },
    {
      // `kubectl exec` (and the portal's web shell) into any fake container runs the command on
      // this machine, in a scratch folder, as nobody when kwok runs as root
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterExec',
      metadata: { name: 'local-cloud-exec' },
      spec: {
        execs: [
          {
            local: {
              workDir: shellDir,
              envs: [
                { name: 'HOME', value: shellDir },
                { name: 'PATH', value: '/usr/local/bin:/usr/bin:/bin' },
                { name: 'TERM', value: 'xterm-256color' },
              ],
              ...(process.getuid?.() === 0
                ? { securityContext: { runAsUser: 65534, runAsGroup: 65534 } }
                : {}),
            },
          },
        ],
      },
    },
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterLogs',
      metadata: { name: 'local-cloud-logs' },
      spec: {
        logs: [
          { logsFile: sampleLog, previousLogsFile: previousLog, follow: false },
        ],
      },
    },
  ];
  // Debug (ephemeral) containers: kwok gives them no status of its own, so a stage marks them
  // running once their pod runs; another notes the claims a pod mounts for the volume metrics.
  // They replace kwok's default pod stages, so those come along.
  const stages = defaultPodStages
    ? [
        ...defaultPodStages,
        toYaml(ephemeralContainersStage),
        toYaml(volumeClaimsStage),
      ]
    : [];
  fs.writeFileSync(
    file,
    [...documents.map(d => toYaml(d)), ...stages].join('---\n'),
  );
}
