import type { Knex } from 'knex';

/**
 * Runs `work` in a transaction that no other one holding the same `lock` runs beside, whichever
 * replica or client opened it, so that a count and the write it allows cannot interleave with
 * another's. On PostgreSQL: a transaction-scoped advisory lock on the name. On SQLite: the
 * database's write lock, taken before anything is read (a no-op delete from `table`), so a second
 * writer waits for the first instead of reading the same count, or failing to upgrade its read.
 */
export async function lockedTransaction<T>(
  knex: Knex,
  lock: { name: string; table: string },
  work: (tx: Knex.Transaction) => Promise<T>,
): Promise<T> {
  return knex.transaction(async tx => {
    const client = String(tx.client.config.client);
    if (client === 'pg' || client === 'postgres' || client === 'postgresql') {
      await tx.raw('select pg_advisory_xact_lock(hashtext(?))', [lock.name]);
    } else if (client.includes('sqlite')) {
      await tx(lock.table).whereRaw('0 = 1').delete();
    }
    return work(tx);
  });
}
