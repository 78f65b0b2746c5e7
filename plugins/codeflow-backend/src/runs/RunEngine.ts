import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { LoggerService } from '@backstage/backend-plugin-api';
import type { SignalsService } from '@backstage/plugin-signals-node';
import {
  codeflowRunsSignalChannel,
  type CodeflowFailureKind,
  type CodeflowRunStatus,
  type CodeflowRunStep,
  type CodeflowTarget,
} from '@internal/plugin-container-cloud-common';
import {
  CodeflowConfig,
  builtImageRepositoryClash,
  repositoryHostRefusal,
} from '../definitions/codeflowConfig';
import { codeflowDockerfile } from '../definitions/routes';
import type { StoredCodeflow } from '../definitions/CodeflowStore';
import { BUILD_ARGS } from '../dockerfile';
import { BuildStepError } from '../executors/types';
import type { BuildExecutor, BuildPlan, BuildSink } from '../executors/types';
import { classifyFailure, LogRedactor, redactor } from '../failures';
import { RolloutError } from '../rollout/types';
import type { Rollout, RolloutActor, RolloutSink } from '../rollout/types';
import { RunLog } from './RunLog';
import type { RunsConfig } from './runsConfig';
import type {
  NewRun,
  PendingRunRequest,
  RunOutcome,
  RunStore,
  StoredRun,
} from './RunStore';
import { BUILD_STEP_NAMES } from '@internal/plugin-container-cloud-common';

/** How often the engine acts; tests shorten them. */
export interface RunEngineTimings {
  /** the running replica looks for a cancel and says it is alive (default 1 s) */
  watchMs: number;
  /** a running run whose replica has been silent this long is failed (default 60 s) */
  lostAfterMs: number;
  /** the log's write interval (default 250 ms) */
  logFlushMs: number;
  /** how long shutdown waits for its runs to be recorded (default 10 s) */
  shutdownWaitMs: number;
}

export interface RunEngineOptions {
  store: RunStore;
  /** the codeflows, to make webhook requests runs */
  codeflows: { get(id: string): Promise<StoredCodeflow | undefined> };
  config: RunsConfig;
  codeflowConfig: CodeflowConfig;
  executor: BuildExecutor;
  rollout: Rollout;
  logger: LoggerService;
  signals?: Pick<SignalsService, 'publish'>;
  /** more values no log may show (beside every credential's password and key) */
  extraSecrets?: string[];
  /** this replica's id (default host name, pid and a random part) */
  replicaId?: string;
  timings?: Partial<RunEngineTimings>;
}

/** Why a running run was stopped. */
type StopReason =
  | { kind: 'cancel'; by: string }
  | { kind: 'supersede'; by: string }
  | { kind: 'timeout' }
  | { kind: 'shutdown' }
  | { kind: 'lost' };

/** The run cannot be planned (its build image is no longer offered...): failed in words. */
class PlanError extends Error {}

class RunStopped extends Error {
  constructor(readonly reason: StopReason) {
    super(`run stopped: ${reason.kind}`);
  }
}

/** A branch name as an image tag: letters, digits, `_ . -`, at most 128, starting with a letter or digit. */
export function tagSafe(name: string): string {
  const tag = name
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[.-]+/, '')
    .slice(0, 128);
  return tag || 'branch';
}

/** The targets a run rolls: those of its environment. */
export function targetsOf(
  codeflow: StoredCodeflow,
  environment: string,
): CodeflowTarget[] {
  return codeflow.definition.targets.filter(t => t.environment === environment);
}

/** A run's steps: the build steps (no `preprocess` without a pre-processing script), then the roll-out's. */
export function stepsOf(
  codeflow: StoredCodeflow,
  environment: string,
  rollout: Pick<Rollout, 'stepsOf'>,
): string[] {
  const d = codeflow.definition;
  const preprocess =
    d.customDockerfile === undefined && Boolean(d.preprocessingScript?.length);
  return [
    ...BUILD_STEP_NAMES.filter(s => s !== 'preprocess' || preprocess),
    ...rollout.stepsOf(targetsOf(codeflow, environment)),
  ];
}

/** The secrets no log may show: every credential's password and key. */
export function secretsOf(config: CodeflowConfig): string[] {
  return config.credentials.flatMap(c =>
    [c.password, c.sshPrivateKey].filter((s): s is string => Boolean(s)),
  );
}

/**
 * Runs codeflow runs on every replica safely. Each replica polls (the plugin's scheduler task,
 * and a nudge when it queues a run here): it fails runs whose replica went silent, makes the
 * webhook requests runs (once, whichever replica), and claims queued runs while fewer than
 * `runs.concurrency` run over all replicas, one per codeflow at a time. A claimed run is built
 * by the executor and rolled out; its steps, commit and log are stored as they come, a cancel
 * asked on any replica stops it within a second, and its timeout stops it too.
 */
export class RunEngine {
  readonly replicaId: string;
  private readonly timings: RunEngineTimings;
  private readonly redact: (text: string) => string;
  private readonly secrets: string[];
  private readonly active = new Map<
    string,
    { stop(reason: StopReason): void; started: boolean; done: Promise<void> }
  >();
  private ticking: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private poller: NodeJS.Timeout | undefined;

  constructor(private readonly options: RunEngineOptions) {
    this.replicaId =
      options.replicaId ??
      `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.timings = {
      watchMs: 1000,
      lostAfterMs: 60_000,
      logFlushMs: 250,
      shutdownWaitMs: 10_000,
      ...options.timings,
    };
    this.secrets = [
      ...secretsOf(options.codeflowConfig),
      ...(options.extraSecrets ?? []),
    ];
    this.redact = redactor(this.secrets);
  }

  /** The runs this replica is running now. */
  get running(): string[] {
    return [...this.active.keys()];
  }

  /**
   * Queues a run asked for here (the button), and looks for work at once. Supersedes older
   * webhook runs when it is a webhook run and `runs.onNewPush` says so.
   */
  async queue(input: NewRun): Promise<StoredRun> {
    const run = await this.options.store.create(input, {
      supersede: this.options.config.onNewPush === 'supersede',
    });
    this.publish(run!);
    this.nudge();
    return run!;
  }

  /** Looks for work soon (coalesced with a look under way). */
  nudge(): void {
    if (this.stopped) return;
    setImmediate(() => {
      this.tick().catch(error =>
        this.options.logger.warn(`codeflow runs: ${error}`),
      );
    });
  }

  /** One look for work: lost runs, webhook requests, then claims while there are slots. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      await this.ticking;
      return;
    }
    this.ticking = (async () => {
      try {
        do {
          this.again = false;
          await this.failLostRuns();
          await this.takeRequests();
          await this.claimWhileFree();
        } while (this.again && !this.stopped);
      } finally {
        this.ticking = undefined;
      }
    })();
    await this.ticking;
  }

  /** Polls every `ms` (tests; the plugin uses the scheduler). */
  startPolling(ms: number): () => void {
    this.poller = setInterval(() => {
      this.tick().catch(error =>
        this.options.logger.warn(`codeflow runs: ${error}`),
      );
    }, ms);
    return () => {
      if (this.poller) clearInterval(this.poller);
      this.poller = undefined;
    };
  }

  /**
   * Stops taking work; the runs this replica runs are stopped and recorded in words (a run
   * claimed but not started yet is queued again for another replica).
   */
  async shutdown(): Promise<void> {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    await this.ticking?.catch(() => {});
    const runs = [...this.active.values()];
    for (const run of runs) run.stop({ kind: 'shutdown' });
    await Promise.race([
      Promise.all(runs.map(r => r.done)),
      new Promise(resolve =>
        setTimeout(resolve, this.timings.shutdownWaitMs).unref(),
      ),
    ]);
  }

  private publish(run: Pick<StoredRun, 'id' | 'codeflowId' | 'status'>) {
    this.options.signals
      ?.publish({
        recipients: { type: 'broadcast' },
        channel: codeflowRunsSignalChannel(run.codeflowId),
        message: { runId: run.id, status: run.status },
      })
      .catch(error =>
        this.options.logger.warn(
          `could not signal the runs of ${run.codeflowId}: ${error}`,
        ),
      );
  }

  private async failLostRuns() {
    const { store } = this.options;
    const lost = await store.lost(
      new Date(Date.now() - this.timings.lostAfterMs),
    );
    for (const run of lost) {
      if (this.active.has(run.id)) continue; // ours: the watch keeps it alive
      const current = run.steps.find(s => s.status === 'running');
      const reason = `the backend replica building it stopped (${
        run.claimedBy ?? 'unknown'
      } has not reported for ${Math.round(this.timings.lostAfterMs / 1000)} s${
        current ? `, during ${current.name}` : ''
      }): run it again`;
      const failed = await store.failLost(run, {
        status: 'failed',
        steps: endSteps(run.steps, 'failed', new Date()),
        reason,
        failureKind: 'executor-lost',
        lastLines: [],
      });
      if (failed) {
        this.options.logger.warn(`codeflow run ${run.id}: ${reason}`);
        this.publish({ ...run, status: 'failed' });
      }
    }
  }

  /** Makes each webhook request a run, once whichever replica sees it first. */
  private async takeRequests() {
    const { store, codeflows, rollout, config } = this.options;
    for (const request of await store.pendingRequests()) {
      const codeflow = await codeflows.get(request.codeflowId);
      if (!codeflow) {
        await store.dropRequest(request.id);
        continue;
      }
      const run = await store.create(
        requestRun(request, codeflow, rollout, config),
        {
          requestId: request.id,
          supersede: config.onNewPush === 'supersede',
        },
      );
      if (run) this.publish(run);
    }
  }

  private async claimWhileFree() {
    const { store, config } = this.options;
    while (!this.stopped) {
      const run = await store.claimNext(this.replicaId, config.concurrency);
      if (!run) return;
      this.publish(run);
      this.start(run);
    }
  }

  private start(run: StoredRun) {
    let stop: (reason: StopReason) => void = () => {};
    const entry = {
      started: false,
      stop: (reason: StopReason) => stop(reason),
      done: Promise.resolve(),
    };
    this.active.set(run.id, entry);
    entry.done = this.execute(run, entry, s => {
      stop = s;
    })
      .catch(error =>
        this.options.logger.error(
          `codeflow run ${run.id} failed to record: ${error}`,
        ),
      )
      .finally(() => {
        this.active.delete(run.id);
        this.nudge(); // a slot is free
      });
  }

  /** The build plan of a run, from the codeflow as it was asked for and the config. */
  plan(run: StoredRun): BuildPlan {
    const { config, codeflowConfig } = this.options;
    const codeflow = run.codeflow;
    const d = codeflow.definition;
    if (!config.registry.repository) {
      throw new BuildStepError(
        'push',
        'no registry is configured for built images: set containerCloud.codeflow.registry.repository',
        'push-denied',
      );
    }
    // again at run time: the list may have changed since the codeflow was saved
    const refusal = repositoryHostRefusal(
      d.repositoryUrl,
      codeflowConfig.repositoryHosts,
    );
    if (refusal) throw new BuildStepError('fetch', refusal, 'fetch-failed');
    const dockerfile = codeflowDockerfile(codeflowConfig, codeflow);
    const buildImage = codeflowConfig.buildImages.find(
      b => b.id === d.buildImage,
    ) ?? { id: d.buildImage, image: d.buildImage, runtimeImage: d.buildImage };
    const serviceName = codeflow.service.replace(/^.*\//, '');
    const builtRepository = `${config.registry.repository}/${serviceName}`;
    const clash = builtImageRepositoryClash(builtRepository, codeflowConfig);
    if (clash) throw new BuildStepError('push', clash, 'push-denied');
    return {
      runId: run.id,
      codeflowId: run.codeflowId,
      buildNumber: run.number,
      repository: { url: d.repositoryUrl, credentials: d.credentials },
      ref: run.ref,
      commit: run.commit?.sha ?? null,
      buildImage: {
        id: buildImage.id,
        image: buildImage.image,
        runtimeImage: buildImage.runtimeImage,
      },
      buildScript: d.buildScript,
      artifactPath: d.artifactPath,
      dockerfile: dockerfile.dockerfile,
      buildArgs: dockerfile.generated
        ? {
            [BUILD_ARGS.revision]: run.commit?.sha ?? '',
            [BUILD_ARGS.created]: new Date().toISOString(),
            [BUILD_ARGS.buildId]: `${run.codeflowId}-${run.number}`,
          }
        : {},
      preprocessing: dockerfile.preprocessing
        ? {
            key: dockerfile.preprocessing.key,
            dockerfile: dockerfile.preprocessing.dockerfile,
            image: `${
              codeflowConfig.preprocessingRepository
            }:${dockerfile.preprocessing.key.slice(0, 32)}`,
          }
        : null,
      image: {
        repository: builtRepository,
        branchTag: run.ref.kind === 'branch' ? tagSafe(run.ref.name) : null,
      },
      registryCredentials: config.registry.credentials,
    };
  }

  /** Whose authority the roll-out uses. */
  private actorOf(run: StoredRun): RolloutActor {
    if (run.approvedBy) return { kind: 'user', userRef: run.approvedBy };
    if (run.trigger === 'manual')
      return { kind: 'user', userRef: run.requestedBy };
    return {
      kind: 'codeflow-owner',
      owner: run.actingFor,
      codeflowId: run.codeflowId,
      savedBy: run.codeflow.updatedBy,
    };
  }

  private async execute(
    run: StoredRun,
    entry: { started: boolean },
    setStop: (stop: (reason: StopReason) => void) => void,
  ): Promise<void> {
    const { store, config, executor, rollout, logger } = this.options;
    const abort = new AbortController();
    let stopped: StopReason | undefined;
    const stop = (reason: StopReason) => {
      if (stopped) return;
      stopped = reason;
      abort.abort(new RunStopped(reason));
    };
    setStop(stop);
    const steps: CodeflowRunStep[] = run.steps.map(s => ({ ...s }));
    let current: string | undefined;
    const log = new RunLog(store, run.id, {
      maxBytes: config.maxLogBytes,
      redactor: () => new LogRedactor(this.secrets),
      flushMs: this.timings.logFlushMs,
      start: await store.logEnd(run.id),
    });

    // watch: say we are alive, and act on a cancel asked on any replica
    const watch = setInterval(() => {
      store
        .heartbeat(run.id, this.replicaId)
        .then(state => {
          if (!state) stop({ kind: 'lost' });
          else if (state.supersededBy)
            stop({
              kind: 'supersede',
              by: state.cancelRequestedBy ?? 'a newer run',
            });
          else if (state.cancelRequestedBy)
            stop({ kind: 'cancel', by: state.cancelRequestedBy });
        })
        .catch(error => logger.warn(`codeflow run ${run.id}: ${error}`));
    }, this.timings.watchMs);
    // measured from this claim: an approved run's roll-out has its own time
    const timeout = setTimeout(
      () => stop({ kind: 'timeout' }),
      config.timeoutMinutes * 60_000,
    );

    let saving: Promise<unknown> = Promise.resolve();
    const save = (fields: Parameters<RunStore['progress']>[2] = {}) => {
      const next = saving.then(() =>
        store.progress(run.id, this.replicaId, {
          steps: steps.map(s => ({ ...s })),
          ...fields,
        }),
      );
      saving = next.catch(() => {});
      return next.then(() => {
        this.publish(run);
      });
    };
    const stepOf = (name: string) => {
      let step = steps.find(s => s.name === name);
      if (!step) {
        step = {
          name,
          status: 'pending',
          startedAt: null,
          finishedAt: null,
          durationMs: null,
          detail: null,
        };
        steps.push(step);
      }
      return step;
    };
    const sink: BuildSink & RolloutSink = {
      signal: abort.signal,
      async stepStarted(name: string) {
        entry.started = true;
        current = name;
        const step = stepOf(name);
        step.status = 'running';
        step.startedAt = new Date().toISOString();
        await save();
      },
      async stepFinished(name: string, outcome) {
        // a step the run does not have (the local executor reports `preprocess` skipped for a
        // codeflow without a pre-processing script) stays out of the list, not after the roll-out
        if (outcome.status === 'skipped' && !steps.some(s => s.name === name)) {
          return;
        }
        const step = stepOf(name);
        const now = new Date();
        step.status = outcome.status;
        step.finishedAt = now.toISOString();
        step.durationMs = step.startedAt
          ? now.getTime() - Date.parse(step.startedAt)
          : null;
        step.detail = outcome.detail ?? null;
        if (current === name) current = undefined;
        log.endStep(name);
        await save();
      },
      log(name: string, text: string) {
        log.write(name, text);
      },
      commit: async commit => {
        await save({ commit });
      },
    };

    let outcome: RunOutcome | 'hand-back' | undefined;
    try {
      let image = run.image;
      let digest = run.imageDigest;
      if (!image) {
        let plan: BuildPlan;
        try {
          plan = this.plan(run);
        } catch (error) {
          if (error instanceof BuildStepError) throw error;
          throw new PlanError(
            `the build could not be planned: ${
              error instanceof Error ? error.message : String(error)
            }`,
          );
        }
        const result = await executor.build(plan, sink as BuildSink);
        if (abort.signal.aborted) throw abort.signal.reason;
        image = result.images[0];
        digest = result.digest;
        skipPending(steps, BUILD_STEP_NAMES as readonly string[]);
        await save({
          commit: result.commit,
          image,
          imageDigest: result.digest,
          preprocessingReused: result.preprocessingReused,
        });
        if (run.needsApproval && !run.approvedBy) {
          await log.close();
          outcome = { status: 'awaiting-approval', steps };
          return;
        }
      }
      const targets = targetsOf(run.codeflow, run.environment);
      if (targets.length > 0) {
        entry.started = true;
        await rollout.roll({
          runId: run.id,
          runNumber: run.number,
          codeflowId: run.codeflowId,
          codeflowName: run.codeflow.definition.name,
          // pinned to the digest pushed: the clusters run exactly what was built, even if the
          // tag moves (a later build of the same commit, someone pushing by hand)
          image: digest ? `${image}@${digest}` : image,
          targets,
          actor: this.actorOf(run),
          sink,
        });
      }
      if (abort.signal.aborted) throw abort.signal.reason;
      skipPending(steps);
      outcome = { status: 'succeeded', steps, reason: null };
    } catch (error) {
      log.endAllSteps();
      outcome = this.failure(
        error,
        stopped,
        steps,
        current,
        log,
        entry.started,
        run,
      );
    } finally {
      clearInterval(watch);
      clearTimeout(timeout);
      await saving;
      await log
        .close()
        .catch(e =>
          logger.warn(
            `codeflow run ${run.id}: its log could not be stored: ${e}`,
          ),
        );
      if (outcome === 'hand-back') {
        await store.handBack(run.id, this.replicaId);
      } else if (outcome && stopped?.kind !== 'lost') {
        await store.finish(run.id, this.replicaId, outcome);
      }
      this.publish({
        ...run,
        status:
          outcome === 'hand-back' ? 'queued' : outcome?.status ?? run.status,
      });
    }
  }

  /** How a run that threw ends: in words, with its step, kind and last lines. */
  private failure(
    error: unknown,
    stopped: StopReason | undefined,
    steps: CodeflowRunStep[],
    current: string | undefined,
    log: RunLog,
    started: boolean,
    run: StoredRun,
  ): RunOutcome | 'hand-back' {
    const now = new Date();
    const stepName =
      (error instanceof BuildStepError || error instanceof RolloutError
        ? error.step
        : undefined) ??
      current ??
      steps.find(s => s.status === 'running')?.name ??
      steps.find(s => s.status === 'pending')?.name ??
      'build';
    const lastLines = log.lastLines(stepName);
    const ended = (status: CodeflowStepStatus) =>
      endSteps(steps, status, now, stepName);
    if (stopped?.kind === 'cancel') {
      return {
        status: 'cancelled',
        steps: ended('cancelled'),
        reason: `cancelled by ${stopped.by}`,
        cancelledBy: stopped.by,
        lastLines,
      };
    }
    if (stopped?.kind === 'supersede') {
      return {
        status: 'superseded',
        steps: ended('cancelled'),
        reason: `replaced by ${stopped.by}, a newer push`,
        lastLines,
      };
    }
    if (stopped?.kind === 'timeout') {
      return {
        status: 'failed',
        steps: ended('failed'),
        failureKind: 'timeout',
        reason: `the run took longer than ${this.options.config.timeoutMinutes} minutes (containerCloud.codeflow.runs.timeoutMinutes) and was stopped during ${stepName}`,
        lastLines,
      };
    }
    if (stopped?.kind === 'shutdown') {
      if (!started) return 'hand-back';
      return {
        status: 'failed',
        steps: ended('failed'),
        failureKind: 'executor-lost',
        reason: `the backend replica building it stopped (it was shut down during ${stepName}): run it again`,
        lastLines,
      };
    }
    if (stopped?.kind === 'lost') {
      return { status: run.status, steps };
    }
    let kind: CodeflowFailureKind;
    let reason: string;
    if (error instanceof PlanError) {
      kind = 'other';
      reason = error.message;
    } else if (
      error instanceof BuildStepError ||
      error instanceof RolloutError
    ) {
      const classified = classifyFailure(stepName, lastLines);
      kind = error.kind === 'other' ? classified.kind : error.kind;
      reason = error.message || classified.reason;
    } else {
      const classified = classifyFailure(stepName, lastLines);
      kind = classified.kind;
      reason = `${classified.reason}: ${
        error instanceof Error ? error.message : String(error)
      }`;
    }
    return {
      status: 'failed',
      steps: ended('failed'),
      failureKind: kind,
      reason: this.redact(reason),
      lastLines,
    };
  }
}

type CodeflowStepStatus = CodeflowRunStep['status'];

/** Steps left pending (the executor reported nothing of them): skipped. */
function skipPending(steps: CodeflowRunStep[], only?: readonly string[]) {
  for (const step of steps) {
    if (step.status === 'pending' && (!only || only.includes(step.name))) {
      step.status = 'skipped';
    }
  }
}

/** The steps of a run that ended early: the running (or named) one ends `status`, later ones are skipped. */
function endSteps(
  steps: CodeflowRunStep[],
  status: CodeflowStepStatus,
  now: Date,
  failed?: string,
): CodeflowRunStep[] {
  let marked = false;
  for (const step of steps) {
    if (
      step.status === 'running' ||
      (step.name === failed && !marked && step.status === 'pending')
    ) {
      step.status = status;
      step.finishedAt = now.toISOString();
      step.durationMs = step.startedAt
        ? now.getTime() - Date.parse(step.startedAt)
        : null;
      marked = true;
    } else if (step.status === 'pending') {
      step.status = 'skipped';
    }
  }
  return steps;
}

/** The run a webhook request asks for. */
export function requestRun(
  request: PendingRunRequest,
  codeflow: StoredCodeflow,
  rollout: Pick<Rollout, 'stepsOf'>,
  config: Pick<RunsConfig, 'executor'>,
): NewRun {
  const provider = request.trigger.split('-')[0] || 'git';
  return {
    codeflow,
    trigger: request.trigger,
    requestedBy: `webhook:${provider}`,
    actingFor: request.requestedBy,
    pushedBy: request.pushedBy,
    ref: { kind: request.refKind, name: request.ref },
    commit: {
      sha: request.commitSha,
      message: request.commitMessage,
      author: request.commitAuthor,
    },
    environment: request.environment,
    executor: config.executor,
    steps: stepsOf(codeflow, request.environment, rollout),
    needsApproval: request.status === 'awaiting-approval',
  };
}

export type { CodeflowRunStatus };
