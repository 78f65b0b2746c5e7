/**
 * What every remote executor (Jenkins, Kubernetes Job) offers its build adapter: start a run, read
 * its log from an offset, ask for its result, cancel it. A handle is plain JSON; the run engine
 * does not store it yet (`codeflow_runs.executor_handle` stays empty): the replica that started a
 * build follows it to its end, and a run whose replica stops is failed as `executor-lost`.
 */

/** One stage of a run: a name the history shows, and its commands, each an argv array. */
export interface ExecutorStage {
  name: string;
  commands: string[][];
}

/** What the run engine asks an executor to run. */
export interface ExecutorRun {
  /** the run's id (the engine's) */
  runId: string;
  codeflowId: string;
  /** the stages, in order; a failing command fails the run */
  stages: ExecutorStage[];
  /** parameters of this run (commit, ref, image…), given to the commands as environment variables */
  parameters: Record<string, string>;
}

/** Where a run stands. */
export type ExecutorState =
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled';

/** A run's state, with a reason in words when it did not succeed. */
export interface ExecutorResult {
  state: ExecutorState;
  reason?: string;
}

/** A part of a run's log: the text from `offset`, the offset to read from next, and whether more will come. */
export interface ExecutorLogChunk {
  text: string;
  nextOffset: number;
  more: boolean;
}

/** An executor: the run engine calls these, whatever runs the build (Jenkins, a Kubernetes Job, this host). */
export interface RunExecutor<THandle> {
  /** starts the run; resolves once the executor knows it (e.g. Jenkins gave it a build number) */
  start(run: ExecutorRun): Promise<THandle>;
  /** the log from `offset` (0 at first, then each chunk's `nextOffset`) */
  logs(handle: THandle, offset: number): Promise<ExecutorLogChunk>;
  result(handle: THandle): Promise<ExecutorResult>;
  /** asks the run to stop; `result` then says `cancelled` */
  cancel(handle: THandle): Promise<void>;
}

/**
 * What one build needs, whatever builds it (the run engine makes it from the codeflow as it was
 * when the run was asked for). Plain JSON.
 */
export interface BuildPlan {
  runId: string;
  codeflowId: string;
  /** the build number (per codeflow, from 1) */
  buildNumber: number;
  repository: {
    url: string;
    /** the name of an entry of `containerCloud.codeflow.credentials`, or null */
    credentials: string | null;
  };
  ref: { kind: 'branch' | 'tag'; name: string };
  /** the commit to build; null: the ref's head when fetched */
  commit: string | null;
  buildImage: { id: string; image: string; runtimeImage: string };
  /** argv commands, run in the build image as a non-root user, in the repository's folder */
  buildScript: string[][];
  /** what the build leaves, relative to the repository (may hold * and ?) */
  artifactPath: string;
  /** the Dockerfile that assembles the image (generated from the fields, or the custom one) */
  dockerfile: string;
  /**
   * its build arguments (`BUILD_ARGS` of ../dockerfile); the executor sets the revision one once
   * the commit is known
   */
  buildArgs: Record<string, string>;
  /** the pre-processing image: its key, Dockerfile and the reference it is kept under */
  preprocessing: { key: string; dockerfile: string; image: string } | null;
  /**
   * where the image goes: `<repository>:<short sha>-<build number>` (see `imageTagsOf`) and
   * `<repository>:<branchTag>` when the ref is a branch
   */
  image: { repository: string; branchTag: string | null };
  /** the registry credentials' name in `containerCloud.codeflow.credentials`, or null */
  registryCredentials: string | null;
}

/** The commit a build found. */
export interface BuildCommit {
  sha: string;
  message: string;
  author: string;
}

/** The build steps an executor reports (the engine adds the roll-out steps). */
export type BuildStep = 'fetch' | 'preprocess' | 'build' | 'image' | 'push';

/** How an executor reports a build's progress to the run engine. */
export interface BuildSink {
  /** a step begins */
  stepStarted(step: BuildStep): Promise<void>;
  /** a step ends; `detail` in words ("reused pre-processing image …", "fetched into the cache in 0.4 s") */
  stepFinished(
    step: BuildStep,
    outcome: { status: 'succeeded' | 'skipped'; detail?: string },
  ): Promise<void>;
  /** log text of a step (any size, any line breaks; the engine stores it, capped, and streams it) */
  log(step: BuildStep, text: string): void;
  /** the commit fetched */
  commit(commit: BuildCommit): Promise<void>;
  /** aborted when the run is cancelled or outlives its timeout */
  signal: AbortSignal;
}

/** What a successful build gives the engine. */
export interface BuildResult {
  commit: BuildCommit;
  /** the tags pushed, `<repository>:<tag>`, the first the build's own (short sha + number) */
  images: string[];
  /** the pushed image's digest (sha256:…) */
  digest: string;
  /** true: reused, false: built, null: the codeflow has no pre-processing script */
  preprocessingReused: boolean | null;
}

/**
 * A failed step: the engine records the step as failed with `reason` and `kind` (compile
 * error, test failure, push denied…, recognised from the log where possible).
 */
export class BuildStepError extends Error {
  readonly name = 'BuildStepError';
  constructor(
    readonly step: BuildStep,
    message: string,
    readonly kind:
      | 'fetch-failed'
      | 'compile-error'
      | 'test-failure'
      | 'build-failed'
      | 'push-denied'
      | 'timeout'
      | 'other' = 'other',
  ) {
    super(message);
  }
}

/** Builds a plan into an image: the local executor, a Kubernetes Job, Jenkins. */
export interface BuildExecutor {
  readonly id: 'local' | 'kubernetes' | 'jenkins';
  /** throws `BuildStepError` for a failed step; an aborted `sink.signal` ends it as cancelled */
  build(plan: BuildPlan, sink: BuildSink): Promise<BuildResult>;
}

/** The tags of a build: `<short sha>-<build number>`, then the branch's tag. */
export function imageTagsOf(
  plan: Pick<BuildPlan, 'image' | 'buildNumber'>,
  sha: string,
): string[] {
  const own = `${plan.image.repository}:${sha.slice(0, 7)}-${plan.buildNumber}`;
  return plan.image.branchTag
    ? [own, `${plan.image.repository}:${plan.image.branchTag}`]
    : [own];
}
