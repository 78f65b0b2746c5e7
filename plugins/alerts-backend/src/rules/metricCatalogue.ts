import type { AlertRuleMetric } from '@internal/plugin-container-cloud-common';
import {
  confineSelectors,
  containerMatchers,
  matcher,
  podMatchers,
  RuleTarget,
} from './promql';

/** What a template is rendered with; every value in it was checked or comes from the cluster. */
export interface TemplateInput {
  target: RuleTarget;
  /** the label telling clusters apart in the series (`containerCloud.prometheus.clusterLabel`) */
  clusterLabel: string;
  /** the rate/increase window, a checked Prometheus duration */
  window: string;
  /** its seconds, to turn a fraction of the window into seconds */
  windowSeconds: number;
  domain?: string;
  /** the advanced mode's expression (checked, confined to the target) */
  expr?: string;
}

/** One metric of the catalogue: its words, and the one PromQL template it renders to. */
export interface MetricDefinition {
  title: string;
  unit: string;
  description: string;
  /** per container (false: per pod, whatever container the rule names) */
  perContainer: boolean;
  /** a series of the service's domain (Nginx); rendered once, not per cluster */
  needsDomain: boolean;
  /** ops admins only */
  advanced: boolean;
  /** the series the template reads (the availability check asks Prometheus for them) */
  requires: string[];
  /** why it cannot work on this platform at all */
  unavailable?: string;
  /** the PromQL of the value compared with the threshold */
  render(input: TemplateInput): string;
  /**
   * The metric's series expression for the given selector matchers, before any aggregation (a
   * gauge, or a rate over `window`): what `render` sums per container or pod, and what the
   * autoscaler sums per pod for every service in one query. Only metrics that add up over
   * replicas have it.
   */
  series?(matchers: string[], window: string): string;
}

/** The labels an alert of a per-container metric keeps: where it fires. */
const byContainer = (clusterLabel: string) =>
  `${clusterLabel}, namespace, pod, container`;
const byPod = (clusterLabel: string) => `${clusterLabel}, namespace, pod`;

/**
 * Seconds of the window spent in a bad state: the average of a 0/1 series over the window,
 * times the window's seconds.
 */
function secondsIn(
  series: string,
  matchers: string[],
  by: string,
  input: TemplateInput,
): string {
  return `sum by (${by}) (avg_over_time(${series}{${matchers.join(',')}}[${
    input.window
  }])) * ${input.windowSeconds}`;
}

/**
 * Every metric a rule may watch, each one PromQL template. Series names are the kubelet's
 * (cAdvisor: `container_*`, which kwok simulates in the local cloud; the service page's charts read
 * the same, see container-cloud-node `usageQueries`), kube-state-metrics' (`kube_*`: limits,
 * restarts, readiness, waiting reasons, phases) and the Nginx VTS exporter's (`nginx_vts_*`, by
 * host). Every selector carries the target's matchers: the service's own pods, in a cluster and
 * namespace its binding covers.
 */
export const METRIC_CATALOGUE: Record<AlertRuleMetric, MetricDefinition> = {
  cpu_cores: {
    title: 'CPU (cores)',
    unit: 'cores',
    description: 'CPU used per container, in cores (rate over the window)',
    perContainer: true,
    needsDomain: false,
    advanced: false,
    requires: ['container_cpu_usage_seconds_total'],
    series: (m, window) =>
      `rate(container_cpu_usage_seconds_total{${m.join(',')}}[${window}])`,
    render: i =>
      `sum by (${byContainer(i.clusterLabel)}) (${METRIC_CATALOGUE.cpu_cores
        .series!(containerMatchers(i.target, i.clusterLabel), i.window)})`,
  },
  cpu_limit_percent: {
    title: 'CPU (% of limit)',
    unit: '%',
    description:
      'CPU used per container as a percentage of its limit (containers without a limit have no value)',
    perContainer: true,
    needsDomain: false,
    advanced: false,
    requires: [
      'container_cpu_usage_seconds_total',
      'kube_pod_container_resource_limits',
    ],
    render: i => {
      const m = containerMatchers(i.target, i.clusterLabel).join(',');
      const by = byContainer(i.clusterLabel);
      return `100 * sum by (${by}) (rate(container_cpu_usage_seconds_total{${m}}[${i.window}])) / sum by (${by}) (kube_pod_container_resource_limits{${m},resource="cpu"})`;
    },
  },
  memory_bytes: {
    title: 'Memory (bytes)',
    unit: 'bytes',
    description: 'Working set memory per container',
    perContainer: true,
    needsDomain: false,
    advanced: false,
    requires: ['container_memory_working_set_bytes'],
    series: m => `container_memory_working_set_bytes{${m.join(',')}}`,
    render: i =>
      `sum by (${byContainer(i.clusterLabel)}) (${METRIC_CATALOGUE.memory_bytes
        .series!(containerMatchers(i.target, i.clusterLabel), i.window)})`,
  },
  memory_limit_percent: {
    title: 'Memory (% of limit)',
    unit: '%',
    description:
      'Working set memory per container as a percentage of its limit',
    perContainer: true,
    needsDomain: false,
    advanced: false,
    requires: [
      'container_memory_working_set_bytes',
      'kube_pod_container_resource_limits',
    ],
    render: i => {
      const m = containerMatchers(i.target, i.clusterLabel).join(',');
      const by = byContainer(i.clusterLabel);
      return `100 * sum by (${by}) (container_memory_working_set_bytes{${m}}) / sum by (${by}) (kube_pod_container_resource_limits{${m},resource="memory"})`;
    },
  },
  network_receive_bytes: {
    title: 'Network in (bytes/s)',
    unit: 'bytes/s',
    description:
      'Bytes received per pod per second (a pod’s containers share its network)',
    perContainer: false,
    needsDomain: false,
    advanced: false,
    requires: ['container_network_receive_bytes_total'],
    series: (m, window) =>
      `rate(container_network_receive_bytes_total{${m.join(',')}}[${window}])`,
    render: i =>
      `sum by (${byPod(i.clusterLabel)}) (${METRIC_CATALOGUE
        .network_receive_bytes.series!(
        podMatchers(i.target, i.clusterLabel),
        i.window,
      )})`,
  },
  network_transmit_bytes: {
    title: 'Network out (bytes/s)',
    unit: 'bytes/s',
    description: 'Bytes sent per pod per second',
    perContainer: false,
    needsDomain: false,
    advanced: false,
    requires: ['container_network_transmit_bytes_total'],
    series: (m, window) =>
      `rate(container_network_transmit_bytes_total{${m.join(',')}}[${window}])`,
    render: i =>
      `sum by (${byPod(i.clusterLabel)}) (${METRIC_CATALOGUE
        .network_transmit_bytes.series!(
        podMatchers(i.target, i.clusterLabel),
        i.window,
      )})`,
  },
  restarts: {
    title: 'Restarts',
    unit: 'restarts',
    description: 'Container restarts over the window',
    perContainer: true,
    needsDomain: false,
    advanced: false,
    requires: ['kube_pod_container_status_restarts_total'],
    render: i =>
      `sum by (${byContainer(
        i.clusterLabel,
      )}) (increase(kube_pod_container_status_restarts_total{${containerMatchers(
        i.target,
        i.clusterLabel,
      ).join(',')}}[${i.window}]))`,
  },
  not_ready: {
    title: 'Time not Ready',
    unit: 's',
    description: 'Seconds of the window a pod was not Ready',
    perContainer: false,
    needsDomain: false,
    advanced: false,
    requires: ['kube_pod_status_ready'],
    render: i =>
      secondsIn(
        'kube_pod_status_ready',
        [
          ...podMatchers(i.target, i.clusterLabel),
          matcher('condition', '=', 'false'),
        ],
        byPod(i.clusterLabel),
        i,
      ),
  },
  crash_looping: {
    title: 'Time in CrashLoopBackOff',
    unit: 's',
    description: 'Seconds of the window a container waited in CrashLoopBackOff',
    perContainer: true,
    needsDomain: false,
    advanced: false,
    requires: ['kube_pod_container_status_waiting_reason'],
    render: i =>
      secondsIn(
        'kube_pod_container_status_waiting_reason',
        [
          ...containerMatchers(i.target, i.clusterLabel),
          matcher('reason', '=', 'CrashLoopBackOff'),
        ],
        byContainer(i.clusterLabel),
        i,
      ),
  },
  pending: {
    title: 'Time Pending',
    unit: 's',
    description:
      'Seconds of the window a pod was Pending (not scheduled or not started)',
    perContainer: false,
    needsDomain: false,
    advanced: false,
    requires: ['kube_pod_status_phase'],
    render: i =>
      secondsIn(
        'kube_pod_status_phase',
        [
          ...podMatchers(i.target, i.clusterLabel),
          matcher('phase', '=', 'Pending'),
        ],
        byPod(i.clusterLabel),
        i,
      ),
  },
  http_5xx_rate: {
    title: 'HTTP 5xx (requests/s)',
    unit: 'requests/s',
    description:
      'Requests per second answered 5xx by Nginx for the service’s domain (Nginx VTS exporter)',
    perContainer: false,
    needsDomain: true,
    // the domain's owner cannot be checked from here yet: ops only, like the advanced mode
    advanced: true,
    requires: ['nginx_vts_server_requests_total'],
    render: i =>
      `sum by (host) (rate(nginx_vts_server_requests_total{${[
        matcher('host', '=', i.domain ?? ''),
        matcher('code', '=', '5xx'),
      ].join(',')}}[${i.window}]))`,
  },
  http_latency_p95: {
    title: 'HTTP latency p95 (s)',
    unit: 's',
    description:
      '95th percentile of Nginx request time for the service’s domain (Nginx VTS exporter histogram)',
    perContainer: false,
    needsDomain: true,
    advanced: true,
    requires: ['nginx_vts_server_request_duration_seconds_bucket'],
    render: i =>
      `histogram_quantile(0.95, sum by (host, le) (rate(nginx_vts_server_request_duration_seconds_bucket{${matcher(
        'host',
        '=',
        i.domain ?? '',
      )}}[${i.window}])))`,
  },
  log_pattern_rate: {
    title: 'Log pattern rate',
    unit: 'lines/s',
    description: 'Log lines matching a pattern per second',
    perContainer: true,
    needsDomain: false,
    advanced: false,
    requires: [],
    unavailable:
      'no log metrics exist on this platform (logs are read from the kubelet, not counted into Prometheus); a log pipeline exporting per-pattern counters (mtail, Loki recording rules) would be needed',
    render: () => {
      throw new Error('log_pattern_rate has no series to render');
    },
  },
  promql: {
    title: 'PromQL (advanced)',
    unit: '',
    description:
      'A PromQL expression written by ops admins; every series selector in it is confined to the service’s pods',
    perContainer: true,
    needsDomain: false,
    advanced: true,
    requires: [],
    render: i => {
      const matchers = [
        ...podMatchers(i.target, i.clusterLabel),
        ...(i.target.container
          ? [matcher('container', '=', i.target.container)]
          : []),
      ];
      return confineSelectors(i.expr ?? '', matchers);
    },
  },
};
