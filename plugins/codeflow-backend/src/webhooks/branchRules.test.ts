import { matchBranchRule, refPatternRegExp } from './branchRules';
import type { WebhookRule } from './WebhookTargets';

const rules: WebhookRule[] = [
  {
    ref: { kind: 'branch', pattern: 'main' },
    environment: 'test',
    approval: false,
  },
  {
    ref: { kind: 'branch', pattern: 'release/*' },
    environment: 'staging',
    approval: false,
  },
  {
    ref: { kind: 'tag', pattern: 'v*' },
    environment: 'production',
    approval: true,
  },
];

describe('branch rules', () => {
  it('chooses the first rule of the ref kind whose pattern matches', () => {
    expect(matchBranchRule(rules, 'branch', 'main')?.environment).toBe('test');
    expect(matchBranchRule(rules, 'branch', 'release/2.1')?.environment).toBe(
      'staging',
    );
    expect(matchBranchRule(rules, 'tag', 'v1.0.0')).toMatchObject({
      environment: 'production',
      approval: true,
    });
  });

  it('matches a branch pattern against branches only, and tags against tags', () => {
    expect(matchBranchRule(rules, 'tag', 'main')).toBeUndefined();
    expect(matchBranchRule(rules, 'branch', 'v1.0.0')).toBeUndefined();
    expect(matchBranchRule(rules, 'branch', 'feature/x')).toBeUndefined();
    expect(matchBranchRule(rules, 'branch', 'mainline')).toBeUndefined();
  });

  it('takes every character but * literally', () => {
    expect(refPatternRegExp('v1.*').test('v1x2')).toBe(false);
    expect(refPatternRegExp('v1.*').test('v1.2')).toBe(true);
    expect(refPatternRegExp('a+b').test('aab')).toBe(false);
  });
});
