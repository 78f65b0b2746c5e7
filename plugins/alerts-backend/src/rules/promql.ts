import { parser } from '@prometheus-io/lezer-promql';
import { promString } from '@internal/plugin-container-cloud-node';

/**
 * Where a rule looks: one (cluster, namespace) of the service's workloads, the Deployments there
 * that carry its kubernetes id (by the binding), and optionally one container, or one container
 * of one pod.
 */
export interface RuleTarget {
  cluster: string;
  namespace: string;
  /** the service's Deployments in that namespace (their pods are `<name>-<hash>-<suffix>`) */
  deployments: string[];
  container?: string;
  pod?: string;
}

/** A regular expression that matches the text literally (RE2 syntax). */
export function regexLiteral(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}]/g, c => `\\${c}`);
}

/**
 * The pods of a Deployment: its name, the ReplicaSet's pod-template hash (at most 10 of
 * Kubernetes' safe characters) and a 5-character suffix. Prometheus anchors regular
 * expressions, so `payments-api` never matches the pods of `payments-api-v2`.
 */
export function deploymentPodsRegex(deployments: string[]): string {
  const names = [...deployments].sort().map(regexLiteral).join('|');
  return `(?:${names})-[a-z0-9]{1,10}-[a-z0-9]{5}`;
}

/** A label matcher with its value escaped as a PromQL string. */
export function matcher(
  label: string,
  op: '=' | '!=' | '=~',
  value: string,
): string {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label)) {
    throw new Error(`not a label name: ${label}`);
  }
  return `${label}${op}${promString(value)}`;
}

/** The matchers of a target's pods: its cluster, namespace and the service's pods only. */
export function podMatchers(
  target: RuleTarget,
  clusterLabel: string,
): string[] {
  const matchers = [
    matcher(clusterLabel, '=', target.cluster),
    matcher('namespace', '=', target.namespace),
    matcher('pod', '=~', deploymentPodsRegex(target.deployments)),
  ];
  if (target.pod) matchers.push(matcher('pod', '=', target.pod));
  return matchers;
}

/** The matchers of a target's containers: one by name, or every real one. */
export function containerMatchers(
  target: RuleTarget,
  clusterLabel: string,
): string[] {
  return [
    ...podMatchers(target, clusterLabel),
    ...(target.container
      ? [matcher('container', '=', target.container)]
      : [matcher('container', '!=', ''), matcher('container', '!=', 'POD')]),
  ];
}

/** A problem of a PromQL expression, at a place in it. */
export class PromqlError extends Error {
  constructor(message: string, readonly position?: number) {
    super(message);
    this.name = 'PromqlError';
  }
}

/** Parses PromQL with Prometheus' own grammar; a PromqlError names where it stops making sense. */
function parseTree(expr: string) {
  const tree = parser.parse(expr);
  let error: number | undefined;
  tree.iterate({
    enter(node) {
      if (error === undefined && node.type.isError) error = node.from;
    },
  });
  if (error !== undefined) {
    const near = expr.slice(Math.max(0, error - 10), error + 10);
    throw new PromqlError(
      `the expression does not parse at character ${
        error + 1
      } (near "${near}")`,
      error,
    );
  }
  return tree;
}

/** Checks that text is one PromQL expression (Prometheus' grammar); throws PromqlError. */
export function checkPromql(expr: string): void {
  parseTree(expr);
}

/**
 * The expression with the matchers added to every series selector in it, so whatever it
 * computes, it reads only the series those matchers allow: `rate(x[5m])` becomes
 * `rate(x{cluster="a",...}[5m])`, `x{job="j"}` becomes `x{job="j",cluster="a",...}`. PromQL
 * ANDs a selector's matchers, so a person's own matchers can narrow the selection, never widen
 * it. Selectors by `{__name__=...}` get the matchers as well.
 */
export function confineSelectors(expr: string, matchers: string[]): string {
  const tree = parseTree(expr);
  const added = matchers.join(',');
  const edits: Array<{ at: number; text: string }> = [];
  tree.iterate({
    enter(node) {
      if (node.name !== 'VectorSelector') return undefined;
      const labelMatchers = node.node.getChild('LabelMatchers');
      if (!labelMatchers) {
        edits.push({ at: node.to, text: `{${added}}` });
      } else {
        // before its closing brace; after the person's matchers (and a trailing comma, if any)
        const inner = expr.slice(labelMatchers.from + 1, labelMatchers.to - 1);
        const separator = inner.trim() === '' || /,\s*$/.test(inner) ? '' : ',';
        edits.push({ at: labelMatchers.to - 1, text: `${separator}${added}` });
      }
      return false;
    },
  });
  let result = expr;
  for (const edit of edits.sort((a, b) => b.at - a.at)) {
    result = result.slice(0, edit.at) + edit.text + result.slice(edit.at);
  }
  checkPromql(result);
  return result;
}

/** Every series selector of an expression, with its matchers as written (for tests and checks). */
export function selectorsOf(expr: string): string[] {
  const tree = parseTree(expr);
  const selectors: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.name !== 'VectorSelector') return undefined;
      selectors.push(expr.slice(node.from, node.to));
      return false;
    },
  });
  return selectors;
}
