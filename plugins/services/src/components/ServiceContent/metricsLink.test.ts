import type { ClusterServiceView } from '@internal/plugin-container-cloud-common';
import { runningPod } from '../../testUtils/fixtures';
import { linkedPod, parseMetricsLink, withoutMetricsLink } from './metricsLink';

const clusters = [
  { cluster: 'dev', pods: [runningPod()] },
] as unknown as ClusterServiceView[];

describe('the metrics link of the Service tab', () => {
  it('reads ?metrics=<cluster>/<namespace>/<pod>[/<container>] and nothing malformed', () => {
    expect(
      parseMetricsLink(
        `?metrics=${encodeURIComponent(
          'dev/payments/payments-api-7d9-abcde/app',
        )}`,
      ),
    ).toEqual({
      cluster: 'dev',
      namespace: 'payments',
      pod: 'payments-api-7d9-abcde',
      container: 'app',
    });
    expect(parseMetricsLink('?metrics=dev/payments/p')).toEqual({
      cluster: 'dev',
      namespace: 'payments',
      pod: 'p',
      container: undefined,
    });
    for (const bad of [
      '',
      '?x=1',
      '?metrics=dev/p',
      '?metrics=a//b/c',
      '?metrics=a/b/c/d/e',
    ]) {
      expect(parseMetricsLink(bad)).toBeUndefined();
    }
    expect(withoutMetricsLink('?metrics=a/b/c&tab=x')).toBe('?tab=x');
    expect(withoutMetricsLink('?metrics=a/b/c')).toBe('');
  });

  it('finds only a pod (and container) the page shows', () => {
    const link = {
      cluster: 'dev',
      namespace: 'payments',
      pod: 'payments-api-7d9-abcde',
    };
    expect(linkedPod(link, clusters)?.name).toBe('payments-api-7d9-abcde');
    expect(linkedPod({ ...link, container: 'app' }, clusters)).toBeDefined();
    expect(
      linkedPod({ ...link, container: 'sidecar' }, clusters),
    ).toBeUndefined();
    expect(linkedPod({ ...link, cluster: 'prod' }, clusters)).toBeUndefined();
    expect(
      linkedPod({ ...link, namespace: 'other' }, clusters),
    ).toBeUndefined();
    expect(linkedPod({ ...link, pod: 'gone' }, clusters)).toBeUndefined();
  });
});
