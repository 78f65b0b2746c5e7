import { mockServices } from '@backstage/backend-test-utils';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { randomBytes } from 'node:crypto';
import { AlertmanagerAlerts } from './ClusterAlerts';

jest.setTimeout(60_000);

const lc = useLocalCloud({ namespacePrefix: 'clusters-alerts' });

describe('AlertmanagerAlerts', () => {
  it("raises a cluster's alert in the local cloud's Alertmanager and resolves it", async () => {
    const url = lc.info.alertmanager.url;
    const cluster = `h5-test-${randomBytes(3).toString('hex')}`;
    const alerts = new AlertmanagerAlerts(url, mockServices.logger.mock(), [
      'ops-pager',
      'ops-mail',
    ]);
    const find = async () => {
      const res = await fetch(
        `${url}/api/v2/alerts?filter=${encodeURIComponent(
          `cluster="${cluster}"`,
        )}`,
      );
      return (await res.json()) as Array<{
        labels: Record<string, string>;
        annotations: Record<string, string>;
        status: { state: string };
      }>;
    };
    const since = new Date().toISOString();
    await alerts.raise(cluster, 'unreachable: refused', since);
    const raised = await find();
    expect(raised).toHaveLength(1);
    expect(raised[0].labels).toMatchObject({
      alertname: 'ContainerCloudClusterUnhealthy',
      cluster,
    });
    // what the alerts module routes by (cc_receivers) and shows (severity, cc_cluster)
    expect(raised[0].labels).toMatchObject({
      severity: 'critical',
      cc_cluster: cluster,
      cc_receivers: ',ops-pager,ops-mail,',
    });
    // an Alertmanager route of the alerts module's shape matches it
    const routed = await fetch(
      `${url}/api/v2/alerts?filter=${encodeURIComponent(
        `cc_receivers=~".*,ops-mail,.*"`,
      )}&filter=${encodeURIComponent(`cc_cluster="${cluster}"`)}`,
    );
    expect(await routed.json()).toHaveLength(1);
    expect(raised[0].annotations.description).toBe('unreachable: refused');
    await alerts.resolve(cluster, since);
    // a resolved alert leaves Alertmanager's list of active ones
    expect(await find()).toEqual([]);
  });
});
