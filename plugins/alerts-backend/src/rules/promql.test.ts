import {
  checkPromql,
  confineSelectors,
  deploymentPodsRegex,
  PromqlError,
  selectorsOf,
} from './promql';
import { parsePromDuration } from '@internal/plugin-container-cloud-common';

const MINE = ['cluster="local-a"', 'namespace="payments"'];

describe('confineSelectors', () => {
  it.each([
    ['rate(x[5m])', 'rate(x{cluster="local-a",namespace="payments"}[5m])'],
    ['x{job="j"}', 'x{job="j",cluster="local-a",namespace="payments"}'],
    ['x{job="j",}', 'x{job="j",cluster="local-a",namespace="payments"}'],
    ['x{}', 'x{cluster="local-a",namespace="payments"}'],
    [
      '{__name__="x"} offset 5m',
      '{__name__="x",cluster="local-a",namespace="payments"} offset 5m',
    ],
    [
      'sum(a) / on() group_left sum(b{namespace="orders"})',
      'sum(a{cluster="local-a",namespace="payments"}) / on() group_left sum(b{namespace="orders",cluster="local-a",namespace="payments"})',
    ],
    [
      'max_over_time(rate(x[1m])[10m:1m])',
      'max_over_time(rate(x{cluster="local-a",namespace="payments"}[1m])[10m:1m])',
    ],
  ])('adds the service’s matchers to every selector of %s', (expr, out) => {
    expect(confineSelectors(expr, MINE)).toBe(out);
  });

  it('keeps another team’s namespace out: the matchers are ANDed', () => {
    const confined = confineSelectors(
      'x{namespace="orders"} or vector(1)',
      MINE,
    );
    for (const selector of selectorsOf(confined)) {
      expect(selector).toContain('namespace="payments"');
    }
  });

  it('refuses text that is not PromQL, naming where', () => {
    expect(() => confineSelectors('rate(x[5m]', MINE)).toThrow(PromqlError);
    expect(() => checkPromql('x{a="b"')).toThrow(/does not parse/);
    expect(() => checkPromql('x}')).toThrow(/character/);
  });
});

describe('deploymentPodsRegex', () => {
  it('matches the pods of the Deployment only', () => {
    const re = new RegExp(`^${deploymentPodsRegex(['payments-api'])}$`);
    expect(re.test('payments-api-5f5f747f9d-2qldk')).toBe(true);
    expect(re.test('payments-api-v2-5f5f747f9d-2qldk')).toBe(false);
    expect(re.test('payments-apix-5f5f747f9d-2qldk')).toBe(false);
    expect(deploymentPodsRegex(['a.b'])).toBe(
      '(?:a\\.b)-[a-z0-9]{1,10}-[a-z0-9]{5}',
    );
  });
});

describe('parsePromDuration', () => {
  it.each([
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['0s', 0],
    ['1y', 365 * 86_400_000],
    ['100ms', 100],
  ])('reads %s', (text, ms) => {
    expect(parsePromDuration(text)).toBe(ms);
  });
  it.each(['', '5', '1m1h', '5 m', '-1m', '1.5m', 'm', '5M', '1h\n'])(
    'refuses %j',
    text => {
      expect(parsePromDuration(text)).toBeUndefined();
    },
  );
});
