/**
 * What every executor offers the run engine (which comes in a later session): start a run, read
 * its log from an offset, ask for its result, cancel it. A handle is plain JSON, so the engine
 * can store it with the run and any replica can carry on with it.
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
