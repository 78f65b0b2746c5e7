import { Transform, TransformCallback } from 'node:stream';

/** The longest log line passed on whole (characters); the rest of a longer line is dropped. */
export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

/**
 * Splits a text stream into lines (without their `\n` or `\r\n`); a last line without a newline
 * is passed on when the stream ends. Works on chunks cut anywhere, even inside a UTF-8 character.
 * A line longer than `maxLineLength` is passed on cut, with a note saying so, and the rest of it
 * dropped as it arrives: a container that writes a 100 MB line costs at most one cap and one chunk
 * of memory, not the whole line.
 */
export class LineSplitter extends Transform {
  private rest = '';
  /** the current line was cut: drop what comes until its newline */
  private dropping = false;
  private readonly decoder = new TextDecoder('utf-8');
  private readonly maxLineLength: number;

  constructor(options: { maxLineLength?: number } = {}) {
    super({ readableObjectMode: true });
    this.maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  }

  _transform(chunk: Buffer, _encoding: string, done: TransformCallback) {
    const text = this.decoder.decode(chunk, { stream: true });
    let start = 0;
    for (;;) {
      const newline = text.indexOf('\n', start);
      const piece = text.slice(start, newline === -1 ? undefined : newline);
      if (newline === -1) {
        if (!this.dropping) {
          this.rest += piece;
          if (this.rest.length > this.maxLineLength) this.cut(this.rest);
        }
        break;
      }
      if (this.dropping) {
        this.dropping = false;
      } else {
        const line = this.rest + piece;
        this.rest = '';
        if (line.length > this.maxLineLength) {
          this.cut(line);
          this.dropping = false;
        } else {
          this.push(line.replace(/\r$/, ''));
        }
      }
      start = newline + 1;
    }
    done();
  }

  _flush(done: TransformCallback) {
    const last = this.dropping ? '' : this.rest + this.decoder.decode();
    if (last.length > this.maxLineLength) this.cut(last);
    else if (last) this.push(last.replace(/\r$/, ''));
    done();
  }

  /** Passes on the start of a line that is too long, and drops the rest of it. */
  private cut(line: string) {
    this.push(
      `${line.slice(0, this.maxLineLength)} [line cut: longer than ${
        this.maxLineLength
      } characters]`,
    );
    this.rest = '';
    this.dropping = true;
  }
}

/**
 * One Server-Sent Event. `data` is one line (callers split text first), so it can never break
 * the framing; an event name is only letters and dashes.
 */
export function sseEvent(data: string, event?: string): string {
  const name = event ? `event: ${event.replace(/[^a-z-]/gi, '')}\n` : '';
  return `${name}data: ${data.replace(/[\r\n]/g, ' ')}\n\n`;
}
