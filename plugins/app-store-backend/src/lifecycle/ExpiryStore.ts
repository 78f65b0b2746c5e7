/**
 * The conditional writes expiry needs on app_store_instances, each one UPDATE whose WHERE decides
 * which replica wins (the InstanceStore reads and writes rows; these claim them).
 */
import type { Knex } from 'knex';
import { liveKeyOf } from '../instances/InstanceStore';

const TABLE = 'app_store_instances';

/** An instance named by its placement. */
export interface InstanceKey {
  cluster: string;
  namespace: string;
  name: string;
}

/** A live test instance the expiry task looks at. */
export interface ExpiringInstance extends InstanceKey {
  owner: string;
  chart: string;
  phase: string;
  expiresAt: Date;
  notifiedAt?: Date;
}

/** How long a claimed uninstall ('deleting') may stay claimed before another run may retry it. */
export const STALE_CLAIM_MS = 15 * 60_000;

const toDate = (v: Date | string | number | null): Date | undefined =>
  v === null || v === undefined ? undefined : new Date(v);

/** Why an extension could not be made. */
export type ExtendRefusal = 'gone' | 'production' | 'deleting';

export class ExpiryStore {
  constructor(private readonly knex: Knex) {}

  private liveTest() {
    return this.knex(TABLE)
      .whereNotNull('live_key')
      .where('environment', 'test')
      .whereNotNull('expires_at');
  }

  /** Live test instances that expire at or before `before`, oldest expiry first. */
  async expiringBefore(before: Date, limit = 500): Promise<ExpiringInstance[]> {
    const rows = await this.liveTest()
      .where('expires_at', '<=', before)
      .orderBy([
        { column: 'expires_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(limit)
      .select(
        'cluster',
        'namespace',
        'name',
        'owner',
        'chart',
        'phase',
        'expires_at',
        'notified_at',
      );
    return rows.map(row => ({
      cluster: row.cluster,
      namespace: row.namespace,
      name: row.name,
      owner: row.owner,
      chart: row.chart,
      phase: row.phase,
      expiresAt: toDate(row.expires_at)!,
      notifiedAt: toDate(row.notified_at),
    }));
  }

  /**
   * Claims the expiry warning of an instance: true for the one caller (of any replica) whose
   * UPDATE set `notified_at`; false when it was already sent or the instance is gone.
   */
  async claimNotice(key: InstanceKey, now: Date): Promise<boolean> {
    const n = await this.liveTest()
      .where('live_key', liveKeyOf(key))
      .whereNull('notified_at')
      .update({ notified_at: now });
    return n === 1;
  }

  /** Gives a claimed notice back (the send failed), so a later run sends it. */
  async releaseNotice(key: InstanceKey, claimedAt: Date): Promise<void> {
    await this.liveTest()
      .where('live_key', liveKeyOf(key))
      .where('notified_at', claimedAt)
      .update({ notified_at: null });
  }

  /**
   * Claims the uninstall of an expired instance (phase 'deleting'): true for the one caller whose
   * UPDATE won; a claim older than STALE_CLAIM_MS (a replica that died mid-uninstall) may be
   * taken again.
   */
  async claimExpiry(key: InstanceKey, now: Date): Promise<boolean> {
    const n = await this.liveTest()
      .where('live_key', liveKeyOf(key))
      .where('expires_at', '<=', now)
      .whereNotNull('notified_at')
      .where(q =>
        q
          .whereNot('phase', 'deleting')
          .orWhere(
            'updated_at',
            '<=',
            new Date(now.getTime() - STALE_CLAIM_MS),
          ),
      )
      .update({ phase: 'deleting', updated_at: now });
    return n === 1;
  }

  /** Gives a claimed uninstall back (Helm failed), with the phase it had. */
  async releaseExpiry(
    key: InstanceKey,
    phase: string,
    now: Date,
  ): Promise<void> {
    await this.knex(TABLE)
      .where('live_key', liveKeyOf(key))
      .where('phase', 'deleting')
      .update({ phase, updated_at: now });
  }

  /**
   * Moves a live test instance's expiry to `expiresAt` and clears its warning (a new one is sent
   * before the new time). Returns the refusal when there is nothing to extend.
   */
  async extend(
    key: InstanceKey,
    expiresAt: Date,
    now: Date,
  ): Promise<ExtendRefusal | undefined> {
    const n = await this.knex(TABLE)
      .where('live_key', liveKeyOf(key))
      .where('environment', 'test')
      .whereNot('phase', 'deleting')
      .update({ expires_at: expiresAt, notified_at: null, updated_at: now });
    if (n === 1) return undefined;
    const row = await this.knex(TABLE)
      .where('live_key', liveKeyOf(key))
      .first('environment', 'phase');
    if (!row) return 'gone';
    return row.environment !== 'test' ? 'production' : 'deleting';
  }
}
