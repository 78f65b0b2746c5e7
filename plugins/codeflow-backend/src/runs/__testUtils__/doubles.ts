import { NotAllowedError } from '@backstage/errors';
import type { CodeflowTarget } from '@internal/plugin-container-cloud-common';
import {
  BuildStepError,
  imageTagsOf,
  type BuildExecutor,
  type BuildPlan,
  type BuildResult,
  type BuildSink,
  type BuildStep,
} from '../../executors/types';
import {
  RolloutError,
  type Rollout,
  type RolloutActor,
} from '../../rollout/types';

/** Resolves when the signal is aborted. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), {
      once: true,
    });
  });
}

/** What the test executor does with one plan. */
export interface TestBuildBehaviour {
  /** log text per step (default: two lines per step) */
  logs?: Partial<Record<BuildStep, string[]>>;
  /** fail this step with this error */
  fail?: { step: BuildStep; message: string; kind?: BuildStepError['kind'] };
  /** wait in this step until `release(runId)` (or the run is stopped) */
  holdIn?: BuildStep;
  /** wait before the first step starts, until `release(runId)` (or the run is stopped) */
  holdBeforeStart?: boolean;
}

/** A shared count of builds under way, over several executors (several replicas). */
export class BuildCounter {
  now = 0;
  max = 0;
  enter() {
    this.now += 1;
    this.max = Math.max(this.max, this.now);
  }
  leave() {
    this.now -= 1;
  }
}

/**
 * A build executor for the engine's tests: reports the steps of a plan, logs lines, fails or
 * waits on demand, honours the sink's signal. The real executors are tested on their own.
 */
export class TestExecutor implements BuildExecutor {
  readonly id = 'local' as const;
  readonly plans: BuildPlan[] = [];
  private readonly gates = new Map<string, () => void>();
  private readonly waiting = new Map<string, Promise<void>>();

  constructor(
    private readonly behaviour: (
      plan: BuildPlan,
    ) => TestBuildBehaviour = () => ({}),
    readonly counter = new BuildCounter(),
  ) {}

  /** Lets a held build go on. */
  release(runId: string) {
    const open = this.gates.get(runId);
    if (open) open();
    else this.waiting.set(runId, Promise.resolve());
  }

  /** Whether the run's build waits in its held step now. */
  holding(runId: string) {
    return this.gates.has(runId);
  }

  private async hold(runId: string, signal: AbortSignal) {
    const gate =
      this.waiting.get(runId) ??
      new Promise<void>(resolve => this.gates.set(runId, resolve));
    this.waiting.delete(runId);
    try {
      await Promise.race([gate, aborted(signal)]);
    } finally {
      this.gates.delete(runId);
    }
  }

  async build(plan: BuildPlan, sink: BuildSink): Promise<BuildResult> {
    this.plans.push(plan);
    const how = this.behaviour(plan);
    this.counter.enter();
    try {
      const sha = (plan.commit ?? 'c0ffee1234567890').padEnd(40, '0');
      const steps: BuildStep[] = plan.preprocessing
        ? ['fetch', 'preprocess', 'build', 'image', 'push']
        : ['fetch', 'build', 'image', 'push'];
      if (how.holdBeforeStart) {
        await this.hold(plan.runId, sink.signal);
        if (sink.signal.aborted) throw sink.signal.reason;
      }
      for (const step of steps) {
        await sink.stepStarted(step);
        for (const line of how.logs?.[step] ?? [
          `${step}: line 1`,
          `${step}: line 2`,
        ]) {
          sink.log(step, `${line}\n`);
        }
        if (step === 'fetch') {
          await sink.commit({
            sha,
            message: 'the change',
            author: 'Alice <alice@example.com>',
          });
        }
        if (how.holdIn === step) await this.hold(plan.runId, sink.signal);
        if (sink.signal.aborted) throw sink.signal.reason;
        if (how.fail?.step === step) {
          throw new BuildStepError(step, how.fail.message, how.fail.kind);
        }
        await sink.stepFinished(step, { status: 'succeeded' });
        if (step === 'fetch' && !plan.preprocessing) {
          // as the local executor does: a step the run does not have, reported skipped
          await sink.stepFinished('preprocess', { status: 'skipped' });
        }
      }
      return {
        commit: { sha, message: 'the change', author: 'Alice' },
        images: imageTagsOf(plan, sha),
        digest: `sha256:${'d'.repeat(64)}`,
        preprocessingReused: plan.preprocessing ? false : null,
      };
    } finally {
      this.counter.leave();
    }
  }
}

/** One roll-out the test roll-out was asked for. */
export interface RolledOut {
  runId: string;
  image: string;
  targets: CodeflowTarget[];
  actor: RolloutActor;
}

/** A roll-out for the engine's tests: records each call, refuses or fails on demand. */
export class TestRollout implements Rollout {
  readonly rolled: RolledOut[] = [];
  /** users refused by checkUserMayRoll */
  readonly refused = new Set<string>();
  /** fail the roll-out of these runs */
  readonly failing = new Set<string>();

  async checkUserMayRoll(
    targets: CodeflowTarget[],
    credentials: { principal: unknown },
  ) {
    const user = (credentials.principal as { userEntityRef?: string })
      .userEntityRef;
    if (user && this.refused.has(user) && targets.length > 0) {
      throw new NotAllowedError(
        `targets.0: you may not upgrade ${targets[0].service}`,
      );
    }
  }

  stepsOf(targets: CodeflowTarget[]) {
    return targets.flatMap(t =>
      t.placements.map(p => `rollout ${p.cluster}/${p.namespace}`),
    );
  }

  async roll(input: Parameters<Rollout['roll']>[0]) {
    this.rolled.push({
      runId: input.runId,
      image: input.image,
      targets: input.targets,
      actor: input.actor,
    });
    for (const step of this.stepsOf(input.targets)) {
      await input.sink.stepStarted(step);
      input.sink.log(step, `upgrading to ${input.image}\n`);
      if (this.failing.has(input.runId)) {
        throw new RolloutError(
          step,
          'the Deployment did not become ready: ImagePullBackOff',
          'rollout-stuck',
        );
      }
      await input.sink.stepFinished(step, { status: 'succeeded' });
    }
  }
}
