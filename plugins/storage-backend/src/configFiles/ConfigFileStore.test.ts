import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  ConfigFileStore,
  NewVersion,
  StaleVersionError,
} from './ConfigFileStore';

jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const version = (text: string): NewVersion => ({
  createdBy: 'user:default/alice',
  message: `saved ${text}`,
  checksum: text.padEnd(64, '0').slice(0, 64),
  fileInfos: [
    { name: 'a.txt', format: 'text', bytes: text.length, checksum: 'c' },
  ],
  filesText: JSON.stringify({ 'a.txt': text }),
});

describe.each(databases.eachSupportedId())(
  'ConfigFileStore on %s',
  databaseId => {
    let store: ConfigFileStore;

    beforeAll(async () => {
      const knex = await databases.init(databaseId as TestDatabaseId);
      await knex.migrate.latest({
        directory: resolvePackagePath(
          '@internal/plugin-storage-backend',
          'migrations',
        ),
      });
      store = new ConfigFileStore(knex);
    });

    it('pages through 500 versions without their text, newest first', async () => {
      const set = (await store.createSet('svc', 'big', false, version('v1')))!;
      for (let v = 1; v < 500; v++) {
        await store.addVersion(set, v, version(`v${v + 1}`));
      }
      const first = await store.listVersions(set.id, { limit: 100 });
      expect(first.total).toBe(500);
      expect(first.items).toHaveLength(100);
      expect(first.items[0]).toMatchObject({
        version: 500,
        message: 'saved v500',
      });
      expect(first.items[0]).not.toHaveProperty('filesText');
      const last = await store.listVersions(set.id, { before: 51, limit: 100 });
      expect(last.items.map(i => i.version)).toEqual(
        Array.from({ length: 50 }, (_, i) => 50 - i),
      );
      expect((await store.getVersion(set.id, 250))?.filesText).toBe(
        JSON.stringify({ 'a.txt': 'v250' }),
      );
    });

    it('lists 200 sets with their current version in one query, without any text', async () => {
      for (let i = 0; i < 200; i++) {
        await store.createSet(
          'many',
          `set-${String(i).padStart(3, '0')}`,
          false,
          version(`t${i}`),
        );
      }
      const sets = await store.listSets('many');
      expect(sets).toHaveLength(200);
      expect(sets[199]).toMatchObject({
        set: { name: 'set-199', currentVersion: 1 },
        current: { version: 1, message: 'saved t199' },
      });
      expect(JSON.stringify(sets)).not.toContain('"a.txt":');
    });

    it('lets one of two saves on the same base win, the other gets the current version', async () => {
      const set = (await store.createSet('svc', 'race', false, version('1')))!;
      const results = await Promise.allSettled([
        store.addVersion(set, 1, version('a')),
        store.addVersion(set, 1, version('b')),
      ]);
      expect(results.map(r => r.status).sort()).toEqual([
        'fulfilled',
        'rejected',
      ]);
      const lost = results.find(
        r => r.status === 'rejected',
      ) as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(StaleVersionError);
      expect(lost.reason.currentVersion).toBe(2);
      expect((await store.getSet('svc', 'race'))?.currentVersion).toBe(2);
    });

    it('creates a name once, drops an unpublished version, and deletes a set with its versions', async () => {
      expect(
        await store.createSet('svc', 'once', false, version('1')),
      ).toBeDefined();
      expect(
        await store.createSet('svc', 'once', true, version('2')),
      ).toBeUndefined();
      const set = (await store.getSet('svc', 'once'))!;
      await store.addVersion(set, 1, version('2'));
      expect(await store.dropVersion(set, 2)).toBe(true);
      expect((await store.getSet('svc', 'once'))?.currentVersion).toBe(1);
      expect(await store.getVersion(set.id, 2)).toBeUndefined();
      await store.deleteSet(set.id);
      expect(await store.getSet('svc', 'once')).toBeUndefined();
      expect((await store.listSets('svc')).map(s => s.set.name)).toEqual([
        'big',
        'race',
      ]);
    });
  },
);
