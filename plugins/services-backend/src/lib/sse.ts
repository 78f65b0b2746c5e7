import { Transform, TransformCallback } from 'node:stream';

/**
 * Splits a text stream into lines (without their `\n` or `\r\n`); a last line without a newline
 * is passed on when the stream ends. Works on chunks cut anywhere, even inside a UTF-8 character.
 */
export class LineSplitter extends Transform {
  private rest = '';
  private readonly decoder = new TextDecoder('utf-8');

  constructor() {
    super({ readableObjectMode: true });
  }

  _transform(chunk: Buffer, _encoding: string, done: TransformCallback) {
    const text = this.rest + this.decoder.decode(chunk, { stream: true });
    const lines = text.split('\n');
    this.rest = lines.pop()!;
    for (const line of lines) this.push(line.replace(/\r$/, ''));
    done();
  }

  _flush(done: TransformCallback) {
    const last = this.rest + this.decoder.decode();
    if (last) this.push(last.replace(/\r$/, ''));
    done();
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
