import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { readReplicaUrl, ShellDirectory } from './ShellDirectory';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

async function directories(databaseId: TestDatabaseId) {
  const knex = await databases.init(databaseId);
  await knex.migrate.latest({
    directory: resolvePackagePath(
      '@internal/plugin-services-backend',
      'migrations',
    ),
  });
  let now = new Date('2026-11-30T10:00:00Z');
  const clock = {
    now: () => now,
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
    },
  };
  return {
    clock,
    a: new ShellDirectory(knex, 'http://10.0.0.1:7007', clock.now),
    b: new ShellDirectory(knex, 'http://10.0.0.2:7007', clock.now),
  };
}

describe('ShellDirectory', () => {
  it.each(databases.eachSupportedId())(
    'says which replica holds a shell, counts the others, and forgets a replica that stopped renewing (%p)',
    async databaseId => {
      const { clock, a, b } = await directories(databaseId);
      const shell = {
        user: 'user:default/alice',
        entityRef: 'component:default/x',
      };
      await a.register({ id: 'a1', ...shell });
      await a.register({ id: 'a2', ...shell, user: 'user:default/bob' });
      await b.register({ id: 'b1', ...shell });

      expect(await b.locate('a1')).toEqual({
        id: 'a1',
        ...shell,
        replicaUrl: 'http://10.0.0.1:7007',
      });
      expect(await b.countElsewhere('user:default/alice')).toEqual({
        total: 2,
        mine: 1,
      });
      expect(await a.countElsewhere('user:default/alice')).toEqual({
        total: 1,
        mine: 1,
      });

      // A renews what it still holds and drops a2, which it no longer does
      clock.advance(10_000);
      await a.renew(['a1']);
      expect(await b.locate('a2')).toBeUndefined();
      expect(await b.locate('a1')).toBeDefined();

      // B stops renewing (a crash): after three missed beats its shell is no one's
      clock.advance(40_000);
      await a.renew(['a1']);
      expect(await a.locate('b1')).toBeUndefined();
      expect(await a.countElsewhere('user:default/alice')).toEqual({
        total: 0,
        mine: 0,
      });
      expect(await b.locate('a1')).toBeDefined();

      await b.forget('a1');
      expect(await a.locate('a1')).toBeUndefined();
    },
  );

  it.each(databases.eachSupportedId())(
    'keeps a shell registered while its replica was reading what it holds (%p)',
    async databaseId => {
      const { clock, a } = await directories(databaseId);
      const held: string[] = []; // read before the shell below was opened
      clock.advance(1);
      await a.register({ id: 'new', user: 'u', entityRef: 'e' });
      clock.advance(-1);
      await a.renew(held);
      expect(await a.locate('new')).toBeDefined();
    },
  );
});

describe('readReplicaUrl', () => {
  it('takes the configured URL, else loopback on the port the backend listens on', () => {
    const url = (data: object) =>
      readReplicaUrl(mockServices.rootConfig({ data }));
    expect(
      url({
        containerCloud: {
          services: { shell: { replicaUrl: 'http://10.1.2.3:7007/' } },
        },
      }),
    ).toBe('http://10.1.2.3:7007');
    expect(url({ backend: { listen: { port: 7051 } } })).toBe(
      'http://127.0.0.1:7051',
    );
    expect(url({ backend: { listen: ':7060' } })).toBe('http://127.0.0.1:7060');
    expect(url({})).toBe('http://127.0.0.1:7007');
  });
});
