import { ConfigReader } from '@backstage/config';
import { clusterAlertLabels } from './ClusterAlerts';
import { readHealthSettings } from './healthSettings';

describe('readHealthSettings', () => {
  it("reads the receivers of cluster alerts and the alerts module's Alertmanager", () => {
    const settings = readHealthSettings(
      new ConfigReader({
        containerCloud: {
          alertmanager: { url: 'http://old:9093' },
          alerts: { alertmanager: { url: 'http://am:9093' } },
          clusters: { health: { receivers: ['ops-pager', 'ops-mail'] } },
        },
      }),
    );
    expect(settings.receivers).toEqual(['ops-pager', 'ops-mail']);
    expect(settings.alertmanagerUrl).toBe('http://am:9093');
  });

  it('falls back to containerCloud.alertmanager.url and no receivers', () => {
    const settings = readHealthSettings(
      new ConfigReader({
        containerCloud: { alertmanager: { url: 'http://old:9093' } },
      }),
    );
    expect(settings).toMatchObject({
      receivers: [],
      alertmanagerUrl: 'http://old:9093',
    });
  });

  it('names the key and the receiver a person got wrong', () => {
    expect(() =>
      readHealthSettings(
        new ConfigReader({
          containerCloud: {
            clusters: { health: { receivers: ['ops', 'Ops Pager'] } },
          },
        }),
      ),
    ).toThrow(
      "containerCloud.clusters.health.receivers[1]: 'Ops Pager': a receiver name is 1 to 63 lowercase letters, digits and dashes",
    );
  });
});

describe('clusterAlertLabels', () => {
  it('carries severity, cc_cluster and the receivers as ,a,b,', () => {
    expect(clusterAlertLabels('prod-b', ['ops-pager', 'ops-mail'])).toEqual({
      alertname: 'ContainerCloudClusterUnhealthy',
      cluster: 'prod-b',
      cc_cluster: 'prod-b',
      severity: 'critical',
      cc_receivers: ',ops-pager,ops-mail,',
    });
  });

  it('leaves cc_receivers out when no receiver is configured', () => {
    expect(clusterAlertLabels('prod-b', [])).not.toHaveProperty('cc_receivers');
  });
});
