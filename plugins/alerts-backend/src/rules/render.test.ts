import { parse } from 'yaml';
import {
  AlertRule,
  alertRuleInputSchema,
} from '@internal/plugin-container-cloud-common';
import {
  alertName,
  receiversLabel,
  renderPrometheusRule,
  renderRuleFile,
  ruleFileName,
} from './render';
import { promtoolCheckRules } from './promtool';
import { selectorsOf } from './promql';

const ENTITY = 'component:default/payments-api';
const TARGETS = [
  { cluster: 'local-a', namespace: 'payments', deployments: ['payments-api'] },
  { cluster: 'local-b', namespace: 'payments', deployments: ['payments-api'] },
];

function rule(overrides: Partial<AlertRule> = {}): AlertRule {
  return {
    id: 'r-0a1b2c3d',
    name: 'High CPU',
    metric: 'cpu_cores',
    comparison: '>',
    threshold: 0.5,
    for: '1m',
    window: '1m',
    severity: 'warning',
    labels: { team: 'payments' },
    receivers: ['oncall', 'chat'],
    summary: 'payments-api uses more than half a core',
    description: '',
    enabled: true,
    ...overrides,
  };
}

function render(rules: AlertRule[], clusters?: string[]) {
  return renderRuleFile(
    { entityRef: ENTITY, version: 3, rules, targets: TARGETS },
    'cluster',
    clusters,
  );
}

describe('renderRuleFile', () => {
  it('renders one alerting rule per cluster with the labels the routing reads', () => {
    const file = render([rule()]);
    const [group] = parse(file.text).groups;
    expect(group.name).toBe(`container-cloud ${ENTITY}`);
    expect(group.rules[0]).toEqual({
      record: 'cc_alert_rules_version',
      expr: 'vector(3)',
      labels: { cc_entity: ENTITY },
    });
    expect(group.rules).toHaveLength(3);
    expect(group.rules[1].alert).toBe('High_CPU');
    expect(group.rules[1].labels).toEqual({
      team: 'payments',
      cc_entity: ENTITY,
      cc_rule: 'r-0a1b2c3d',
      severity: 'warning',
      cc_receivers: ',oncall,chat,',
      cc_cluster: 'local-a',
    });
    expect(group.rules[2].labels.cc_cluster).toBe('local-b');
    expect(group.rules[1].annotations).toEqual({
      summary: 'payments-api uses more than half a core',
      description: '',
    });
    expect(group.rules[1].expr).toBe(
      '(\nsum by (cluster, namespace, pod, container) (rate(container_cpu_usage_seconds_total{cluster="local-a",namespace="payments",pod=~"(?:payments-api)-[a-z0-9]{1,10}-[a-z0-9]{5}",container!="",container!="POD"}[1m]))\n) > 0.5',
    );
    expect(file.alertingRules).toBe(2);
  });

  it('renders only the clusters a Prometheus holds', () => {
    const file = render([rule()], ['local-b']);
    const [group] = parse(file.text).groups;
    expect(group.rules.map((r: any) => r.labels.cc_cluster)).toEqual([
      undefined,
      'local-b',
    ]);
  });

  it('names the container and pod of a rule on one container', () => {
    const file = renderRuleFile(
      {
        entityRef: ENTITY,
        version: 1,
        rules: [
          rule({ container: 'app', pod: 'payments-api-5f5f747f9d-2qldk' }),
        ],
        targets: TARGETS,
        pods: new Map([
          ['local-a/payments', new Set(['payments-api-5f5f747f9d-2qldk'])],
        ]),
      },
      'cluster',
    );
    const [group] = parse(file.text).groups;
    // only where the pod is
    expect(group.rules).toHaveLength(2);
    expect(group.rules[1].labels).toMatchObject({
      container: 'app',
      pod: 'payments-api-5f5f747f9d-2qldk',
      cc_cluster: 'local-a',
    });
    expect(selectorsOf(group.rules[1].expr)[0]).toContain(
      'pod="payments-api-5f5f747f9d-2qldk",container="app"',
    );
  });

  it('leaves disabled rules, and unavailable metrics, out', () => {
    const file = render([rule({ enabled: false })]);
    expect(parse(file.text).groups[0].rules).toHaveLength(1);
  });

  it('writes , as the receivers of a rule without any', () => {
    expect(receiversLabel([])).toBe(',');
    expect(receiversLabel(['a'])).toBe(',a,');
  });

  it('passes the real promtool for every metric of the catalogue', async () => {
    const rules: AlertRule[] = [
      rule(),
      rule({ id: 'r-2', metric: 'cpu_limit_percent', threshold: 80 }),
      rule({ id: 'r-3', metric: 'memory_bytes', threshold: 1e9 }),
      rule({ id: 'r-4', metric: 'memory_limit_percent', threshold: 90 }),
      rule({ id: 'r-5', metric: 'network_receive_bytes', threshold: 1e6 }),
      rule({ id: 'r-6', metric: 'network_transmit_bytes', threshold: 1e6 }),
      rule({ id: 'r-7', metric: 'restarts', threshold: 3, window: '15m' }),
      rule({ id: 'r-8', metric: 'not_ready', threshold: 60 }),
      rule({ id: 'r-9', metric: 'crash_looping', threshold: 30 }),
      rule({ id: 'r-10', metric: 'pending', threshold: 120, comparison: '>=' }),
      rule({
        id: 'r-11',
        metric: 'http_5xx_rate',
        domain: 'pay.example.com',
        threshold: 1,
      }),
      rule({
        id: 'r-12',
        metric: 'http_latency_p95',
        domain: 'pay.example.com',
        threshold: 0.5,
      }),
      rule({
        id: 'r-13',
        metric: 'promql',
        expr: 'sum(rate(container_cpu_usage_seconds_total[1m])) # a comment',
        threshold: 1,
      }),
    ];
    const file = render(rules);
    const result = await promtoolCheckRules('promtool', file.text);
    expect(result.output).not.toContain('FAILED');
    expect(result.ok).toBe(true);
    expect(parse(file.text).groups[0].rules).toHaveLength(1 + 2 * 11 + 2);
  });

  it('names rule files and alerts safely', () => {
    expect(ruleFileName('component:default/payments-api')).toBe(
      'cc__component__default__payments-api.yml',
    );
    expect(alertName('CPU > 80% on "app"')).toBe('CPU_80_on_app');
    expect(alertName('5xx')).toBe('A_5xx');
    expect(alertName('日本')).toBe('Alert');
  });

  it('renders PrometheusRule resources for one cluster and namespace', () => {
    const resource = renderPrometheusRule(
      { entityRef: ENTITY, version: 2, rules: [rule()], targets: TARGETS },
      'cluster',
      {
        cluster: 'local-b',
        namespace: 'payments',
        labels: { prometheus: 'k8s' },
      },
    );
    expect(resource.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(resource.kind).toBe('PrometheusRule');
    expect(resource.metadata).toMatchObject({
      name: 'cc-component-default-payments-api',
      namespace: 'payments',
      labels: {
        prometheus: 'k8s',
        'app.kubernetes.io/managed-by': 'container-cloud',
      },
      annotations: { 'container-cloud.io/rules-version': '2' },
    });
    const rules = resource.spec.groups[0].rules;
    expect(rules.map(r => r.labels.cc_cluster)).toEqual([undefined, 'local-b']);
    expect(rules[1].expr).toContain('cluster="local-b"');
  });
});

/**
 * Input a person might send to break out of a label value, a template or a selector. Each must
 * be refused by the contract, or, where the text is allowed, reach the file only as an escaped
 * string value that changes no selector.
 */
const INJECTIONS = [
  'x"} or vector(1) #',
  "x'} or vector(1)",
  '}',
  '{',
  'a{b="c"}',
  '} or vector(1)',
  'line\nnext',
  'carriage\rreturn',
  'tab\tthere',
  '\\',
  'back\\"slash',
  '{{ $labels.pod }}',
  '{{ template "x" }}',
  '"',
  '`backtick`',
  'uni\u2028line',
  'null\u0000byte',
  '\u202eright-to-left',
  'ünïcödé 日本語 🙂',
  'a",severity="info',
];

describe('the injection corpus', () => {
  const base = {
    name: 'High CPU',
    metric: 'cpu_cores',
    comparison: '>',
    threshold: 1,
    severity: 'warning',
    summary: 'fine',
  };

  it.each(INJECTIONS)('never reaches a rule file as markup: %j', async text => {
    const attempts = [
      { ...base, labels: { team: text } },
      { ...base, labels: { [text]: 'x' } },
      { ...base, summary: text },
      { ...base, description: text },
      { ...base, name: text },
      { ...base, container: text },
      { ...base, container: 'app', pod: text },
      { ...base, receivers: [text] },
      { ...base, for: text },
      { ...base, window: text },
      { ...base, threshold: text },
      { ...base, severity: text },
    ];
    for (const attempt of attempts) {
      const parsed = alertRuleInputSchema.safeParse(attempt);
      if (!parsed.success) continue;
      // allowed text: it must come out of the file exactly as it went in, as data
      const file = render([{ ...parsed.data, id: 'r-1' }]);
      const [group] = parse(file.text).groups;
      for (const r of group.rules.slice(1)) {
        expect(r.labels.cc_entity).toBe(ENTITY);
        expect(r.labels.severity).toBe(parsed.data.severity);
        for (const selector of selectorsOf(r.expr)) {
          expect(selector).toContain('cluster="local-');
          expect(selector).toContain('namespace="payments"');
          expect(selector).toContain(
            'pod=~"(?:payments-api)-[a-z0-9]{1,10}-[a-z0-9]{5}"',
          );
        }
        expect(r.expr).not.toContain('vector(1)');
        expect(r.annotations.summary).toBe(parsed.data.summary);
        expect(r.annotations.description).toBe(parsed.data.description);
        expect(JSON.stringify(r)).not.toContain('{{');
      }
      const checked = await promtoolCheckRules('promtool', file.text);
      expect(checked.ok).toBe(true);
    }
  });

  it('keeps quotes and braces of a summary as plain data', async () => {
    const parsed = alertRuleInputSchema.parse({
      ...base,
      summary: 'x"} or vector(1) # {x}',
    });
    const file = render([{ ...parsed, id: 'r-1' }]);
    const [group] = parse(file.text).groups;
    expect(group.rules[1].annotations.summary).toBe('x"} or vector(1) # {x}');
    expect(group.rules[1].expr).not.toContain('vector(1)');
    expect((await promtoolCheckRules('promtool', file.text)).ok).toBe(true);
  });

  it('refuses every field of the corpus that could carry markup', () => {
    for (const text of INJECTIONS.filter(t =>
      // eslint-disable-next-line no-control-regex
      /["'`{}\\\n\r\u0000\u2028]/.test(t),
    )) {
      expect(
        alertRuleInputSchema.safeParse({ ...base, labels: { team: text } })
          .success,
      ).toBe(false);
      expect(
        alertRuleInputSchema.safeParse({ ...base, container: text }).success,
      ).toBe(false);
      expect(
        alertRuleInputSchema.safeParse({ ...base, for: text }).success,
      ).toBe(false);
    }
  });
});
