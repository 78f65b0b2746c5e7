import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestDatabaseId,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  alertsTestDatabases,
  CAROL,
  startAlertsBackend,
} from '../__testUtils__/startAlertsBackend';

jest.setTimeout(180_000);

const databases = alertsTestDatabases();

/**
 * Two backend replicas on one database and one Alertmanager file: receivers created at the same
 * time on each both land, with their own configuration versions, and the file ends on the newest.
 */
describe('receivers on two replicas', () => {
  it.each(databases.eachSupportedId())('on %s', async databaseId => {
    const knex = await databases.init(databaseId as TestDatabaseId);
    // the alerts plugin of both replicas gets the shared database, the others their own
    const shared = createServiceFactory({
      service: coreServices.database,
      deps: { plugin: coreServices.pluginMetadata },
      factory: async ({ plugin }) =>
        mockServices.database({
          knex:
            plugin.getId() === 'alerts'
              ? knex
              : await databases.init(databaseId as TestDatabaseId),
        }),
    });
    const configFile = join(
      mkdtempSync(join(tmpdir(), 'alerts-replicas-')),
      'alertmanager.yml',
    );
    const alerts = {
      alertmanager: {
        // no Alertmanager: the file is what is looked at
        url: 'http://127.0.0.1:1',
        configFile,
        amtool: '/usr/bin/amtool',
        timeoutMs: 1000,
        syncIntervalSeconds: 3600,
        pollIntervalSeconds: 3600,
      },
      prometheus: [],
    };
    const one = await startAlertsBackend({ alerts, services: [shared] });
    const two = await startAlertsBackend({ alerts, services: [shared] });
    try {
      const create = (backend: typeof one, name: string) =>
        request(backend.server)
          .post('/api/alerts/receivers')
          .set('Authorization', mockCredentials.user.header(CAROL))
          .send({
            name,
            kind: 'webhook',
            webhook: { url: `https://hooks.example.com/${name}` },
          });
      const names = ['r-a', 'r-b', 'r-c', 'r-d'];
      const results = await Promise.all(
        names.map((name, i) => create(i % 2 ? two : one, name)),
      );
      expect(results.map(r => r.status)).toEqual([201, 201, 201, 201]);
      // each change its own configuration version
      const versions = [];
      for (const name of names) {
        const history = await request(one.server)
          .get(`/api/alerts/receivers/${name}/history`)
          .set('Authorization', mockCredentials.user.header(CAROL));
        versions.push(history.body.items[0].configVersion);
      }
      expect(versions.sort()).toEqual([1, 2, 3, 4]);
      const file = readFileSync(configFile, 'utf8');
      for (const name of names) {
        expect(file).toContain(`cc_receivers=~".*,${name},.*"`);
      }
      expect(file).toContain('configuration version 4');
      const list = await request(two.server)
        .get('/api/alerts/receivers')
        .set('Authorization', mockCredentials.user.header(CAROL));
      expect(list.body.alertmanager).toMatchObject({
        version: 4,
        written: true,
      });
    } finally {
      await one.stop();
      await two.stop();
    }
  });
});
