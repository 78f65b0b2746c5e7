import { classifyFailure } from '../failures';
import {
  BuildCommit,
  BuildPlan,
  BuildResult,
  BuildSink,
  BuildStep,
  BuildStepError,
  ExecutorLogChunk,
  ExecutorResult,
  imageTagsOf,
} from './types';

/** How the adapter reads one run of a `RunExecutor` (bound to its handle). */
export interface FollowedRun {
  /** the executor's name, for the reasons ("Jenkins", "the Kubernetes Job") */
  executor: string;
  logs(offset: number): Promise<ExecutorLogChunk>;
  result(): Promise<ExecutorResult>;
  cancel(): Promise<void>;
  /** the index (in `steps`) of the stage a log line starts, if it is the executor's stage marker */
  stageMarker(line: string): number | undefined;
  /**
   * the index of a stage the executor skipped, if the line says so (Jenkins enters every later
   * stage after a failure: `[Pipeline] { (image)`, then `Stage "image" skipped due to earlier
   * failure(s)`); the step before it is the one that failed, and the log stays with it
   */
  stageSkipped?(line: string): number | undefined;
}

export interface FollowOptions {
  /** waits between reads; default 250 ms × 1.5 up to 5 s, back to 250 ms when text arrives */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** A run the user (or its timeout) stopped: the engine records it cancelled. */
export class BuildCancelledError extends Error {
  readonly name = 'AbortError';
}

const MAX_LAST_LINES = 30;
const DIGEST = /^CODEFLOW_DIGEST=(sha256:[0-9a-f]{64})\s*$/;

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    if (signal.aborted) {
      resolve();
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined = undefined;
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** The value of `NAME=` on a line of its own among a step's lines (the last one wins). */
function printed(lines: string[], name: string): string | undefined {
  const prefix = `${name}=`;
  return lines
    .filter(l => l.startsWith(prefix))
    .pop()
    ?.slice(prefix.length)
    .trim();
}

/**
 * Follows a started run of a remote executor: reads its log, cuts it into the build steps at the
 * executor's stage markers (a marker only moves forward, so a line that imitates an earlier
 * stage's marker is just text), reports each step's start, text and end to the sink, and turns
 * the result into a BuildResult (the commit from the fetch step's lines, the digest from the push
 * step's) or a BuildStepError of the step that failed, its reason recognised from the step's
 * last lines. An aborted `sink.signal` cancels the run in the executor.
 */
export async function followBuild(
  plan: BuildPlan,
  steps: BuildStep[],
  run: FollowedRun,
  sink: BuildSink,
  options: FollowOptions = {},
): Promise<BuildResult> {
  const sleep = options.sleep ?? abortableSleep;
  const lines = new Map<BuildStep, string[]>(steps.map(s => [s, []]));
  let current = -1;
  let partial = '';

  const cancelled = async (at: BuildStep): Promise<never> => {
    await run.cancel();
    throw new BuildCancelledError(
      `the run was cancelled in the ${at} step: ${run.executor} was asked to stop it`,
    );
  };
  const finishStep = async (index: number) => {
    const step = steps[index];
    if (step === 'fetch') {
      const commit = commitOf(plan, lines.get('fetch')!);
      if (commit) await sink.commit(commit);
    }
    await sink.stepFinished(step, {
      status: 'succeeded',
      detail: detailOf(plan, step, lines.get(step)!),
    });
    if (step === 'fetch' && !steps.includes('preprocess')) {
      await sink.stepFinished('preprocess', {
        status: 'skipped',
        detail: 'the codeflow has no pre-processing script',
      });
    }
  };
  const moveTo = async (index: number) => {
    for (let next = current + 1; next <= index; next++) {
      if (current >= 0) await finishStep(current);
      current = next;
      await sink.stepStarted(steps[current]);
    }
  };
  // a marker waits for the line after it: a stage the executor skipped does not start
  let entering: number | undefined;
  let stopped = false; // a stage was skipped: nothing starts any more
  let marked = -1; // the last stage whose marker was seen
  const take = async (text: string, end: boolean) => {
    const all = partial + text;
    const parts = all.split('\n');
    partial = end ? '' : parts.pop()!;
    if (end && parts[parts.length - 1] === '') parts.pop();
    let out: string[] = [];
    const flush = () => {
      if (out.length > 0 && current >= 0) {
        sink.log(steps[current], `${out.join('\n')}\n`);
        lines.get(steps[current])!.push(...out);
      }
      out = [];
    };
    for (const line of parts) {
      if (entering !== undefined) {
        const skipped = run.stageSkipped?.(line);
        const next = entering;
        entering = undefined;
        if (skipped === next) {
          stopped = true;
          continue;
        }
        flush();
        await moveTo(next);
      }
      const marker = stopped ? undefined : run.stageMarker(line);
      if (marker !== undefined && marker > marked) {
        marked = marker;
        // the first step may have started with the executor's preamble
        if (marker === current) continue;
        if (run.stageSkipped) entering = marker;
        else {
          flush();
          await moveTo(marker);
        }
        continue;
      }
      if (current < 0) await moveTo(0); // the executor's preamble belongs to the first step
      out.push(line);
    }
    flush();
    if (end && entering !== undefined) {
      await moveTo(entering);
      entering = undefined;
    }
  };

  let offset = 0;
  let delay = 250;
  let result: ExecutorResult = { state: 'running' };
  for (;;) {
    if (sink.signal.aborted) return cancelled(steps[Math.max(0, current)]);
    const chunk = await run.logs(offset);
    if (chunk.text) {
      await take(chunk.text, false);
      delay = 250;
    }
    offset = chunk.nextOffset;
    if (!chunk.more) {
      result = await run.result();
      if (result.state !== 'running' && result.state !== 'queued') break;
    }
    await sleep(delay, sink.signal);
    delay = Math.min(5000, delay * 1.5);
  }
  // the log may have grown between its last read and the result
  for (let more = true; more; ) {
    const chunk = await run.logs(offset);
    if (chunk.text) await take(chunk.text, false);
    more = chunk.nextOffset > offset;
    offset = chunk.nextOffset;
  }
  await take('', true);
  // cancelled while the last of the log was read: the user asked, the run ends cancelled
  if (sink.signal.aborted) return cancelled(steps[Math.max(0, current)]);

  const step = steps[Math.max(0, current)];
  if (current < 0) await moveTo(0);
  if (result.state === 'cancelled') {
    throw new BuildStepError(
      step,
      `${run.executor} cancelled the run${
        result.reason ? ` (${result.reason})` : ''
      }`,
      'other',
    );
  }
  if (result.state === 'failed') {
    const last = lines.get(step)!.slice(-MAX_LAST_LINES);
    const timedOut = /took longer than|DeadlineExceeded/.test(
      result.reason ?? '',
    );
    if (timedOut) throw new BuildStepError(step, result.reason!, 'timeout');
    const found = classifyFailure(step, last);
    const kind =
      found.kind === 'rollout-refused' ||
      found.kind === 'rollout-stuck' ||
      found.kind === 'executor-lost'
        ? 'other'
        : found.kind;
    throw new BuildStepError(
      step,
      kind === 'other' && result.reason
        ? `${found.reason} (${result.reason})`
        : found.reason,
      kind,
    );
  }
  if (current < steps.length - 1) {
    throw new BuildStepError(
      steps[current + 1],
      `${run.executor} reports success, but the ${
        steps[current + 1]
      } step never started`,
      'other',
    );
  }
  const commit = commitOf(plan, lines.get('fetch')!);
  if (!commit) {
    throw new BuildStepError(
      'fetch',
      'the fetch step printed no commit (CODEFLOW_COMMIT=…) and the run named none',
      'fetch-failed',
    );
  }
  const digest = printed(lines.get('push')!, 'CODEFLOW_DIGEST');
  if (!digest || !DIGEST.test(`CODEFLOW_DIGEST=${digest}`)) {
    throw new BuildStepError(
      'push',
      'the push step ended without the image’s digest (no CODEFLOW_DIGEST=sha256:… line in its log)',
      'other',
    );
  }
  const images = imageTagsOf(plan, commit.sha);
  await sink.stepFinished('push', {
    status: 'succeeded',
    detail: `pushed ${images[0]}@${digest}`,
  });
  return {
    commit,
    images,
    digest,
    preprocessingReused: plan.preprocessing
      ? printed(lines.get('preprocess')!, 'CODEFLOW_PREPROCESS') === 'reused'
      : null,
  };
}

function commitOf(
  plan: BuildPlan,
  fetchLines: string[],
): BuildCommit | undefined {
  const sha = printed(fetchLines, 'CODEFLOW_COMMIT');
  if (sha && /^[0-9a-f]{40}$/.test(sha)) {
    return {
      sha,
      author: printed(fetchLines, 'CODEFLOW_AUTHOR') ?? '',
      message: printed(fetchLines, 'CODEFLOW_SUBJECT') ?? '',
    };
  }
  return plan.commit
    ? { sha: plan.commit, author: '', message: '' }
    : undefined;
}

/** A step's detail from its own lines ("fetched 1a2b3c4", "reused …"). */
function detailOf(
  plan: BuildPlan,
  step: BuildStep,
  stepLines: string[],
): string | undefined {
  if (step === 'fetch') {
    const sha = printed(stepLines, 'CODEFLOW_COMMIT');
    return sha ? `fetched ${sha.slice(0, 7)}` : undefined;
  }
  if (step === 'preprocess' && plan.preprocessing) {
    const how = printed(stepLines, 'CODEFLOW_PREPROCESS');
    return how === 'reused' || how === 'built'
      ? `${how} pre-processing image ${plan.preprocessing.image}`
      : undefined;
  }
  return undefined;
}
