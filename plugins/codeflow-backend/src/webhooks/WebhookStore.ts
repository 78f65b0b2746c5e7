import type { Knex } from 'knex';
import type {
  WebhookDelivery,
  WebhookDeliveryOutcome,
  WebhookProvider,
} from '@internal/plugin-container-cloud-common';

const SECRETS = 'codeflow_webhook_secrets';
const DELIVERIES = 'codeflow_webhook_deliveries';
const RUN_REQUESTS = 'codeflow_run_requests';

/** A codeflow's sealed webhook secret, and who set it when. */
export interface StoredSecret {
  sealed: string;
  setBy: string;
  setAt: Date;
}

/** What an accepted delivery asks the run engine to run. */
export interface NewRunRequest {
  codeflowId: string;
  status: 'queued' | 'awaiting-approval';
  trigger: string;
  ref: string;
  refKind: 'branch' | 'tag';
  commitSha: string;
  commitMessage?: string;
  commitAuthor?: string;
  environment: string;
  /** who the run is for: the codeflow's owner, for a webhook */
  requestedBy: string;
  /** the git host's user who pushed */
  pushedBy?: string;
}

/** A delivery as it is recorded. */
export interface NewDelivery {
  codeflowId: string;
  provider: WebhookProvider;
  event?: string;
  deliveryId?: string;
  outcome: WebhookDeliveryOutcome;
  reason: string;
  status: number;
  ref?: string;
  refKind?: 'branch' | 'tag';
  commitSha?: string;
  environment?: string;
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' || // PostgreSQL
    e?.code === 'SQLITE_CONSTRAINT' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed|duplicate key/i.test(e?.message ?? '')
  );
}

const iso = (value: Date | string | number) => new Date(value).toISOString();

/** The deliveries each codeflow keeps; older ones are dropped as new ones arrive. */
export const DELIVERIES_KEPT = 500;

/**
 * The only place that knows the webhook tables: secrets (sealed), deliveries and the run
 * requests accepted deliveries record.
 */
export class WebhookStore {
  constructor(
    private readonly knex: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async getSecret(codeflowId: string): Promise<StoredSecret | undefined> {
    const row = await this.knex(SECRETS)
      .where('codeflow_id', codeflowId)
      .first();
    return row
      ? {
          sealed: row.sealed_secret,
          setBy: row.set_by,
          setAt: new Date(row.set_at),
        }
      : undefined;
  }

  /** Sets (or replaces) a codeflow's secret; whether one was replaced. */
  async putSecret(
    codeflowId: string,
    sealed: string,
    setBy: string,
  ): Promise<{ replaced: boolean; setAt: Date }> {
    const setAt = this.now();
    return this.knex.transaction(async tx => {
      const existing = await tx(SECRETS)
        .where('codeflow_id', codeflowId)
        .forUpdate()
        .first();
      await tx(SECRETS)
        .insert({
          codeflow_id: codeflowId,
          sealed_secret: sealed,
          set_by: setBy,
          set_at: setAt,
        })
        .onConflict('codeflow_id')
        .merge();
      return { replaced: Boolean(existing), setAt };
    });
  }

  /**
   * Records an authenticated delivery that builds: the run request and the delivery that asked
   * for it, in one transaction keyed by the delivery id. A delivery id already recorded (a
   * replay, or the same delivery reaching another replica at once) records no run: the
   * delivery is recorded as a duplicate instead.
   */
  async recordAccepted(
    delivery: NewDelivery & { dedupeKey?: string },
    request: NewRunRequest,
  ): Promise<
    | { outcome: 'accepted'; deliveryId: number; runRequestId: number }
    | { outcome: 'duplicate'; deliveryId: number }
  > {
    try {
      return await this.knex.transaction(async tx => {
        const [run] = await tx(RUN_REQUESTS)
          .insert({
            codeflow_id: request.codeflowId,
            status: request.status,
            trigger: request.trigger,
            ref: request.ref,
            ref_kind: request.refKind,
            commit_sha: request.commitSha,
            commit_message: request.commitMessage?.slice(0, 10_000) ?? null,
            commit_author: request.commitAuthor?.slice(0, 255) ?? null,
            environment: request.environment,
            requested_by: request.requestedBy,
            pushed_by: request.pushedBy?.slice(0, 255) ?? null,
            created_at: this.now(),
          })
          .returning('id');
        const runRequestId = typeof run === 'object' ? run.id : run;
        const deliveryId = await this.insertDelivery(
          tx,
          delivery,
          delivery.dedupeKey,
          runRequestId,
        );
        return { outcome: 'accepted' as const, deliveryId, runRequestId };
      });
    } catch (error) {
      if (!delivery.dedupeKey || !isUniqueViolation(error)) throw error;
      return this.recordDuplicate(delivery);
    }
  }

  /**
   * Records an authenticated delivery that builds nothing, keyed by its delivery id (a replay
   * of it is a duplicate too).
   */
  async recordIgnored(
    delivery: NewDelivery & { dedupeKey?: string },
  ): Promise<
    | { outcome: 'ignored'; deliveryId: number }
    | { outcome: 'duplicate'; deliveryId: number }
  > {
    try {
      const deliveryId = await this.insertDelivery(
        this.knex,
        delivery,
        delivery.dedupeKey,
      );
      return { outcome: 'ignored', deliveryId };
    } catch (error) {
      if (!delivery.dedupeKey || !isUniqueViolation(error)) throw error;
      return this.recordDuplicate(delivery);
    }
  }

  /** Records a refused delivery (no key: an unauthenticated sender reserves no delivery id). */
  async recordRefused(delivery: NewDelivery): Promise<number> {
    return this.insertDelivery(this.knex, delivery, undefined);
  }

  private async recordDuplicate(delivery: NewDelivery) {
    const deliveryId = await this.insertDelivery(
      this.knex,
      {
        ...delivery,
        outcome: 'duplicate',
        status: 200,
        reason: `delivery ${delivery.deliveryId} was received before: it runs once`,
        environment: undefined,
      },
      undefined,
    );
    return { outcome: 'duplicate' as const, deliveryId };
  }

  private async insertDelivery(
    db: Knex | Knex.Transaction,
    delivery: NewDelivery,
    dedupeKey: string | undefined,
    runRequestId?: number,
  ): Promise<number> {
    const [row] = await db(DELIVERIES)
      .insert({
        codeflow_id: delivery.codeflowId,
        provider: delivery.provider,
        event: delivery.event?.slice(0, 100) ?? null,
        delivery_id: delivery.deliveryId?.slice(0, 100) ?? null,
        dedupe_key: dedupeKey ?? null,
        outcome: delivery.outcome,
        reason: delivery.reason.slice(0, 2000),
        status: delivery.status,
        ref: delivery.ref?.slice(0, 255) ?? null,
        ref_kind: delivery.refKind ?? null,
        commit_sha: delivery.commitSha ?? null,
        environment: delivery.environment ?? null,
        run_request_id: runRequestId ?? null,
        received_at: this.now(),
      })
      .returning('id');
    const id = typeof row === 'object' ? row.id : row;
    await this.prune(db, delivery.codeflowId, id);
    return id;
  }

  /** Keeps the newest DELIVERIES_KEPT deliveries of a codeflow. */
  private async prune(
    db: Knex | Knex.Transaction,
    codeflowId: string,
    newest: number,
  ) {
    if (newest % 50 !== 0) return; // now and then is enough
    const cutoff = await db(DELIVERIES)
      .where('codeflow_id', codeflowId)
      .orderBy('id', 'desc')
      .offset(DELIVERIES_KEPT)
      .first('id');
    if (cutoff) {
      await db(DELIVERIES)
        .where('codeflow_id', codeflowId)
        .andWhere('id', '<=', cutoff.id)
        .delete();
    }
  }

  /** A codeflow's newest deliveries, with the run request each recorded. */
  async listDeliveries(
    codeflowId: string,
    limit: number,
  ): Promise<WebhookDelivery[]> {
    const rows = await this.knex(`${DELIVERIES} as d`)
      .leftJoin(`${RUN_REQUESTS} as r`, 'r.id', 'd.run_request_id')
      .where('d.codeflow_id', codeflowId)
      .orderBy('d.id', 'desc')
      .limit(limit)
      .select('d.*', 'r.status as run_request_status');
    return rows.map(row => ({
      id: Number(row.id),
      codeflowId: row.codeflow_id,
      provider: row.provider,
      event: row.event ?? null,
      deliveryId: row.delivery_id ?? null,
      outcome: row.outcome,
      reason: row.reason,
      status: Number(row.status),
      receivedAt: iso(row.received_at),
      ref: row.ref ?? null,
      refKind: row.ref_kind ?? null,
      commitSha: row.commit_sha ?? null,
      environment: row.environment ?? null,
      runRequestId:
        row.run_request_id === null || row.run_request_id === undefined
          ? null
          : Number(row.run_request_id),
      runRequestStatus: row.run_request_status ?? null,
    }));
  }

  /** The run requests of a codeflow, newest first (what the run engine will take). */
  async listRunRequests(codeflowId: string) {
    const rows = await this.knex(RUN_REQUESTS)
      .where('codeflow_id', codeflowId)
      .orderBy('id', 'desc');
    return rows.map(row => ({
      id: Number(row.id),
      codeflowId: row.codeflow_id as string,
      status: row.status as string,
      trigger: row.trigger as string,
      ref: row.ref as string,
      refKind: row.ref_kind as 'branch' | 'tag',
      commitSha: row.commit_sha as string,
      commitMessage: (row.commit_message ?? undefined) as string | undefined,
      commitAuthor: (row.commit_author ?? undefined) as string | undefined,
      environment: row.environment as string,
      requestedBy: row.requested_by as string,
      pushedBy: (row.pushed_by ?? undefined) as string | undefined,
      createdAt: iso(row.created_at),
    }));
  }
}
