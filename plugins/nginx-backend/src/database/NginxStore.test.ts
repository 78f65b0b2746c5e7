import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { shopDomain } from '../__testUtils__/domains';
import { NginxStore } from './NginxStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

describe('NginxStore', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it.each(databases.eachSupportedId())(
    'keeps domains and versions on %s',
    async databaseId => {
      const knex = await databases.init(databaseId as TestDatabaseId);
      const store = await NginxStore.create(mockServices.database({ knex }));

      await store.saveDomain(shopDomain(), 'user:default/carol');
      await store.saveDomain(
        shopDomain({ serverNames: ['shop2.example.com'] }),
        'user:default/carol',
      );
      expect(await store.listDomains('edge')).toEqual([
        shopDomain({ serverNames: ['shop2.example.com'] }),
      ]);

      const text = 'upstream x {\n    server 127.0.0.1:1;\n}\n';
      const first = await store.addVersion({
        cluster: 'edge',
        createdBy: 'user:default/carol',
        message: 'first',
        files: { 'shop.conf': text },
        domains: [shopDomain()],
      });
      await store.setDelivery(first, [
        { node: 'edge', ok: true, message: 'ok' },
      ]);
      const second = await store.addVersion({
        cluster: 'edge',
        createdBy: 'user:default/carol',
        message: 'rollback',
        files: { 'shop.conf': text },
        domains: [shopDomain()],
        rollbackOf: first,
      });
      expect(second).toBeGreaterThan(first);
      expect(await store.latestVersionId('edge')).toBe(second);
      expect(await store.latestVersionId('other')).toBeUndefined();

      const versions = await store.listVersions('edge');
      expect(versions.map(v => [v.id, v.message, v.rollbackOf])).toEqual([
        [second, 'rollback', first],
        [first, 'first', undefined],
      ]);
      expect(versions[1].delivery).toEqual([
        { node: 'edge', ok: true, message: 'ok' },
      ]);
      expect(new Date(versions[0].createdAt).getTime()).toBeGreaterThan(0);
      expect((await store.getVersion(first))?.files['shop.conf']).toBe(text);
      expect(await store.getVersion(9999)).toBeUndefined();

      await store.replaceDomains(
        'edge',
        [shopDomain({ name: 'other' })],
        'user:default/carol',
      );
      expect((await store.listDomains('edge')).map(d => d.name)).toEqual([
        'other',
      ]);

      // the migration goes down as well as up
      await knex.migrate.rollback(
        { directory: `${__dirname}/../../migrations` },
        true,
      );
      expect(await knex.schema.hasTable('nginx_versions')).toBe(false);
      await knex.destroy();
    },
  );
});
