import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { ALERT_LABELS } from '@internal/plugin-container-cloud-common';
import type { AlertmanagerSettings } from './settings';
import type { StoredReceiver } from './ReceiverStore';

/** The receiver of alerts no rule routes elsewhere, when the config names none: it sends nothing. */
export const NULL_RECEIVER = 'container-cloud-default';

/**
 * The name of the receiver that marks a rendered configuration: Alertmanager's /api/v2/status
 * shows the configuration it loaded re-serialised (comments and order lost), but its receivers'
 * names as written, so this name tells which version it runs.
 */
export function configMarker(version: number, body: string): string {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return `container-cloud-config-v${version}-${hash}`;
}

export interface RenderedConfig {
  text: string;
  /** sha256 of `text` */
  checksum: string;
  marker: string;
  /** why the default receiver is not the configured one, if it is not */
  notes: string[];
}

/** The Alertmanager integration of one receiver (one list of configs per kind). */
function integration(receiver: StoredReceiver): Record<string, unknown> {
  const s = receiver.settings as Record<string, any>;
  const secrets = receiver.secrets;
  const sendResolved = receiver.sendResolved;
  switch (receiver.kind) {
    case 'email':
      return {
        email_configs: [
          omitUndefined({
            to: (s.to as string[]).join(', '),
            from: s.from,
            smarthost: s.smarthost,
            auth_username: s.authUsername,
            auth_password: secrets.authPassword,
            require_tls: s.requireTls,
            send_resolved: sendResolved,
          }),
        ],
      };
    case 'webhook':
      return {
        webhook_configs: [
          omitUndefined({
            url: s.url,
            send_resolved: sendResolved,
            max_alerts: s.maxAlerts,
            http_config: secrets.bearerToken
              ? {
                  authorization: {
                    type: 'Bearer',
                    credentials: secrets.bearerToken,
                  },
                }
              : undefined,
          }),
        ],
      };
    case 'im':
      if (s.flavour === 'discord') {
        return {
          discord_configs: [
            { webhook_url: secrets.url, send_resolved: sendResolved },
          ],
        };
      }
      return {
        slack_configs: [
          omitUndefined({
            api_url: secrets.url,
            channel: s.channel,
            send_resolved: sendResolved,
            title:
              '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} {{ .CommonLabels.cc_entity }}',
            text: '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}',
          }),
        ],
      };
    default:
      throw new Error(`unknown receiver kind ${String(receiver.kind)}`);
  }
}

function omitUndefined(value: Record<string, unknown>) {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  );
}

/**
 * The Alertmanager configuration of these receivers: a route per receiver that takes the alerts
 * whose `cc_receivers` label names it (`,a,b,`) and lets them go on (`continue`), so an alert
 * reaches every receiver its rule names; everything else goes to the default receiver. Text built
 * by a YAML serialiser from validated values, never by pasting user text.
 */
export function renderAlertmanagerConfig(
  receivers: StoredReceiver[],
  settings: AlertmanagerSettings,
  version: number,
): RenderedConfig {
  const notes: string[] = [];
  const names = new Set(receivers.map(r => r.name));
  let defaultReceiver = settings.defaultReceiver ?? NULL_RECEIVER;
  if (settings.defaultReceiver && !names.has(settings.defaultReceiver)) {
    notes.push(
      `the default receiver '${settings.defaultReceiver}' (containerCloud.alerts.alertmanager.defaultReceiver) does not exist: alerts no rule routes go nowhere`,
    );
    defaultReceiver = NULL_RECEIVER;
  }
  const smtp = settings.smtp;
  const global = omitUndefined({
    smtp_smarthost: smtp.smarthost,
    smtp_from: smtp.from,
    smtp_auth_username: smtp.authUsername,
    smtp_auth_password: smtp.authPassword,
    smtp_require_tls: smtp.requireTls,
  });
  const config: Record<string, unknown> = {
    ...(Object.keys(global).length ? { global } : {}),
    route: {
      receiver: defaultReceiver,
      group_by: settings.route.groupBy,
      group_wait: settings.route.groupWait,
      group_interval: settings.route.groupInterval,
      repeat_interval: settings.route.repeatInterval,
      routes: receivers.map(r => ({
        receiver: r.name,
        matchers: [`${ALERT_LABELS.receivers}=~".*,${r.name},.*"`],
        continue: true,
      })),
    },
    receivers: [
      ...(defaultReceiver === NULL_RECEIVER ? [{ name: NULL_RECEIVER }] : []),
      ...receivers.map(r => ({ name: r.name, ...integration(r) })),
    ],
  };
  const body = stringify(config);
  const marker = configMarker(version, body);
  (config.receivers as object[]).push({ name: marker });
  const text = `# Written by Container Cloud's alerts backend from its database (configuration version ${version}); edits here are overwritten.\n${stringify(
    config,
  )}`;
  return {
    text,
    checksum: createHash('sha256').update(text).digest('hex'),
    marker,
    notes,
  };
}
