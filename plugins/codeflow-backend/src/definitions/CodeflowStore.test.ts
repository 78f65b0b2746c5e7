import path from 'node:path';
import { TestDatabaseId } from '@backstage/backend-test-utils';
import type { CodeflowDefinition } from '@internal/plugin-container-cloud-common';
import type { Knex } from 'knex';
import { codeflowTestDatabases } from '../__testUtils__/startCodeflowBackend';
import { CodeflowConflictError, CodeflowStore } from './CodeflowStore';

jest.setTimeout(60_000);

const databases = codeflowTestDatabases();

const SERVICE = 'component:default/payments-api';
const definition: CodeflowDefinition = {
  name: 'build',
  repositoryUrl: 'https://git.example.com/payments/api.git',
  credentials: null,
  ref: { kind: 'branch', pattern: 'main' },
  buildImage: 'node-22',
  buildScript: [['npm', 'ci']],
  artifactPath: 'dist',
  deployPath: '/app',
  startCommand: ['node', 'dist/server.js'],
  port: 8080,
  env: [],
  targets: [],
  triggers: { manual: true, webhook: { enabled: false, rules: [] } },
};

describe('CodeflowStore', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let knex: Knex;
    let store: CodeflowStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId as TestDatabaseId);
      await knex.migrate.latest({
        directory: path.resolve(__dirname, '../../migrations'),
      });
      store = new CodeflowStore(knex);
    });

    it('creates, finds by id and by service, edits from the current version only', async () => {
      const created = await store.create(
        SERVICE,
        definition,
        'user:default/alice',
      );
      expect(created).toMatchObject({
        id: expect.stringMatching(/^cf-[0-9a-f]{24}$/),
        service: SERVICE,
        definition,
        version: 1,
        createdBy: 'user:default/alice',
        updatedBy: 'user:default/alice',
      });
      expect(await store.get(created.id)).toEqual(created);
      expect(await store.list(SERVICE)).toEqual([created]);
      expect(await store.list('component:default/orders-api')).toEqual([]);
      await expect(
        store.getOf('component:default/orders-api', created.id),
      ).rejects.toThrow('component:default/orders-api has no codeflow');

      const edited = await store.update(
        SERVICE,
        created.id,
        { ...definition, port: 9090 },
        1,
        'user:default/carol',
      );
      expect(edited).toMatchObject({
        version: 2,
        updatedBy: 'user:default/carol',
      });
      expect(edited.definition.port).toBe(9090);

      const stale = store.update(
        SERVICE,
        created.id,
        { ...definition, port: 1 },
        1,
        'user:default/alice',
      );
      await expect(stale).rejects.toBeInstanceOf(CodeflowConflictError);
      await expect(stale).rejects.toMatchObject({
        current: expect.objectContaining({ version: 2, port: 9090 }),
      });
      expect((await store.get(created.id))!.definition.port).toBe(9090);
    });

    it('lets one of two creates of a name win; the other is a conflict with the winner', async () => {
      const results = await Promise.allSettled([
        store.create(
          SERVICE,
          { ...definition, name: 'twice' },
          'user:default/alice',
        ),
        store.create(
          SERVICE,
          { ...definition, name: 'twice' },
          'user:default/carol',
        ),
      ]);
      expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find(
        r => r.status === 'rejected',
      ) as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(CodeflowConflictError);
      expect(lost.reason.current.name).toBe('twice');
    });

    it('deletes (a stale version deletes nothing), frees the name, keeps the row for history', async () => {
      const created = await store.create(
        SERVICE,
        { ...definition, name: 'gone' },
        'user:default/alice',
      );
      await expect(
        store.delete(SERVICE, created.id, 7, 'user:default/alice'),
      ).rejects.toBeInstanceOf(CodeflowConflictError);
      await store.delete(SERVICE, created.id, 1, 'user:default/alice');
      expect(await store.get(created.id)).toBeUndefined();
      expect(
        await store.get(created.id, { includeDeleted: true }),
      ).toMatchObject({
        deletedAt: expect.any(String),
      });
      const again = await store.create(
        SERVICE,
        { ...definition, name: 'gone' },
        'user:default/alice',
      );
      expect(again.id).not.toBe(created.id);
      await expect(
        store.delete(SERVICE, created.id, undefined, 'user:default/alice'),
      ).rejects.toThrow(/has no codeflow/);
    });
  });
});
