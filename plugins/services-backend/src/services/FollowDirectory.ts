import { randomUUID } from 'node:crypto';
import type {
  DatabaseService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { FollowGrant, FollowSlots, perUserRefusal } from './FollowLimiter';
import { lockedTransaction } from '../lib/lockedTransaction';

const TABLE = 'log_follows';

/** A row not renewed for this long belongs to a replica that stopped. */
export const FOLLOW_HEARTBEAT_MS = 15_000;
const STALE_MS = 3 * FOLLOW_HEARTBEAT_MS;

/** The limits of live log follows, over every replica. */
export interface FollowLimits {
  /** follows one user may hold open at once */
  maxPerUser: number;
  /** follows the whole portal holds open at once */
  maxTotal: number;
}

export const DEFAULT_FOLLOW_LIMITS: FollowLimits = {
  maxPerUser: 5,
  maxTotal: 200,
};

/**
 * The live log follows of every backend replica, in the plugin's database, so that the per-user
 * and total limits hold whichever replica a follow reaches. A follow's stream lives in the
 * replica that opened it; that replica renews its rows while it runs, and the rows of a replica
 * that stopped go stale and stop counting. Taking a slot is counted and recorded in one
 * transaction, under a lock (lockedTransaction), so two replicas cannot both take the last.
 */
export class FollowDirectory implements FollowSlots {
  /** Reads the table the plugin's migrations made (run them first). */
  static async create(
    database: DatabaseService,
    limits: FollowLimits,
  ): Promise<FollowDirectory> {
    return new FollowDirectory(await database.getClient(), limits);
  }

  private readonly held = new Set<string>();
  /** releases still being written: a slot freed here is free before this replica counts again */
  private readonly releasing = new Set<Promise<void>>();

  constructor(
    private readonly knex: Knex,
    readonly limits: FollowLimits,
    /** this process's id in the table, new at every start */
    readonly replicaId: string = randomUUID(),
    private readonly now: () => Date = () => new Date(),
  ) {}

  async acquire(user: string): Promise<FollowGrant> {
    await Promise.all(this.releasing);
    const id = randomUUID();
    const lock = { name: TABLE, table: TABLE };
    const refusal = await lockedTransaction(this.knex, lock, async tx => {
      const live = () =>
        tx(TABLE).where('heartbeat_at', '>=', this.staleBefore());
      const [mine, total] = await Promise.all([
        count(live().where({ user_ref: user })),
        count(live()),
      ]);
      if (mine >= this.limits.maxPerUser) {
        return perUserRefusal(this.limits.maxPerUser);
      }
      if (total >= this.limits.maxTotal) {
        return `the portal follows as many logs as it may (${this.limits.maxTotal}); try again when others have closed theirs (containerCloud.services.logs.maxFollows)`;
      }
      const now = this.now();
      await tx(TABLE).insert({
        id,
        user_ref: user,
        replica_id: this.replicaId,
        opened_at: now,
        heartbeat_at: now,
      });
      return undefined;
    });
    if (refusal) return { refusal };
    this.held.add(id);
    let released: Promise<void> | undefined;
    return {
      release: () => {
        if (!released) {
          this.held.delete(id);
          released = this.knex(TABLE)
            .where({ id })
            .delete()
            // a row left behind is not renewed, and stops counting once stale
            .then(
              () => {},
              () => {},
            )
            .finally(() => this.releasing.delete(released!));
          this.releasing.add(released);
        }
        return released;
      },
    };
  }

  /** Follows open now, on every running replica: all of them, or one user's. */
  async count(user?: string): Promise<number> {
    const live = this.knex(TABLE).where(
      'heartbeat_at',
      '>=',
      this.staleBefore(),
    );
    return count(user ? live.where({ user_ref: user }) : live);
  }

  /**
   * Renews the rows of the follows this replica holds, forgets the others it wrote, and clears
   * the stale rows of replicas that stopped.
   */
  async renew(): Promise<void> {
    const now = this.now();
    const held = [...this.held];
    const mine = this.knex(TABLE).where({ replica_id: this.replicaId });
    if (held.length > 0) {
      await mine.clone().whereIn('id', held).update({ heartbeat_at: now });
    }
    // a follow taken while `held` was being read is not in it, and stays
    const gone = mine.clone().andWhere('opened_at', '<', now);
    await (held.length > 0 ? gone.whereNotIn('id', held) : gone).delete();
    await this.knex(TABLE)
      .where('heartbeat_at', '<', this.staleBefore())
      .delete();
  }

  /** Forgets every follow of this replica (it is shutting down, its streams end). */
  async forgetAll(): Promise<void> {
    this.held.clear();
    await this.knex(TABLE).where({ replica_id: this.replicaId }).delete();
  }

  private staleBefore(): Date {
    return new Date(this.now().getTime() - STALE_MS);
  }
}

async function count(query: Knex.QueryBuilder): Promise<number> {
  const [row] = await query.count({ n: '*' });
  return Number(row.n);
}

/**
 * Renews this replica's follows every FOLLOW_HEARTBEAT_MS; the returned function stops that
 * and forgets them (at shutdown).
 */
export function keepFollowDirectory(
  directory: FollowDirectory,
  logger: LoggerService,
): () => Promise<void> {
  const timer = setInterval(
    () =>
      directory
        .renew()
        .catch(error =>
          logger.warn(`could not renew the log follows: ${error}`),
        ),
    FOLLOW_HEARTBEAT_MS,
  );
  timer.unref();
  return async () => {
    clearInterval(timer);
    await directory.forgetAll().catch(() => {});
  };
}
