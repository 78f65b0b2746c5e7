import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * The local cloud's generated app-config (`$LOCAL_CLOUD_APP_CONFIG`, written by
 * `local-cloud up`/`env`), or undefined when the local cloud's environment is not loaded.
 */
export function localCloudAppConfig():
  | {
      kubernetes: { clusterLocatorMethods: Array<{ clusters: object[] }> };
      containerCloud: { alerts: Record<string, unknown> } & Record<
        string,
        unknown
      >;
    }
  | undefined {
  const file = process.env.LOCAL_CLOUD_APP_CONFIG;
  if (!file) return undefined;
  return parse(readFileSync(file, 'utf8'));
}

/** The local cloud's clusters in `kubernetes.clusterLocatorMethods` form. */
export function localCloudClusters(): object[] {
  const config = localCloudAppConfig();
  if (!config) throw new Error('load the local cloud env: local-cloud env');
  return config.kubernetes.clusterLocatorMethods.flatMap(m => m.clusters);
}

/** The local cloud's `containerCloud.alerts` (Prometheus rule folder, promtool, Alertmanager). */
export function localCloudAlertsConfig(): Record<string, unknown> {
  const config = localCloudAppConfig();
  if (!config) throw new Error('load the local cloud env: local-cloud env');
  return config.containerCloud.alerts;
}
