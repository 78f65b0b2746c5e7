import { parse } from 'yaml';
import { amtoolCheck } from './amtool';
import {
  NULL_RECEIVER,
  renderAlertmanagerConfig,
} from './renderAlertmanagerConfig';
import type { StoredReceiver } from './ReceiverStore';
import type { AlertmanagerSettings } from './settings';

const AMTOOL = '/usr/bin/amtool';

const settings: AlertmanagerSettings = {
  url: 'http://127.0.0.1:1',
  configFile: '/dev/null',
  amtool: AMTOOL,
  route: {
    groupBy: ['alertname', 'cc_entity'],
    groupWait: '10s',
    groupInterval: '1m',
    repeatInterval: '2h',
  },
  smtp: { smarthost: 'smtp.example.com:587', from: 'alerts@example.com' },
  syncIntervalSeconds: 60,
  pollIntervalSeconds: 15,
  timeoutMs: 1000,
};

function receiver(
  name: string,
  kind: StoredReceiver['kind'],
  settingsOf: Record<string, unknown>,
  secrets: Record<string, string> = {},
): StoredReceiver {
  return {
    name,
    kind,
    sendResolved: true,
    settings: settingsOf,
    secrets,
    version: 1,
    createdBy: 'user:default/carol',
    createdAt: '2026-12-06T00:00:00Z',
    updatedBy: 'user:default/carol',
    updatedAt: '2026-12-06T00:00:00Z',
  };
}

const receivers = [
  receiver('mail', 'email', { to: ['a@example.com', 'b@example.com'] }),
  receiver(
    'hook',
    'webhook',
    { url: 'https://hooks.example.com/a', maxAlerts: 5 },
    { bearerToken: 'tok' },
  ),
  receiver(
    'chat',
    'im',
    {
      flavour: 'slack',
      channel: '#oncall',
      urlHint: 'https://hooks.slack.com',
    },
    { url: 'https://hooks.slack.com/services/T/B/x' },
  ),
  receiver(
    'dc',
    'im',
    { flavour: 'discord', urlHint: 'https://discord.com' },
    { url: 'https://discord.com/api/webhooks/1/x' },
  ),
];

describe('renderAlertmanagerConfig', () => {
  it('routes each receiver by cc_receivers with continue, and every kind passes amtool', async () => {
    const rendered = renderAlertmanagerConfig(receivers, settings, 7);
    const config = parse(rendered.text);
    expect(config.global).toEqual({
      smtp_smarthost: 'smtp.example.com:587',
      smtp_from: 'alerts@example.com',
    });
    expect(config.route).toMatchObject({
      receiver: NULL_RECEIVER,
      group_by: ['alertname', 'cc_entity'],
      group_wait: '10s',
    });
    expect(config.route.routes).toEqual(
      ['mail', 'hook', 'chat', 'dc'].map(name => ({
        receiver: name,
        matchers: [`cc_receivers=~".*,${name},.*"`],
        continue: true,
      })),
    );
    const byName = Object.fromEntries(
      config.receivers.map((r: any) => [r.name, r]),
    );
    expect(byName.mail.email_configs[0].to).toBe(
      'a@example.com, b@example.com',
    );
    expect(byName.hook.webhook_configs[0]).toMatchObject({
      url: 'https://hooks.example.com/a',
      max_alerts: 5,
      http_config: { authorization: { type: 'Bearer', credentials: 'tok' } },
    });
    expect(byName.chat.slack_configs[0]).toMatchObject({
      api_url: 'https://hooks.slack.com/services/T/B/x',
      channel: '#oncall',
    });
    expect(byName.dc.discord_configs[0].webhook_url).toBe(
      'https://discord.com/api/webhooks/1/x',
    );
    expect(byName[rendered.marker]).toEqual({ name: rendered.marker });
    expect(rendered.marker).toMatch(/^container-cloud-config-v7-[0-9a-f]{12}$/);
    expect(await amtoolCheck(AMTOOL, rendered.text)).toEqual({ ok: true });
  });

  it('sends unrouted alerts to the configured default receiver, and says when it does not exist', () => {
    const withDefault = renderAlertmanagerConfig(
      receivers,
      { ...settings, defaultReceiver: 'hook' },
      1,
    );
    expect(parse(withDefault.text).route.receiver).toBe('hook');
    expect(withDefault.notes).toEqual([]);
    const missing = renderAlertmanagerConfig(
      receivers,
      { ...settings, defaultReceiver: 'nobody' },
      1,
    );
    expect(parse(missing.text).route.receiver).toBe(NULL_RECEIVER);
    expect(missing.notes[0]).toContain("'nobody'");
  });

  it('marks each version apart, and the same receivers the same way', () => {
    const a = renderAlertmanagerConfig(receivers, settings, 1);
    expect(renderAlertmanagerConfig(receivers, settings, 1)).toEqual(a);
    expect(renderAlertmanagerConfig(receivers, settings, 2).marker).not.toBe(
      a.marker,
    );
    expect(
      renderAlertmanagerConfig(receivers.slice(1), settings, 1).marker,
    ).not.toBe(a.marker);
  });
});
