import type { LoggerService } from '@backstage/backend-plugin-api';
import { isFinishedRunStatus } from '@internal/plugin-container-cloud-common';
import type { LogChunk, RunStore, StoredRun } from './RunStore';

/** Who follows a run's log: told of each new chunk, each change of the run, and its end. */
export interface LogViewer {
  chunk(chunk: LogChunk): void;
  run(run: StoredRun): void;
  end(run: StoredRun): void;
}

/** What the run's shape is, for "did it change" (status, steps, image, log size). */
function runKey(run: StoredRun): string {
  return JSON.stringify([
    run.status,
    run.steps,
    run.image,
    run.commit,
    run.reason,
    run.logTruncated,
  ]);
}

/** One reader of one run's stored log and row, shared by every viewer of it on this replica. */
class RunReader {
  readonly viewers = new Set<LogViewer>();
  private timer: NodeJS.Timeout | undefined;
  private lastKey = '';
  private reading = false;
  stopped = false;

  constructor(
    private readonly store: RunStore,
    private readonly runId: string,
    private lastSeq: number,
    intervalMs: number,
    private readonly logger: LoggerService,
    private readonly onStop: () => void,
  ) {
    this.timer = setInterval(() => this.read(), intervalMs);
    this.read();
  }

  private async read() {
    if (this.reading || this.stopped) return;
    this.reading = true;
    try {
      // the run first: when it has finished, every chunk is stored before the chunks are read
      const run = await this.store.get(this.runId);
      const chunks = await this.store.logChunks(this.runId, {
        afterSeq: this.lastSeq,
      });
      for (const chunk of chunks) {
        this.lastSeq = chunk.seq;
        for (const viewer of this.viewers) viewer.chunk(chunk);
      }
      if (!run) return;
      const key = runKey(run);
      if (key !== this.lastKey) {
        this.lastKey = key;
        for (const viewer of this.viewers) viewer.run(run);
      }
      if (isFinishedRunStatus(run.status)) {
        for (const viewer of this.viewers) viewer.end(run);
        this.stop();
      }
    } catch (error) {
      this.logger.warn(`codeflow run ${this.runId}: reading its log: ${error}`);
    } finally {
      this.reading = false;
    }
  }

  stop() {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.viewers.clear();
    this.onStop();
  }
}

/**
 * The live logs of runs on this replica: one reader of the database per run followed (every
 * `intervalMs`), whatever the number of viewers, stopped when its last viewer leaves. Reading
 * the stored log, a viewer on any replica sees every line, whichever replica builds the run.
 */
export class LogFollowers {
  private readonly readers = new Map<string, RunReader>();

  constructor(
    private readonly store: RunStore,
    private readonly logger: LoggerService,
    private readonly intervalMs = 250,
  ) {}

  /** Runs read now (one reader each). */
  get reading(): string[] {
    return [...this.readers.keys()];
  }

  /**
   * Follows a run's log from byte `fromOffset`: what is stored is read once for this viewer,
   * then the shared reader's chunks follow (each byte once, in order). Returns how to leave.
   */
  async follow(
    runId: string,
    fromOffset: number,
    viewer: LogViewer,
  ): Promise<() => void> {
    let reader = this.readers.get(runId);
    if (!reader || reader.stopped) {
      const end = await this.store.logEnd(runId);
      reader = this.readers.get(runId);
      if (!reader || reader.stopped) {
        const created: RunReader = new RunReader(
          this.store,
          runId,
          end.seq,
          this.intervalMs,
          this.logger,
          () => {
            if (this.readers.get(runId) === created) this.readers.delete(runId);
          },
        );
        reader = created;
        this.readers.set(runId, created);
      }
    }
    const shared = reader;
    // what the reader passes on while the stored part is read waits, then goes in order
    let sent = fromOffset;
    let caughtUp = false;
    const waiting: Array<() => void> = [];
    const chunk = (c: LogChunk) => {
      if (c.endOffset <= sent) return;
      const bytes = Buffer.from(c.text);
      const start = c.endOffset - bytes.length;
      const text =
        start < sent ? bytes.subarray(sent - start).toString('utf8') : c.text;
      sent = c.endOffset;
      viewer.chunk({ ...c, text });
    };
    const ordered: LogViewer = {
      chunk: c => (caughtUp ? chunk(c) : waiting.push(() => chunk(c))),
      run: r => (caughtUp ? viewer.run(r) : waiting.push(() => viewer.run(r))),
      end: r => (caughtUp ? viewer.end(r) : waiting.push(() => viewer.end(r))),
    };
    shared.viewers.add(ordered);
    const leave = () => {
      shared.viewers.delete(ordered);
      if (shared.viewers.size === 0) shared.stop();
    };
    try {
      for (const c of await this.store.logChunks(runId, {
        afterOffset: fromOffset,
      })) {
        chunk(c);
      }
    } catch (error) {
      leave();
      throw error;
    }
    caughtUp = true;
    for (const next of waiting.splice(0)) next();
    return leave;
  }
}
