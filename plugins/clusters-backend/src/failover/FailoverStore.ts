import type { Knex } from 'knex';
import type {
  FailoverRun,
  FailoverStep,
  FailoverStepState,
} from '@internal/plugin-container-cloud-common';

const RUNS = 'clusters_failover_runs';
const STEPS = 'clusters_failover_steps';

export type RunState = FailoverRun['state'];

/** A step with what the runner needs beside what the page shows. */
export interface StoredStep extends FailoverStep {
  seq: number;
  /** the source Deployment as planned (JSON) */
  sourceSpec: string;
  /** the ConfigMaps it refers to, read from the source when planned (JSON); null: not read */
  configMaps: string | null;
  /** the Secrets (names) and claims it carries into the target (JSON Carried); null: none */
  carried: string | null;
}

export interface StoredRun extends Omit<FailoverRun, 'steps'> {
  steps: StoredStep[];
}

/** A new run's steps, in order. */
export type NewStep = Omit<StoredStep, 'seq' | 'updatedAt'>;

/**
 * Another run is active (running or stopping) off the same source cluster: the database's unique
 * index on active runs per source refused this one (see the migration
 * 20261206230000_failover_one_active_run).
 */
export class SourceBusyError extends Error {
  constructor(readonly source: string) {
    super(`another failover run is active off ${source}`);
    this.name = 'SourceBusyError';
  }
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}

/**
 * Failover runs and their steps in the plugin's database: the record a run is driven from, so a
 * runner on any replica, or after a crash, continues where the last one left off.
 */
export class FailoverStore {
  constructor(
    private readonly knex: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(run: {
    id: string;
    source: string;
    target: string;
    createdBy: string;
    steps: NewStep[];
  }): Promise<StoredRun> {
    const at = this.now().toISOString();
    try {
      await this.insert(run, at);
    } catch (error) {
      if (isUniqueViolation(error)) throw new SourceBusyError(run.source);
      throw error;
    }
    return (await this.get(run.id))!;
  }

  private async insert(
    run: {
      id: string;
      source: string;
      target: string;
      createdBy: string;
      steps: NewStep[];
    },
    at: string,
  ) {
    await this.knex.transaction(async tx => {
      await tx(RUNS).insert({
        id: run.id,
        source: run.source,
        target: run.target,
        state: 'running',
        created_by: run.createdBy,
        created_at: at,
        updated_at: at,
      });
      // small batches: SQLite allows few bound variables per statement
      const rows = run.steps.map((s, seq) => ({
        run_id: run.id,
        seq,
        kubernetes_id: s.kubernetesId,
        entity_ref: s.entityRef,
        namespace: s.namespace,
        deployment: s.deployment,
        replicas: s.replicas,
        target_replicas: s.targetReplicas,
        source_spec: s.sourceSpec,
        config_maps: s.configMaps,
        carried: s.carried,
        state: s.state,
        reason: s.reason,
        updated_at: at,
      }));
      for (let i = 0; i < rows.length; i += 50) {
        await tx(STEPS).insert(rows.slice(i, i + 50));
      }
    });
  }

  async get(id: string): Promise<StoredRun | undefined> {
    const run = await this.knex(RUNS).where({ id }).first();
    if (!run) return undefined;
    const steps = await this.knex(STEPS).where({ run_id: id }).orderBy('seq');
    return runFrom(run, steps);
  }

  /** The newest runs first. */
  async list(limit = 20): Promise<StoredRun[]> {
    const runs = await this.knex(RUNS)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(limit);
    if (runs.length === 0) return [];
    const steps = await this.knex(STEPS)
      .whereIn(
        'run_id',
        runs.map(r => r.id),
      )
      .orderBy('seq');
    return runs.map(r =>
      runFrom(
        r,
        steps.filter(s => s.run_id === r.id),
      ),
    );
  }

  /** The runs a runner drives: running, or asked to stop. */
  async active(): Promise<string[]> {
    const rows = await this.knex(RUNS)
      .whereIn('state', ['running', 'stopping'])
      .orderBy('created_at')
      .select('id');
    return rows.map(r => r.id);
  }

  /** The active run off `source`, if any (the database holds at most one). */
  async activeOff(source: string): Promise<StoredRun | undefined> {
    const row = await this.knex(RUNS)
      .where({ source })
      .whereIn('state', ['running', 'stopping'])
      .first('id');
    return row ? this.get(row.id) : undefined;
  }

  async state(id: string): Promise<RunState | undefined> {
    const row = await this.knex(RUNS).where({ id }).first('state');
    return row?.state;
  }

  /**
   * Moves a run from one of `from` to `to`, in one statement: false when it was in none of them
   * (another replica or request changed it first). Throws SourceBusyError when the move would make
   * it a second active run off its source (a resume while another run moves that cluster).
   */
  async transition(
    id: string,
    from: RunState[],
    to: RunState,
  ): Promise<boolean> {
    try {
      const changed = await this.knex(RUNS)
        .where({ id })
        .whereIn('state', from)
        .update({ state: to, updated_at: this.now().toISOString() });
      return changed > 0;
    } catch (error) {
      if (isUniqueViolation(error)) {
        const row = await this.knex(RUNS).where({ id }).first('source');
        throw new SourceBusyError(row?.source ?? '');
      }
      throw error;
    }
  }

  async updateStep(
    runId: string,
    seq: number,
    state: FailoverStepState,
    reason: string | null,
  ): Promise<void> {
    const at = this.now().toISOString();
    await this.knex(STEPS)
      .where({ run_id: runId, seq })
      .update({ state, reason, updated_at: at });
    await this.knex(RUNS).where({ id: runId }).update({ updated_at: at });
  }
}

function runFrom(run: any, steps: any[]): StoredRun {
  return {
    id: run.id,
    source: run.source,
    target: run.target,
    state: run.state,
    createdBy: run.created_by,
    createdAt: run.created_at,
    updatedAt: run.updated_at,
    steps: steps.map(s => ({
      seq: Number(s.seq),
      kubernetesId: s.kubernetes_id,
      entityRef: s.entity_ref ?? null,
      namespace: s.namespace,
      deployment: s.deployment,
      replicas: Number(s.replicas),
      targetReplicas: Number(s.target_replicas),
      sourceSpec: s.source_spec,
      configMaps: s.config_maps ?? null,
      carried: s.carried ?? null,
      state: s.state,
      reason: s.reason ?? null,
      updatedAt: s.updated_at,
    })),
  };
}

/** A run as the page sees it (without the stored specs). */
export function runView(run: StoredRun): FailoverRun {
  return {
    ...run,
    steps: run.steps.map(
      ({ seq, sourceSpec, configMaps, carried, ...step }) => step,
    ),
  };
}
