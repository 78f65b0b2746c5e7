import { Readable } from 'node:stream';
import { LineSplitter, sseEvent } from './sse';

async function split(chunks: Buffer[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of Readable.from(chunks).pipe(new LineSplitter())) {
    lines.push(line);
  }
  return lines;
}

describe('LineSplitter', () => {
  it('joins lines cut across chunks and keeps a last line without newline', async () => {
    expect(
      await split([
        Buffer.from('first li'),
        Buffer.from('ne\r\nsecond\n\nthi'),
        Buffer.from('rd'),
      ]),
    ).toEqual(['first line', 'second', '', 'third']);
  });

  it('keeps a UTF-8 character cut between chunks whole', async () => {
    const bytes = Buffer.from('grüße\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside the two bytes of ü
    expect(await split([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual([
      'grüße',
    ]);
  });
});

describe('sseEvent', () => {
  it('frames one line, named or not', () => {
    expect(sseEvent('hello')).toBe('data: hello\n\n');
    expect(sseEvent('{"a":1}', 'open')).toBe('event: open\ndata: {"a":1}\n\n');
  });

  it('cannot be broken out of by a newline in the data or a strange event name', () => {
    expect(sseEvent('a\n\ndata: forged', 'x\ny')).toBe(
      'event: xy\ndata: a  data: forged\n\n',
    );
  });
});
