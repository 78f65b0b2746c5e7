import type { WebhookRule } from './WebhookTargets';

/**
 * A ref pattern as a regular expression: `*` matches any characters (`/` included, as GitLab's
 * protected-branch wildcards do: `release/*`, `v*`); everything else literally.
 */
export function refPatternRegExp(pattern: string): RegExp {
  const source = pattern
    .split('*')
    .map(part => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`);
}

/**
 * The rule a push to this branch or tag falls under: the first of its kind whose pattern
 * matches; undefined when none does (the push builds nothing).
 */
export function matchBranchRule(
  rules: readonly WebhookRule[],
  refKind: 'branch' | 'tag',
  ref: string,
): WebhookRule | undefined {
  return rules.find(
    rule =>
      rule.ref.kind === refKind && refPatternRegExp(rule.ref.pattern).test(ref),
  );
}
