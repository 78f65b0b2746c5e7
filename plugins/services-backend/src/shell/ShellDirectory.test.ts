import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { readReplicaUrl, ShellDirectory } from './ShellDirectory';

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const UNLIMITED = { maxPerUser: 100, maxTotal: 100 };

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
      expect(await a.take({ id: 'a1', ...shell }, UNLIMITED)).toBeUndefined();
      await a.take({ id: 'a2', ...shell, user: 'user:default/bob' }, UNLIMITED);
      await b.take({ id: 'b1', ...shell }, UNLIMITED);

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
      await a.take({ id: 'new', user: 'u', entityRef: 'e' }, UNLIMITED);
      clock.advance(-1);
      await a.renew(held);
      expect(await a.locate('new')).toBeDefined();
    },
  );
});

describe('ShellDirectory as the shell limits of every replica', () => {
  const limits = { maxPerUser: 2, maxTotal: 3 };
  const shell = (id: string, user = 'user:default/alice') => ({
    id,
    user,
    entityRef: 'component:default/x',
  });

  it.each(databases.eachSupportedId())(
    'takes a slot only under both limits, frees it when the shell ends (still locatable), and forgets one that never opened (%p)',
    async databaseId => {
      const { clock, a, b } = await directories(databaseId);
      expect(await a.take(shell('a1'), limits)).toBeUndefined();
      expect(await b.take(shell('b1'), limits)).toBeUndefined();
      expect(await a.take(shell('a2'), limits)).toContain(
        'you already have 2 shells open',
      );
      expect(await b.take(shell('b2', 'user:default/bob'), limits)).toBe(
        undefined,
      );
      expect(await a.take(shell('a3', 'user:default/carol'), limits)).toBe(
        '3 shells are open in this backend and its other replicas, the most it allows (containerCloud.services.shell.maxSessions); try again later',
      );
      expect(await a.locate('a2')).toBeUndefined();

      // a1 ends: its slot is free on B, and a page may still read its end through B
      await a.end('a1');
      expect(await a.locate('a1')).toBeDefined();
      expect(await b.take(shell('b3'), limits)).toBeUndefined();
      // b3's connection failed: forgotten, its slot free again
      await b.forget('b3');
      expect(await a.take(shell('a4'), limits)).toBeUndefined();

      // B stops renewing: its shells stop counting
      clock.advance(50_000);
      await a.renew(['a4']);
      expect(await a.take(shell('a5'), limits)).toBeUndefined();
      expect(await a.take(shell('a6'), limits)).toContain(
        'you already have 2 shells open',
      );
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
