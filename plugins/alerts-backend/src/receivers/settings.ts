import type { Config } from '@backstage/config';

/** The Alertmanager part's settings, read once from `containerCloud.alerts`. */
export interface AlertmanagerSettings {
  url: string;
  /** undefined: receivers cannot be managed (alerts and silences are still read) */
  configFile?: string;
  amtool: string;
  defaultReceiver?: string;
  route: {
    groupBy: string[];
    groupWait: string;
    groupInterval: string;
    repeatInterval: string;
  };
  smtp: {
    smarthost?: string;
    from?: string;
    authUsername?: string;
    authPassword?: string;
    requireTls?: boolean;
  };
  syncIntervalSeconds: number;
  pollIntervalSeconds: number;
  timeoutMs: number;
}

/** One Prometheus that evaluates the suite's rules, and the clusters it watches. */
export interface PrometheusSource {
  name: string;
  url: string;
  clusters: string[];
}

export interface ReceiverPartSettings {
  /** undefined when `containerCloud.alerts.alertmanager` is not configured */
  alertmanager?: AlertmanagerSettings;
  prometheus: PrometheusSource[];
}

const KEY = 'containerCloud.alerts';

/** Reads `containerCloud.alerts.alertmanager` and the Prometheus list (`prometheus[]`). */
export function readReceiverSettings(config: Config): ReceiverPartSettings {
  const alerts = config.getOptionalConfig(KEY);
  const prometheus = (alerts?.getOptionalConfigArray('prometheus') ?? []).map(
    p => ({
      name: p.getString('name'),
      url: p.getString('url'),
      clusters: p.getOptionalStringArray('clusters') ?? [],
    }),
  );
  const am = alerts?.getOptionalConfig('alertmanager');
  if (!am) return { prometheus };
  const route = am.getOptionalConfig('route');
  const smtp = am.getOptionalConfig('smtp');
  return {
    prometheus,
    alertmanager: {
      url: am.getString('url').replace(/\/+$/, ''),
      configFile: am.getOptionalString('configFile'),
      amtool: am.getOptionalString('amtool') ?? 'amtool',
      defaultReceiver: am.getOptionalString('defaultReceiver'),
      route: {
        groupBy: route?.getOptionalStringArray('groupBy') ?? [
          'alertname',
          'cc_entity',
          'cc_cluster',
        ],
        groupWait: route?.getOptionalString('groupWait') ?? '30s',
        groupInterval: route?.getOptionalString('groupInterval') ?? '5m',
        repeatInterval: route?.getOptionalString('repeatInterval') ?? '4h',
      },
      smtp: {
        smarthost: smtp?.getOptionalString('smarthost'),
        from: smtp?.getOptionalString('from'),
        authUsername: smtp?.getOptionalString('authUsername'),
        authPassword: smtp?.getOptionalString('authPassword'),
        requireTls: smtp?.getOptionalBoolean('requireTls'),
      },
      syncIntervalSeconds: am.getOptionalNumber('syncIntervalSeconds') ?? 60,
      pollIntervalSeconds: am.getOptionalNumber('pollIntervalSeconds') ?? 15,
      timeoutMs: am.getOptionalNumber('timeoutMs') ?? 10_000,
    },
  };
}
