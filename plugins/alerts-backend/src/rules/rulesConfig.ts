import type { Config } from '@backstage/config';

/** One Prometheus the rule files go to (`containerCloud.alerts.prometheus[]`). */
export interface PrometheusTarget {
  name: string;
  url: string;
  /** the clusters whose series it holds */
  clusters: string[];
  /** the folder its `rule_files` read; absent when rules go as PrometheusRule resources only */
  rulesDir?: string;
}

/** How rules are delivered, from `containerCloud.alerts`, parsed once at the edge. */
export interface RulesConfig {
  prometheus: PrometheusTarget[];
  /** the promtool binary every rule file is checked with */
  promtool: string;
  /** the label that tells clusters apart in the series (`containerCloud.prometheus.clusterLabel`) */
  clusterLabel: string;
  /** render PrometheusRule resources (Prometheus Operator) into the service's namespaces */
  prometheusRule?: { labels: Record<string, string> };
  /** seconds between re-delivery rounds (default 30) */
  redeliverySeconds: number;
}

export function readRulesConfig(config: Config): RulesConfig {
  const alerts = config.getOptionalConfig('containerCloud.alerts');
  const prometheus = (alerts?.getOptionalConfigArray('prometheus') ?? []).map(
    p => ({
      name: p.getString('name'),
      url: p.getString('url'),
      clusters: p.getOptionalStringArray('clusters') ?? [],
      rulesDir: p.getOptionalString('rulesDir'),
    }),
  );
  const names = new Set<string>();
  for (const p of prometheus) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/.test(p.name)) {
      throw new Error(
        `containerCloud.alerts.prometheus: '${p.name}' is not a name (letters, digits, _ . -)`,
      );
    }
    if (names.has(p.name)) {
      throw new Error(
        `containerCloud.alerts.prometheus: '${p.name}' is configured twice`,
      );
    }
    names.add(p.name);
  }
  const operator = alerts?.getOptionalConfig('prometheusRule');
  return {
    prometheus,
    promtool: alerts?.getOptionalString('promtool') ?? 'promtool',
    clusterLabel:
      config.getOptionalString('containerCloud.prometheus.clusterLabel') ??
      'cluster',
    prometheusRule:
      operator?.getOptionalBoolean('enabled') === true
        ? {
            labels:
              (operator.getOptional('labels') as Record<string, string>) ?? {},
          }
        : undefined,
    redeliverySeconds:
      alerts?.getOptionalNumber('rules.redeliverySeconds') ?? 30,
  };
}
