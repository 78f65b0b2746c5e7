import type { RunStore } from './RunStore';

/** The lines of a failed step the history shows. */
export const LAST_LINES = 30;

export interface RunLogOptions {
  /** the bytes kept; past it one line says the log was cut, and the rest is dropped */
  maxBytes: number;
  /**
   * a stream-safe redactor for one step's text (failures' `LogRedactor`): it holds back what may
   * be the start of a secret until the next text, or the step's end
   */
  redactor: () => { push(text: string): string; flush(): string };
  /** written at least this often while text comes (default 250 ms) */
  flushMs?: number;
  /** or as soon as this much text waits (default 16 KiB) */
  flushBytes?: number;
  /** where the stored log ends (a run taken over carries on after it) */
  start?: { seq: number; offset: number };
}

/**
 * A run's log as the running replica writes it: every text redacted as a stream, buffered and
 * stored in chunks (every `flushMs` or `flushBytes`), capped at `maxBytes`; the last lines of each
 * step kept for the history row. Viewers read the stored chunks (any replica).
 */
export class RunLog {
  private seq: number;
  private offset: number;
  private truncated = false;
  /** each step's redactor (a secret split over two texts is still hidden) */
  private readonly redactors = new Map<
    string,
    { push(text: string): string; flush(): string }
  >();
  private pending: Array<{ step: string; text: string }> = [];
  private pendingBytes = 0;
  private readonly tails = new Map<string, string[]>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly flushMs: number;
  private readonly flushBytes: number;

  constructor(
    private readonly store: RunStore,
    private readonly runId: string,
    private readonly options: RunLogOptions,
  ) {
    this.seq = options.start?.seq ?? -1;
    this.offset = options.start?.offset ?? 0;
    this.flushMs = options.flushMs ?? 250;
    this.flushBytes = options.flushBytes ?? 16 * 1024;
  }

  /** Text of a step, any size, any line breaks. */
  write(step: string, text: string): void {
    if (!text) return;
    let redactor = this.redactors.get(step);
    if (!redactor) {
      redactor = this.options.redactor();
      this.redactors.set(step, redactor);
    }
    this.queue(step, redactor.push(text));
  }

  /** A step ended: what its redactor held back is written too. */
  endStep(step: string): void {
    const redactor = this.redactors.get(step);
    if (redactor) this.queue(step, redactor.flush());
    this.redactors.delete(step);
  }

  /** The step's last lines (redacted), at most LAST_LINES. */
  lastLines(step: string): string[] {
    const tail = [...(this.tails.get(step) ?? [])];
    if (tail[tail.length - 1] === '') tail.pop();
    return tail.slice(-LAST_LINES);
  }

  /** What was written so far (but what a redactor holds back) is stored when this resolves. */
  async flush(): Promise<void> {
    await this.drain();
  }

  /** Every step's text ended (the run stopped): what the redactors hold back is written. */
  endAllSteps(): void {
    for (const step of this.redactors.keys()) this.endStep(step);
  }

  /** Ends every step's text and stores it all, and stops the timer. */
  async close(): Promise<void> {
    this.endAllSteps();
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private queue(step: string, text: string) {
    if (!text) return;
    // the tail's last line may still be open: the next text continues it
    const tail = this.tails.get(step) ?? [''];
    const lines = text.split('\n');
    tail[tail.length - 1] += lines[0];
    tail.push(...lines.slice(1));
    this.tails.set(step, tail.slice(-(LAST_LINES + 1)));
    if (this.truncated) return;
    this.pending.push({ step, text });
    this.pendingBytes += Buffer.byteLength(text);
    if (this.pendingBytes >= this.flushBytes) {
      this.drain().catch(() => {});
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.drain().catch(() => {});
      }, this.flushMs);
    }
  }

  /** Writes what waits, one chunk per run of one step's text, in order, one write at a time. */
  private drain(): Promise<void> {
    const next = this.writing.then(async () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      const pieces = this.pending;
      this.pending = [];
      this.pendingBytes = 0;
      const chunks: Array<{ step: string; text: string }> = [];
      for (const piece of pieces) {
        const last = chunks[chunks.length - 1];
        if (last && last.step === piece.step) last.text += piece.text;
        else chunks.push({ ...piece });
      }
      for (const chunk of chunks) await this.store1(chunk.step, chunk.text);
    });
    this.writing = next.catch(() => {});
    return next;
  }

  private async store1(step: string, text: string) {
    if (this.truncated) return;
    let kept = text;
    let cut = false;
    const bytes = Buffer.byteLength(text);
    if (this.offset + bytes > this.options.maxBytes) {
      const room = Math.max(0, this.options.maxBytes - this.offset);
      // cut on a character boundary: decoding drops a split character's bytes
      kept = Buffer.from(text)
        .subarray(0, room)
        .toString('utf8')
        .replace(/\uFFFD$/, '');
      if (kept && !kept.endsWith('\n')) kept += '\n';
      kept += `[the log was cut here: it reached ${this.options.maxBytes} bytes (containerCloud.codeflow.runs.maxLogBytes); the rest of this run's output is not kept]\n`;
      cut = true;
    }
    this.seq += 1;
    this.offset += Buffer.byteLength(kept);
    if (cut) this.truncated = true;
    await this.store.appendLog(
      this.runId,
      { seq: this.seq, step, text: kept, endOffset: this.offset },
      { truncated: cut },
    );
  }
}
