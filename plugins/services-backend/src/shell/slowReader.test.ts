import { Writable } from 'node:stream';
import { slowReaderGuard } from './slowReader';

/** A connection whose reader takes nothing (a stalled browser), or everything at once. */
function connection(reads: boolean) {
  let received = 0;
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, callback) {
      if (reads) {
        received += chunk.length;
        callback();
      }
      // a stalled reader never calls back: what is written waits in the stream
    },
  });
  return { stream, received: () => received };
}

const LINE = `${'y'.repeat(99)}\n`;

describe('slowReaderGuard', () => {
  it('drops a reader that leaves more than the cap unread, once, and writes nothing more', () => {
    const { stream } = connection(false);
    let drops = 0;
    const write = slowReaderGuard(stream, 10_000, () => drops++);
    for (let i = 0; i < 1000; i++) write(LINE);
    expect(drops).toBe(1);
    expect(stream.destroyed).toBe(true);
    // what it held is bounded by the cap and one line
    expect(stream.writableLength).toBeLessThanOrEqual(10_000 + LINE.length);
  });

  it('keeps a reader that keeps up, however much output there is', () => {
    const { stream, received } = connection(true);
    let drops = 0;
    const write = slowReaderGuard(stream, 10_000, () => drops++);
    for (let i = 0; i < 10_000; i++) write(LINE);
    expect(drops).toBe(0);
    expect(stream.destroyed).toBe(false);
    expect(received()).toBe(10_000 * LINE.length);
  });
});
