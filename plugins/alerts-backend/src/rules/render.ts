import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import {
  AlertRule,
  parsePromDuration,
} from '@internal/plugin-container-cloud-common';
import { METRIC_CATALOGUE } from './metricCatalogue';
import { checkPromql, RuleTarget } from './promql';

/** The recording rule that tells which version of a service's rules a Prometheus evaluates. */
export const VERSION_RECORD = 'cc_alert_rules_version';

/** A service's rules and where they look, as the renderer takes them. */
export interface RuleSetToRender {
  entityRef: string;
  version: number;
  rules: AlertRule[];
  /** the service's workloads per (cluster, namespace), from its binding */
  targets: Omit<RuleTarget, 'container' | 'pod'>[];
  /** pods that exist, per `cluster/namespace`, for rules on one pod */
  pods?: Map<string, Set<string>>;
}

/** One rule of a Prometheus rule group (rulefmt). */
export interface RenderedRule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
}

/** What one Prometheus gets for a service: its rule group, the file's text and checksum. */
export interface RenderedRuleFile {
  group: { name: string; rules: RenderedRule[] };
  text: string;
  checksum: string;
  /** how many alerting rules (one per rule and target) */
  alertingRules: number;
  /** the index of each alerting rule's source rule, in group order (for promtool's errors) */
  sources: Array<string | undefined>;
}

/** The group of a service in every Prometheus; stable across versions, so alert state is kept. */
export function groupName(entityRef: string): string {
  return `container-cloud ${entityRef}`;
}

/** A file name for a service's rules: `<kind>__<namespace>__<name>.yml`, lower case. */
export function ruleFileName(entityRef: string): string {
  const safe = entityRef
    .toLocaleLowerCase('en-US')
    .replace(/[:/]/g, '__')
    .replace(/[^a-z0-9_.-]/g, '_');
  return `cc__${safe}.yml`;
}

/**
 * An alert name from the rule's name: letters, digits and _ (Prometheus shows it as
 * `alertname`); the rule's id tells rules apart, not this.
 */
export function alertName(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/[^a-zA-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const base = words === '' ? 'Alert' : words;
  return /^[0-9]/.test(base) ? `A_${base}` : base.slice(0, 100);
}

/** `,a,b,` (`,` when none): Alertmanager routes match `.*,name,.*`. */
export function receiversLabel(receivers: string[]): string {
  return receivers.length === 0 ? ',' : `,${receivers.join(',')},`;
}

/** A number PromQL reads back as the same value. */
function promNumber(value: number): string {
  if (!Number.isFinite(value)) throw new Error('the threshold is not finite');
  return String(value);
}

function renderCondition(rule: AlertRule, value: string): string {
  // the value on its own lines: a comment at the end of an advanced expression ends there
  const condition = `(\n${value}\n) ${rule.comparison} ${promNumber(
    rule.threshold,
  )}`;
  checkPromql(condition);
  return condition;
}

/**
 * The alerting rules of one rule: one per target (cluster, namespace) for the series with a
 * cluster, one for a domain's. Labels: the person's, then the suite's, which win.
 */
export function renderRule(
  set: Pick<RuleSetToRender, 'entityRef' | 'targets' | 'pods'>,
  rule: AlertRule,
  clusterLabel: string,
  clusters?: string[],
): RenderedRule[] {
  const metric = METRIC_CATALOGUE[rule.metric];
  if (metric.unavailable) return [];
  const windowMs = parsePromDuration(rule.window);
  if (windowMs === undefined) throw new Error(`bad window ${rule.window}`);
  const base: Record<string, string> = {
    ...rule.labels,
    cc_entity: set.entityRef,
    cc_rule: rule.id,
    severity: rule.severity,
    cc_receivers: receiversLabel(rule.receivers),
  };
  const annotations = {
    summary: rule.summary,
    description: rule.description,
  };
  const one = (expr: string, labels: Record<string, string>): RenderedRule => ({
    alert: alertName(rule.name),
    expr: renderCondition(rule, expr),
    for: rule.for,
    labels,
    annotations,
  });
  const input = {
    clusterLabel,
    window: rule.window,
    windowSeconds: windowMs / 1000,
    domain: rule.domain,
    expr: rule.expr,
  };
  if (metric.needsDomain) {
    return [
      one(
        metric.render({
          ...input,
          target: set.targets[0] ?? {
            cluster: '',
            namespace: '',
            deployments: [],
          },
        }),
        base,
      ),
    ];
  }
  const rendered: RenderedRule[] = [];
  for (const target of set.targets) {
    if (clusters && !clusters.includes(target.cluster)) continue;
    if (target.deployments.length === 0) continue;
    if (
      rule.pod &&
      !set.pods?.get(`${target.cluster}/${target.namespace}`)?.has(rule.pod)
    ) {
      continue;
    }
    const container = metric.perContainer ? rule.container : undefined;
    const expr = metric.render({
      ...input,
      target: { ...target, container, pod: rule.pod },
    });
    rendered.push(
      one(expr, {
        ...base,
        cc_cluster: target.cluster,
        ...(container ? { container } : {}),
        ...(rule.pod ? { pod: rule.pod } : {}),
      }),
    );
  }
  return rendered;
}

/**
 * The rule file of a service for one Prometheus (the clusters it holds): one group named for
 * the service, its version as a recording rule (read back from `/api/v1/rules`), then every
 * enabled rule for every target in those clusters. YAML is written by a serializer, never by
 * joining strings, and every PromQL expression is parsed before it is written.
 */
export function renderRuleFile(
  set: RuleSetToRender,
  clusterLabel: string,
  clusters?: string[],
): RenderedRuleFile {
  const rules: RenderedRule[] = [
    {
      record: VERSION_RECORD,
      expr: `vector(${set.version})`,
      labels: { cc_entity: set.entityRef },
    },
  ];
  const sources: Array<string | undefined> = [undefined];
  for (const rule of set.rules) {
    if (!rule.enabled) continue;
    for (const rendered of renderRule(set, rule, clusterLabel, clusters)) {
      rules.push(rendered);
      sources.push(rule.id);
    }
  }
  const group = { name: groupName(set.entityRef), rules };
  const text = stringify(
    { groups: [group] },
    {
      lineWidth: 0,
      defaultStringType: 'QUOTE_DOUBLE',
      defaultKeyType: 'PLAIN',
    },
  );
  return {
    group,
    text,
    checksum: createHash('sha256').update(text).digest('hex'),
    alertingRules: rules.length - 1,
    sources,
  };
}

/**
 * The same rules as a Prometheus Operator `PrometheusRule` (monitoring.coreos.com/v1), for the
 * clusters where the operator loads rules from the cluster rather than from files.
 */
export function renderPrometheusRule(
  set: RuleSetToRender,
  clusterLabel: string,
  options: {
    cluster: string;
    namespace: string;
    labels: Record<string, string>;
  },
) {
  const file = renderRuleFile(
    {
      ...set,
      targets: set.targets.filter(
        t => t.cluster === options.cluster && t.namespace === options.namespace,
      ),
    },
    clusterLabel,
    [options.cluster],
  );
  const name = ruleFileName(set.entityRef)
    .replace(/\.yml$/, '')
    .replace(/_/g, '-')
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 253);
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name,
      namespace: options.namespace,
      labels: {
        ...options.labels,
        'app.kubernetes.io/managed-by': 'container-cloud',
      },
      annotations: {
        'container-cloud.io/entity-ref': set.entityRef,
        'container-cloud.io/rules-version': String(set.version),
      },
    },
    spec: { groups: [file.group] },
  };
}
