import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  mockCredentials,
  mockServices,
  TestDatabaseId,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import request from 'supertest';
import {
  alertsTestDatabases,
  CAROL,
  startAlertsBackend,
  TEST_RECEIVERS_KEY,
} from '../__testUtils__/startAlertsBackend';

jest.setTimeout(180_000);

const databases = alertsTestDatabases();

const TOKEN = 'tok-AT-REST-1';
const PASSWORD = 'pw-AT-REST-2';
const IM_URL = 'https://hooks.slack.example.com/services/T0/B0/im-AT-REST-3';
const LEGACY_TOKEN = 'tok-LEGACY-4';
const SECRETS = [TOKEN, PASSWORD, 'im-AT-REST-3', LEGACY_TOKEN];

/** Every row of every table the alerts plugin keeps, as one text. */
async function everyRow(knex: Knex): Promise<string> {
  const tables = [
    'alert_receivers',
    'alert_receiver_changes',
    'alertmanager_config',
  ];
  const rows = await Promise.all(tables.map(t => knex(t).select()));
  return JSON.stringify(rows);
}

describe("receivers' secrets at rest", () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let knex: Knex;
    const configFile = join(
      mkdtempSync(join(tmpdir(), 'alerts-secrets-')),
      'alertmanager.yml',
    );
    const alerts = (encryptionKey?: string) => ({
      alertmanager: {
        // no Alertmanager: the database and the file are what is looked at
        url: 'http://127.0.0.1:1',
        configFile,
        amtool: '/usr/bin/amtool',
        timeoutMs: 1000,
        syncIntervalSeconds: 3600,
        pollIntervalSeconds: 3600,
        ...(encryptionKey ? { encryptionKey } : {}),
      },
      prometheus: [],
    });
    const start = (encryptionKey?: string) =>
      startAlertsBackend({
        alerts: alerts(encryptionKey),
        services: [
          createServiceFactory({
            service: coreServices.database,
            deps: { plugin: coreServices.pluginMetadata },
            factory: async ({ plugin }) =>
              mockServices.database({
                knex:
                  plugin.getId() === 'alerts'
                    ? knex
                    : await databases.init(databaseId as TestDatabaseId),
              }),
          }),
        ],
      });
    const as = mockCredentials.user.header(CAROL);

    beforeAll(async () => {
      knex = await databases.init(databaseId as TestDatabaseId);
    });

    it('refuses secrets without a key (400 naming the field), and encrypts rows saved in plain text once a key is set', async () => {
      const keyless = await start();
      try {
        const refused = await request(keyless.server)
          .post('/api/alerts/receivers')
          .set('Authorization', as)
          .send({
            name: 'no-key',
            kind: 'webhook',
            webhook: { url: 'https://hooks.example.com/a', bearerToken: TOKEN },
          });
        expect(refused.status).toBe(400);
        expect(refused.body.error.message).toBe(
          'invalid receiver: webhook.bearerToken: secrets are kept encrypted and no key is configured (containerCloud.alerts.alertmanager.encryptionKey); ask ops to set one',
        );
        expect(await knex('alert_receivers').where({ name: 'no-key' })).toEqual(
          [],
        );
        // without secrets a receiver needs no key
        const plain = await request(keyless.server)
          .post('/api/alerts/receivers')
          .set('Authorization', as)
          .send({
            name: 'legacy',
            kind: 'webhook',
            webhook: { url: 'https://hooks.example.com/legacy' },
          });
        expect(plain.status).toBe(201);
      } finally {
        await keyless.stop();
      }
      // a row as the plugin saved it before secrets were encrypted
      await knex('alert_receivers')
        .where({ name: 'legacy' })
        .update({ secrets: JSON.stringify({ bearerToken: LEGACY_TOKEN }) });
      expect(await everyRow(knex)).toContain(LEGACY_TOKEN);

      const keyed = await start(TEST_RECEIVERS_KEY);
      try {
        // the backend encrypted it when it started
        const [row] = await knex('alert_receivers').where({ name: 'legacy' });
        expect(row.secrets).toMatch(/^enc:v1:/);
        expect(await everyRow(knex)).not.toContain(LEGACY_TOKEN);
        // and still renders it for Alertmanager
        const legacy = await request(keyed.server)
          .get('/api/alerts/receivers/legacy')
          .set('Authorization', as);
        expect(legacy.body.webhook.hasBearerToken).toBe(true);
        const delivered = await request(keyed.server)
          .post('/api/alerts/receivers/deliver')
          .set('Authorization', as);
        expect(delivered.status).toBe(200);
        expect(readFileSync(configFile, 'utf8')).toContain(LEGACY_TOKEN);
      } finally {
        await keyed.stop();
      }
    });

    it('keeps every secret encrypted in the database, and only in the file Alertmanager reads', async () => {
      const backend = await start(TEST_RECEIVERS_KEY);
      try {
        const create = (body: object) =>
          request(backend.server)
            .post('/api/alerts/receivers')
            .set('Authorization', as)
            .send(body);
        const created = await Promise.all([
          create({
            name: 'hook',
            kind: 'webhook',
            webhook: { url: 'https://hooks.example.com/h', bearerToken: TOKEN },
          }),
          create({
            name: 'mail',
            kind: 'email',
            email: {
              to: ['oncall@example.com'],
              from: 'alerts@example.com',
              smarthost: 'smtp.example.com:587',
              authUsername: 'alerts',
              authPassword: PASSWORD,
            },
          }),
          create({
            name: 'chat',
            kind: 'im',
            im: { flavour: 'slack', url: IM_URL },
          }),
        ]);
        expect(created.map(r => [r.status, r.body.error?.message])).toEqual([
          [201, undefined],
          [201, undefined],
          [201, undefined],
        ]);
        // an edit that leaves the token out keeps it, still encrypted
        const edited = await request(backend.server)
          .put('/api/alerts/receivers/hook')
          .set('Authorization', as)
          .send({
            version: 1,
            kind: 'webhook',
            webhook: { url: 'https://hooks.example.com/h2' },
          });
        expect(edited.status).toBe(200);
        expect(edited.body.receiver.webhook.hasBearerToken).toBe(true);

        const rows = await knex('alert_receivers')
          .whereIn('name', ['hook', 'mail', 'chat'])
          .orderBy('name');
        expect(rows.map(r => String(r.secrets).slice(0, 7))).toEqual([
          'enc:v1:',
          'enc:v1:',
          'enc:v1:',
        ]);
        const stored = await everyRow(knex);
        for (const secret of SECRETS) expect(stored).not.toContain(secret);

        const file = readFileSync(configFile, 'utf8');
        for (const secret of [TOKEN, PASSWORD, IM_URL]) {
          expect(file).toContain(secret);
        }
      } finally {
        await backend.stop();
      }
      // a backend without the key says why it cannot read them, and changes nothing
      const keyless = await start();
      try {
        const before = readFileSync(configFile, 'utf8');
        const list = await request(keyless.server)
          .get('/api/alerts/receivers')
          .set('Authorization', as);
        expect(list.status).toBe(503);
        expect(list.body.error.message).toMatch(
          /^the secrets of receiver '\w+' are encrypted and containerCloud\.alerts\.alertmanager\.encryptionKey is not configured$/,
        );
        expect(readFileSync(configFile, 'utf8')).toBe(before);
      } finally {
        await keyless.stop();
      }
    });
  });
});
