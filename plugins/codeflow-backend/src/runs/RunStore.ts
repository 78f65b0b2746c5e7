import { randomBytes } from 'node:crypto';
import type {
  CodeflowFailureKind,
  CodeflowRun,
  CodeflowRunStatus,
  CodeflowRunStep,
} from '@internal/plugin-container-cloud-common';
import type { Knex } from 'knex';
import type { StoredCodeflow } from '../definitions/CodeflowStore';

const RUNS = 'codeflow_runs';
const LOGS = 'codeflow_run_logs';
const REQUESTS = 'codeflow_run_requests';

/** The statuses a run can still change from. */
const ACTIVE: CodeflowRunStatus[] = ['queued', 'running', 'awaiting-approval'];

/** What a new run is made of (the store adds its id, number and times). */
export interface NewRun {
  codeflow: StoredCodeflow;
  trigger: string;
  requestedBy: string;
  actingFor: string;
  pushedBy: string | null;
  ref: { kind: 'branch' | 'tag'; name: string };
  commit: { sha: string; message: string | null; author: string | null } | null;
  environment: string;
  executor: string;
  /** the step names, in order (all pending) */
  steps: string[];
  /** a webhook rule's `approval`: the roll-out waits for an owner */
  needsApproval: boolean;
}

/** A run as stored: the API's view, and what only the backend needs. */
export interface StoredRun extends CodeflowRun {
  /** the codeflow as it was when the run was asked for */
  codeflow: StoredCodeflow;
  needsApproval: boolean;
  claimedBy: string | null;
  heartbeatAt: string | null;
  cancelRequestedBy: string | null;
  supersededBy: string | null;
  requestId: number | null;
}

/** A run request a webhook delivery recorded, not yet made a run. */
export interface PendingRunRequest {
  id: number;
  codeflowId: string;
  status: 'queued' | 'awaiting-approval';
  trigger: string;
  ref: string;
  refKind: 'branch' | 'tag';
  commitSha: string;
  commitMessage: string | null;
  commitAuthor: string | null;
  environment: string;
  requestedBy: string;
  pushedBy: string | null;
}

/** A stored piece of a run's log. */
export interface LogChunk {
  seq: number;
  step: string;
  text: string;
  /** the byte offset after this chunk in the run's whole log */
  endOffset: number;
}

type Time = Date | string | number | null | undefined;

function iso(value: Time): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || /^\d+$/.test(value)) {
    return new Date(Number(value)).toISOString();
  }
  return new Date(value).toISOString();
}

function json<T>(text: string | null | undefined, fallback: T): T {
  return text ? (JSON.parse(text) as T) : fallback;
}

/** A new run id: `run-` and 24 hex digits. */
export function newRunId(): string {
  return `run-${randomBytes(12).toString('hex')}`;
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed|duplicate key/i.test(e?.message ?? '')
  );
}

function isPostgres(knex: Knex): boolean {
  const client = String(knex.client.config.client ?? '');
  return client === 'pg' || client.includes('postgres');
}

/** The advisory lock (PostgreSQL) every replica takes to claim a run: one claim at a time. */
const CLAIM_LOCK = 0x0c0def10;

function runOf(row: any): StoredRun {
  const started = iso(row.started_at);
  const finished = iso(row.finished_at);
  const codeflow = json<StoredCodeflow>(row.definition, {} as StoredCodeflow);
  return {
    id: row.id,
    codeflowId: row.codeflow_id,
    service: row.service_ref,
    number: Number(row.number),
    status: row.status,
    trigger: row.trigger,
    requestedBy: row.requested_by,
    actingFor: row.acting_for,
    pushedBy: row.pushed_by ?? null,
    ref: { kind: row.ref_kind, name: row.ref_name },
    commit: row.commit_sha
      ? {
          sha: row.commit_sha,
          message: row.commit_message ?? '',
          author: row.commit_author ?? '',
        }
      : null,
    environment: row.environment,
    executor: row.executor,
    image: row.image ?? null,
    imageDigest: row.image_digest ?? null,
    preprocessingReused:
      row.preprocessing_reused === null ||
      row.preprocessing_reused === undefined
        ? null
        : Boolean(row.preprocessing_reused),
    steps: json<CodeflowRunStep[]>(row.steps, []),
    reason: row.reason ?? null,
    failureKind: row.failure_kind ?? null,
    lastLines: json<string[]>(row.last_lines, []),
    cancelledBy: row.cancelled_by ?? null,
    approvedBy: row.approved_by ?? null,
    createdAt: iso(row.created_at)!,
    startedAt: started,
    finishedAt: finished,
    durationMs:
      started && finished ? Date.parse(finished) - Date.parse(started) : null,
    logBytes: Number(row.log_bytes ?? 0),
    logTruncated: Boolean(row.log_truncated),
    codeflow,
    needsApproval: Boolean(row.needs_approval),
    claimedBy: row.claimed_by ?? null,
    heartbeatAt: iso(row.heartbeat_at),
    cancelRequestedBy: row.cancel_requested_by ?? null,
    supersededBy: row.superseded_by ?? null,
    requestId:
      row.request_id === null || row.request_id === undefined
        ? null
        : Number(row.request_id),
  };
}

/** The API's view of a stored run (nothing of the backend's own bookkeeping). */
export function runView(run: StoredRun): CodeflowRun {
  const {
    codeflow: _codeflow,
    needsApproval: _needsApproval,
    claimedBy: _claimedBy,
    heartbeatAt: _heartbeatAt,
    cancelRequestedBy: _cancelRequestedBy,
    supersededBy: _supersededBy,
    requestId: _requestId,
    ...view
  } = run;
  return view;
}

/** How a run ended (or stopped to wait). */
export interface RunOutcome {
  status: CodeflowRunStatus;
  steps: CodeflowRunStep[];
  reason?: string | null;
  failureKind?: CodeflowFailureKind | null;
  lastLines?: string[];
  cancelledBy?: string | null;
  image?: string | null;
  imageDigest?: string | null;
  preprocessingReused?: boolean | null;
}

/**
 * The only place that knows the runs' tables. Every change of a run's status is one conditional
 * statement (or a transaction), so replicas acting at once cannot both win: a run is claimed
 * once, finished once, a request becomes one run.
 */
export class RunStore {
  constructor(
    private readonly knex: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Creates a queued run with the codeflow's next build number (two creates at once get
   * distinct numbers: the loser of the unique (codeflow, number) retries). With `supersede`,
   * a webhook run replaces the codeflow's older webhook runs that have not finished: queued
   * or waiting ones end `superseded`, a running one is asked to stop. With `requestId`, the
   * request is taken in the same transaction, so it becomes one run only (undefined: another
   * replica took it).
   */
  async create(
    input: NewRun,
    options: { supersede?: boolean; requestId?: number } = {},
  ): Promise<StoredRun | undefined> {
    for (let attempt = 0; ; attempt++) {
      const id = newRunId();
      try {
        const created = await this.knex.transaction(async tx => {
          if (options.requestId !== undefined) {
            const taken = await tx(REQUESTS)
              .where({ id: options.requestId })
              .whereIn('status', ['queued', 'awaiting-approval'])
              .whereNull('run_id')
              .update({ status: 'taken', run_id: id });
            if (taken === 0) return false;
          }
          const last = await tx(RUNS)
            .where({ codeflow_id: input.codeflow.id })
            .max({ number: 'number' })
            .first();
          const number = Number(last?.number ?? 0) + 1;
          const now = this.now();
          await tx(RUNS).insert({
            id,
            codeflow_id: input.codeflow.id,
            service_ref: input.codeflow.service,
            number,
            status: 'queued',
            trigger: input.trigger.slice(0, 32),
            requested_by: input.requestedBy,
            acting_for: input.actingFor,
            pushed_by: input.pushedBy,
            ref_kind: input.ref.kind,
            ref_name: input.ref.name,
            commit_sha: input.commit?.sha ?? null,
            commit_message: input.commit?.message ?? null,
            commit_author: input.commit?.author ?? null,
            environment: input.environment,
            executor: input.executor,
            steps: JSON.stringify(
              input.steps.map(name => ({
                name,
                status: 'pending',
                startedAt: null,
                finishedAt: null,
                durationMs: null,
                detail: null,
              })),
            ),
            definition: JSON.stringify(input.codeflow),
            last_lines: '[]',
            needs_approval: input.needsApproval,
            request_id: options.requestId ?? null,
            created_at: now,
          });
          if (options.supersede && input.trigger !== 'manual') {
            const words = `replaced by run #${number}, a newer push`;
            await tx(RUNS)
              .where({ codeflow_id: input.codeflow.id })
              .whereNot({ id })
              .whereNot({ trigger: 'manual' })
              .whereIn('status', ['queued', 'awaiting-approval'])
              .update({
                status: 'superseded',
                superseded_by: id,
                reason: words,
                claimed_by: null,
                finished_at: now,
              });
            await tx(RUNS)
              .where({ codeflow_id: input.codeflow.id, status: 'running' })
              .whereNot({ id })
              .whereNot({ trigger: 'manual' })
              .update({
                superseded_by: id,
                cancel_requested_by: `run #${number}`,
                cancel_requested_at: now,
              });
          }
          return true;
        });
        return created ? await this.get(id) : undefined;
      } catch (error) {
        if (!isUniqueViolation(error) || attempt >= 20) throw error;
        if (options.requestId !== undefined) {
          // the request itself may be the unique value another replica won with
          const request = await this.knex(REQUESTS)
            .where({ id: options.requestId })
            .first('run_id');
          if (request?.run_id) return undefined;
        }
      }
    }
  }

  async get(id: string): Promise<StoredRun | undefined> {
    const row = await this.knex(RUNS).where({ id }).first();
    return row ? runOf(row) : undefined;
  }

  /** A codeflow's runs, newest first, `limit` of them from below build number `before`. */
  async list(
    codeflowId: string,
    page: { limit: number; before?: number },
  ): Promise<{
    items: StoredRun[];
    nextBefore: number | null;
    active: number;
  }> {
    const query = this.knex(RUNS)
      .where({ codeflow_id: codeflowId })
      .orderBy('number', 'desc')
      .limit(page.limit + 1);
    if (page.before !== undefined) query.where('number', '<', page.before);
    const rows = (await query).map(runOf);
    const items = rows.slice(0, page.limit);
    return {
      items,
      nextBefore:
        rows.length > page.limit ? items[items.length - 1].number : null,
      active: await this.activeCount(codeflowId),
    };
  }

  /** Runs of the codeflow queued or running now. */
  async activeCount(codeflowId: string): Promise<number> {
    const row = await this.knex(RUNS)
      .where({ codeflow_id: codeflowId })
      .whereIn('status', ['queued', 'running'])
      .count({ n: '*' })
      .first();
    return Number(row?.n ?? 0);
  }

  /**
   * Claims the oldest queued run whose codeflow has none running, for `replica`, while fewer
   * than `concurrency` runs are running over every replica. One transaction under one lock
   * (PostgreSQL's advisory lock; SQLite's writes are serial), so two replicas never both take
   * the last slot.
   */
  async claimNext(
    replica: string,
    concurrency: number,
  ): Promise<StoredRun | undefined> {
    const id = await this.knex.transaction(async tx => {
      if (isPostgres(tx)) {
        await tx.raw('select pg_advisory_xact_lock(?)', [CLAIM_LOCK]);
      }
      const running = await tx(RUNS)
        .where({ status: 'running' })
        .count({ n: '*' })
        .first();
      if (Number(running?.n ?? 0) >= concurrency) return undefined;
      const next = await tx(`${RUNS} as r`)
        .where('r.status', 'queued')
        .whereNotExists(
          tx(`${RUNS} as o`)
            .select(tx.raw('1'))
            .whereRaw('o.codeflow_id = r.codeflow_id')
            .where('o.status', 'running'),
        )
        .orderBy([
          { column: 'r.created_at', order: 'asc' },
          { column: 'r.number', order: 'asc' },
        ])
        .first('r.id');
      if (!next) return undefined;
      const now = this.now();
      const claimed = await tx(RUNS)
        .where({ id: next.id, status: 'queued' })
        .update({
          status: 'running',
          claimed_by: replica,
          heartbeat_at: now,
          started_at: tx.raw('coalesce(started_at, ?)', [now]),
        });
      return claimed ? (next.id as string) : undefined;
    });
    return id ? this.get(id) : undefined;
  }

  /**
   * The running replica says it is alive; answers what it must act on (a cancel asked on any
   * replica), or undefined when the run is no longer its own (another replica failed it).
   */
  async heartbeat(
    id: string,
    replica: string,
  ): Promise<
    | { cancelRequestedBy: string | null; supersededBy: string | null }
    | undefined
  > {
    const updated = await this.knex(RUNS)
      .where({ id, status: 'running', claimed_by: replica })
      .update({ heartbeat_at: this.now() });
    if (!updated) return undefined;
    const row = await this.knex(RUNS)
      .where({ id })
      .first('cancel_requested_by', 'superseded_by');
    return {
      cancelRequestedBy: row?.cancel_requested_by ?? null,
      supersededBy: row?.superseded_by ?? null,
    };
  }

  /** The running replica's progress: steps, commit, image (only while it holds the run). */
  async progress(
    id: string,
    replica: string,
    fields: {
      steps?: CodeflowRunStep[];
      commit?: { sha: string; message: string; author: string };
      image?: string;
      imageDigest?: string;
      preprocessingReused?: boolean | null;
    },
  ): Promise<boolean> {
    const update: Record<string, unknown> = {};
    if (fields.steps) update.steps = JSON.stringify(fields.steps);
    if (fields.commit) {
      update.commit_sha = fields.commit.sha.slice(0, 64);
      update.commit_message = fields.commit.message.slice(0, 10_000);
      update.commit_author = fields.commit.author.slice(0, 255);
    }
    if (fields.image !== undefined) update.image = fields.image;
    if (fields.imageDigest !== undefined)
      update.image_digest = fields.imageDigest.slice(0, 100);
    if (fields.preprocessingReused !== undefined)
      update.preprocessing_reused = fields.preprocessingReused;
    if (Object.keys(update).length === 0) return true;
    const updated = await this.knex(RUNS)
      .where({ id, status: 'running', claimed_by: replica })
      .update(update);
    return updated > 0;
  }

  /**
   * Ends a run the replica holds: finished, or `awaiting-approval` (then no replica holds it).
   * False when it was no longer the replica's to end.
   */
  async finish(
    id: string,
    replica: string,
    outcome: RunOutcome,
  ): Promise<boolean> {
    const waiting = outcome.status === 'awaiting-approval';
    const updated = await this.knex(RUNS)
      .where({ id, status: 'running', claimed_by: replica })
      .update({
        status: outcome.status,
        steps: JSON.stringify(outcome.steps),
        ...(outcome.reason !== undefined
          ? { reason: outcome.reason?.slice(0, 10_000) ?? null }
          : {}),
        ...(outcome.failureKind !== undefined
          ? { failure_kind: outcome.failureKind }
          : {}),
        ...(outcome.lastLines !== undefined
          ? { last_lines: JSON.stringify(outcome.lastLines) }
          : {}),
        ...(outcome.cancelledBy !== undefined
          ? { cancelled_by: outcome.cancelledBy }
          : {}),
        ...(outcome.image !== undefined ? { image: outcome.image } : {}),
        ...(outcome.imageDigest !== undefined
          ? { image_digest: outcome.imageDigest }
          : {}),
        ...(outcome.preprocessingReused !== undefined
          ? { preprocessing_reused: outcome.preprocessingReused }
          : {}),
        claimed_by: waiting ? null : replica,
        finished_at: waiting ? null : this.now(),
      });
    return updated > 0;
  }

  /** Gives back a run this replica claimed but never started (shutdown): queued again. */
  async handBack(id: string, replica: string): Promise<boolean> {
    const updated = await this.knex(RUNS)
      .where({ id, status: 'running', claimed_by: replica })
      .update({ status: 'queued', claimed_by: null, heartbeat_at: null });
    return updated > 0;
  }

  /**
   * Asks a run to stop. A queued (or waiting) run is cancelled at once; a running one is
   * marked, and its replica stops it within a second. A finished run is answered as it is.
   */
  async requestCancel(
    id: string,
    by: string,
  ): Promise<{
    outcome: 'cancelled' | 'requested' | 'finished';
    run: StoredRun;
  }> {
    const now = this.now();
    const reason = `cancelled by ${by}`;
    const queued = await this.knex(RUNS)
      .where({ id })
      .whereIn('status', ['queued', 'awaiting-approval'])
      .update({
        status: 'cancelled',
        cancelled_by: by,
        cancel_requested_by: by,
        cancel_requested_at: now,
        reason,
        claimed_by: null,
        finished_at: now,
      });
    if (queued) return { outcome: 'cancelled', run: (await this.get(id))! };
    const running = await this.knex(RUNS)
      .where({ id, status: 'running' })
      .whereNull('cancel_requested_at')
      .update({ cancel_requested_by: by, cancel_requested_at: now });
    const run = (await this.get(id))!;
    if (running || run.status === 'running') {
      return { outcome: 'requested', run };
    }
    return { outcome: 'finished', run };
  }

  /** An owner approves the roll-out of a waiting run: queued again, to roll only. */
  async approve(id: string, by: string): Promise<StoredRun | undefined> {
    const updated = await this.knex(RUNS)
      .where({ id, status: 'awaiting-approval' })
      .update({ status: 'queued', approved_by: by });
    return updated ? this.get(id) : undefined;
  }

  /** Running runs whose replica has not said it is alive since `before`. */
  async lost(before: Date): Promise<StoredRun[]> {
    const rows = await this.knex(RUNS)
      .where({ status: 'running' })
      .where('heartbeat_at', '<', before);
    return rows.map(runOf);
  }

  /** Fails a run whose replica went silent, unless it said it is alive meanwhile. */
  async failLost(run: StoredRun, outcome: RunOutcome): Promise<boolean> {
    const updated = await this.knex(RUNS)
      .where({
        id: run.id,
        status: 'running',
        claimed_by: run.claimedBy,
      })
      .where('heartbeat_at', '<=', new Date(run.heartbeatAt ?? 0))
      .update({
        status: outcome.status,
        steps: JSON.stringify(outcome.steps),
        reason: outcome.reason ?? null,
        failure_kind: outcome.failureKind ?? null,
        last_lines: JSON.stringify(outcome.lastLines ?? []),
        finished_at: this.now(),
      });
    return updated > 0;
  }

  /** Webhook run requests not yet made runs, oldest first. */
  async pendingRequests(limit = 50): Promise<PendingRunRequest[]> {
    const rows = await this.knex(REQUESTS)
      .whereIn('status', ['queued', 'awaiting-approval'])
      .whereNull('run_id')
      .orderBy('id', 'asc')
      .limit(limit);
    return rows.map(row => ({
      id: Number(row.id),
      codeflowId: row.codeflow_id,
      status: row.status,
      trigger: row.trigger,
      ref: row.ref,
      refKind: row.ref_kind,
      commitSha: row.commit_sha,
      commitMessage: row.commit_message ?? null,
      commitAuthor: row.commit_author ?? null,
      environment: row.environment,
      requestedBy: row.requested_by,
      pushedBy: row.pushed_by ?? null,
    }));
  }

  /** A request that can become no run (its codeflow is gone): set aside, with the reason. */
  async dropRequest(id: number): Promise<void> {
    await this.knex(REQUESTS)
      .where({ id })
      .whereIn('status', ['queued', 'awaiting-approval'])
      .whereNull('run_id')
      .update({ status: 'dropped' });
  }

  /**
   * Appends a chunk of log text and moves the run's byte count on, in one transaction.
   * `seq` is the writer's own counter (one writer per run: the replica running it).
   */
  async appendLog(
    runId: string,
    chunk: LogChunk,
    options: { truncated?: boolean } = {},
  ): Promise<void> {
    await this.knex.transaction(async tx => {
      await tx(LOGS).insert({
        run_id: runId,
        seq: chunk.seq,
        step: chunk.step.slice(0, 200),
        text: chunk.text,
        end_offset: chunk.endOffset,
      });
      await tx(RUNS)
        .where({ id: runId })
        .update({
          log_bytes: chunk.endOffset,
          ...(options.truncated ? { log_truncated: true } : {}),
        });
    });
  }

  /** The log's last chunk: where a writer that takes a run over carries on. */
  async logEnd(runId: string): Promise<{ seq: number; offset: number }> {
    const row = await this.knex(LOGS)
      .where({ run_id: runId })
      .orderBy('seq', 'desc')
      .first('seq', 'end_offset');
    return row
      ? { seq: Number(row.seq), offset: Number(row.end_offset) }
      : { seq: -1, offset: 0 };
  }

  /** A run's log chunks in order, after byte `afterOffset` (and optionally only one step's). */
  async logChunks(
    runId: string,
    options: { afterOffset?: number; afterSeq?: number; step?: string } = {},
  ): Promise<LogChunk[]> {
    const query = this.knex(LOGS).where({ run_id: runId }).orderBy('seq');
    if (options.afterOffset !== undefined)
      query.where('end_offset', '>', options.afterOffset);
    if (options.afterSeq !== undefined)
      query.where('seq', '>', options.afterSeq);
    if (options.step !== undefined) query.where({ step: options.step });
    const rows = await query;
    return rows.map(row => ({
      seq: Number(row.seq),
      step: row.step,
      text: row.text,
      endOffset: Number(row.end_offset),
    }));
  }
}

export { ACTIVE as ACTIVE_RUN_STATUSES };
