import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { FollowDirectory } from './FollowDirectory';
import type { FollowGrant } from './FollowLimiter';

// Two backend replicas on one database, each with its own FollowDirectory: the limits count the
// follows of both, and a replica that stops renewing stops counting.
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';

async function replicas(databaseId: TestDatabaseId) {
  const knex = await databases.init(databaseId);
  await knex.migrate.latest({
    directory: resolvePackagePath(
      '@internal/plugin-services-backend',
      'migrations',
    ),
  });
  let now = new Date('2026-12-06T10:00:00Z');
  const clock = {
    now: () => now,
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
    },
  };
  const limits = { maxPerUser: 2, maxTotal: 3 };
  return {
    clock,
    a: new FollowDirectory(knex, limits, 'replica-a', clock.now),
    b: new FollowDirectory(knex, limits, 'replica-b', clock.now),
  };
}

function released(grant: FollowGrant) {
  if (!('release' in grant)) throw new Error(`refused: ${grant.refusal}`);
  return grant.release;
}

describe('FollowDirectory', () => {
  it.each(databases.eachSupportedId())(
    'holds the per-user and total limits across replicas, frees released slots, and forgets a replica that stopped (%p)',
    async databaseId => {
      const { clock, a, b } = await replicas(databaseId);
      const a1 = released(await a.acquire(ALICE));
      released(await b.acquire(ALICE));
      // alice's two follows are on two replicas: a third is refused on either
      expect(await a.acquire(ALICE)).toEqual({
        refusal: expect.stringContaining('you already follow 2 logs'),
      });
      expect(await b.acquire(ALICE)).toEqual({
        refusal: expect.stringContaining('maxFollowsPerUser'),
      });
      // bob takes the portal's last slot
      released(await b.acquire(BOB));
      expect(await a.acquire(BOB)).toEqual({
        refusal: expect.stringContaining(
          'the portal follows as many logs as it may (3)',
        ),
      });
      expect(await a.count()).toBe(3);
      expect(await b.count(ALICE)).toBe(2);

      // a released slot is free on the other replica, and released once
      await a1();
      await a1();
      expect(await b.count(ALICE)).toBe(1);
      const again = released(await b.acquire(ALICE));
      expect(await a.count()).toBe(3);
      await again();

      // B stops renewing (a crash): after three missed beats its follows stop counting
      clock.advance(20_000);
      await a.renew();
      await b.renew();
      clock.advance(30_000);
      await a.renew();
      expect(await a.count()).toBe(2);
      clock.advance(20_000);
      await a.renew();
      expect(await a.count()).toBe(0);
      released(await a.acquire(ALICE));
      released(await a.acquire(ALICE));
      expect(await a.count(ALICE)).toBe(2);

      // A shuts down: its follows end, and are forgotten
      await a.forgetAll();
      expect(await b.count()).toBe(0);
    },
  );

  it.each(databases.eachSupportedId())(
    'gives the last slot to one of two replicas asking at once (%p)',
    async databaseId => {
      const { a, b } = await replicas(databaseId);
      const grants = await Promise.all([
        a.acquire(ALICE),
        b.acquire(ALICE),
        a.acquire(ALICE),
        b.acquire(ALICE),
      ]);
      expect(grants.filter(g => 'release' in g)).toHaveLength(2);
      expect(await a.count(ALICE)).toBe(2);
    },
  );
});
