import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ReceiverService } from './ReceiverService';
import { ReceiverStore } from './ReceiverStore';
import type { AlertmanagerSettings } from './settings';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

function settings(configFile: string): AlertmanagerSettings {
  return {
    // nothing listens there: reloads fail and what Alertmanager runs is unknown
    url: 'http://127.0.0.1:1',
    configFile,
    amtool: '/usr/bin/amtool',
    route: {
      groupBy: ['alertname'],
      groupWait: '30s',
      groupInterval: '5m',
      repeatInterval: '4h',
    },
    smtp: {},
    syncIntervalSeconds: 60,
    pollIntervalSeconds: 15,
    timeoutMs: 2000,
  };
}

describe('ReceiverService delivery', () => {
  it('leaves a deployment’s file alone until a receiver is saved, then keeps the file on the database’s version', async () => {
    const knex = await databases.init('SQLITE_3');
    await knex.migrate.latest({
      directory: resolvePackagePath(
        '@internal/plugin-alerts-backend',
        'migrations',
      ),
    });
    const file = join(mkdtempSync(join(tmpdir(), 'receivers-')), 'am.yml');
    writeFileSync(
      file,
      'route:\n  receiver: theirs\nreceivers:\n  - name: theirs\n',
    );
    const service = new ReceiverService(
      new ReceiverStore(knex),
      settings(file),
      mockServices.logger.mock(),
    );

    // a scheduled sync with nothing saved here: the file stays
    const untouched = await service.deliver({ force: false });
    expect(readFileSync(file, 'utf8')).toContain('theirs');
    expect(untouched).toMatchObject({ version: 0, written: false });

    const created = await service.create(
      {
        name: 'oncall',
        kind: 'webhook',
        webhook: { url: 'https://hooks.example.com/x' },
      },
      'user:default/carol',
    );
    expect(created.alertmanager).toMatchObject({
      version: 1,
      written: true,
      loaded: 'unknown',
    });
    expect(created.alertmanager.message).toContain('did not answer');
    expect(readFileSync(file, 'utf8')).toContain(
      'cc_receivers=~".*,oncall,.*"',
    );

    // someone edits the file by hand: the next sync writes the database's version back
    writeFileSync(
      file,
      'route:\n  receiver: theirs\nreceivers:\n  - name: theirs\n',
    );
    expect((await service.status()).written).toBe(false);
    const synced = await service.deliver({ force: false });
    expect(synced.written).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('oncall');
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });
});
