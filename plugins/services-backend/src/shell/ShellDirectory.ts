import type {
  DatabaseService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import { lockedTransaction } from '../lib/lockedTransaction';
import {
  perUserShellRefusal,
  ShellLimits,
  ShellSlots,
  totalShellRefusal,
} from './ShellSessions';

const TABLE = 'shell_sessions';

/** A row not renewed for this long belongs to a replica that stopped. */
export const SHELL_HEARTBEAT_MS = 15_000;
const STALE_MS = 3 * SHELL_HEARTBEAT_MS;

/** An open shell as the directory knows it. */
export interface ShellLocation {
  id: string;
  user: string;
  entityRef: string;
  /** the base URL of the replica that holds it */
  replicaUrl: string;
}

/**
 * Which backend replica holds each open shell, in the plugin's database. A shell's apiserver
 * connection lives in the process that opened it; with several replicas behind a load balancer,
 * its keystrokes and output requests may reach any of them, which look it up here and forward.
 * Every replica renews its own rows; rows of a replica that stopped go stale and are ignored.
 * The open shells of every replica are also what the per-user and total limits count: a new
 * shell's slot is counted and recorded in one transaction, under a lock (lockedTransaction), so
 * two replicas cannot both take the last one.
 */
export class ShellDirectory implements ShellSlots {
  /** Reads the table the plugin's migrations made (run them first). */
  static async create(
    database: DatabaseService,
    replicaUrl: string,
  ): Promise<ShellDirectory> {
    return new ShellDirectory(await database.getClient(), replicaUrl);
  }

  /** slots being freed: one freed here is free before this replica counts again */
  private readonly ending = new Set<Promise<void>>();

  constructor(
    private readonly knex: Knex,
    /** this replica's own base URL, as the others reach it */
    readonly replicaUrl: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Records a new shell of this replica if the user and the portal are under their limits,
   * counting the open shells of every running replica; else answers why not (nothing recorded).
   */
  async take(
    shell: Omit<ShellLocation, 'replicaUrl'>,
    limits: Pick<ShellLimits, 'maxPerUser' | 'maxTotal'>,
  ): Promise<string | undefined> {
    await Promise.all(this.ending);
    const lock = { name: TABLE, table: TABLE };
    return lockedTransaction(this.knex, lock, async tx => {
      const open: Array<{ user_ref: string; replica_url: string }> = await tx(
        TABLE,
      )
        .where('heartbeat_at', '>=', this.staleBefore())
        .whereNull('ended_at')
        .select('user_ref', 'replica_url');
      const mine = open.filter(row => row.user_ref === shell.user).length;
      if (mine >= limits.maxPerUser) return perUserShellRefusal(mine);
      if (open.length >= limits.maxTotal) {
        const elsewhere = open.some(row => row.replica_url !== this.replicaUrl);
        return totalShellRefusal(open.length, elsewhere);
      }
      const now = this.now();
      await tx(TABLE).insert({
        id: shell.id,
        user_ref: shell.user,
        entity_ref: shell.entityRef,
        replica_url: this.replicaUrl,
        opened_at: now,
        heartbeat_at: now,
      });
      return undefined;
    });
  }

  /**
   * A shell ended: it no longer counts towards the limits. Its row stays while this replica holds
   * the shell, so a page reading its end through another replica is still passed here.
   */
  end(id: string): Promise<void> {
    const ended = this.knex(TABLE)
      .where({ id })
      .update({ ended_at: this.now() })
      .then(() => {});
    const settled: Promise<void> = ended
      .catch(() => {})
      .finally(() => this.ending.delete(settled));
    this.ending.add(settled);
    return ended;
  }

  /**
   * Renews this replica's rows of the shells it still holds and forgets the others it wrote
   * (ended, or lost in a restart at the same address).
   */
  async renew(held: string[]): Promise<void> {
    const now = this.now();
    const mine = this.knex(TABLE).where({ replica_url: this.replicaUrl });
    if (held.length > 0) {
      await mine.clone().whereIn('id', held).update({ heartbeat_at: now });
    }
    // a shell registered while `held` was being read is not in it, and stays
    const gone = mine.clone().andWhere('opened_at', '<', now);
    await (held.length > 0 ? gone.whereNotIn('id', held) : gone).delete();
  }

  /** The replica holding a shell, if one that is still running does. */
  async locate(id: string): Promise<ShellLocation | undefined> {
    const row = await this.knex(TABLE)
      .where({ id })
      .andWhere('heartbeat_at', '>=', this.staleBefore())
      .first();
    return row
      ? {
          id: row.id,
          user: row.user_ref,
          entityRef: row.entity_ref,
          replicaUrl: row.replica_url,
        }
      : undefined;
  }

  /** Shells the other running replicas hold open: all of them, and one user's. */
  async countElsewhere(user: string): Promise<{ total: number; mine: number }> {
    const rows: Array<{ user_ref: string }> = await this.knex(TABLE)
      .whereNot({ replica_url: this.replicaUrl })
      .andWhere('heartbeat_at', '>=', this.staleBefore())
      .whereNull('ended_at')
      .select('user_ref');
    return {
      total: rows.length,
      mine: rows.filter(r => r.user_ref === user).length,
    };
  }

  /** Forgets a shell (its replica found gone). */
  async forget(id: string): Promise<void> {
    await this.knex(TABLE).where({ id }).delete();
  }

  private staleBefore(): Date {
    return new Date(this.now().getTime() - STALE_MS);
  }
}

/**
 * This replica's own base URL as the other replicas reach it:
 * `containerCloud.services.shell.replicaUrl` (in Kubernetes, e.g. `http://${POD_IP}:7007`), else
 * loopback on the port the backend listens on, which serves replicas on one machine.
 */
export function readReplicaUrl(config: RootConfigService): string {
  const configured = config.getOptionalString(
    'containerCloud.services.shell.replicaUrl',
  );
  if (configured) return configured.replace(/\/+$/, '');
  const listen = config.getOptional<string | { port?: number | string }>(
    'backend.listen',
  );
  const port =
    typeof listen === 'string'
      ? listen.split(':').pop()
      : listen?.port ?? undefined;
  return `http://127.0.0.1:${Number(port) || 7007}`;
}

/**
 * Renews this replica's rows every SHELL_HEARTBEAT_MS; the returned function stops that and
 * forgets every shell this replica held (at shutdown, when its shells close).
 */
export function keepShellDirectory(
  directory: ShellDirectory,
  heldShells: () => string[],
  logger: LoggerService,
): () => Promise<void> {
  const renew = () =>
    directory
      .renew(heldShells())
      .catch(error =>
        logger.warn(`could not renew the shell directory: ${error}`),
      );
  const timer = setInterval(renew, SHELL_HEARTBEAT_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await directory.renew([]).catch(() => {});
  };
}
