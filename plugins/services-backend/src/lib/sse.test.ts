import { Readable } from 'node:stream';
import { DEFAULT_MAX_LINE_LENGTH, LineSplitter, sseEvent } from './sse';

async function split(
  chunks: Iterable<Buffer>,
  maxLineLength?: number,
): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of Readable.from(chunks).pipe(
    new LineSplitter({ maxLineLength }),
  )) {
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

describe('LineSplitter with a line-length cap', () => {
  const cut = (start: string, max: number) =>
    `${start} [line cut: longer than ${max} characters]`;

  it('passes a 100 MB line on as its first characters and a note, and goes on with the next line', async () => {
    const MB = 1024 * 1024;
    function* container() {
      yield Buffer.from('before\n');
      const block = Buffer.alloc(64 * 1024, 'x');
      for (let sent = 0; sent < 100 * MB; sent += block.length) yield block;
      yield Buffer.from('\nafter\n');
    }
    const lines = await split(container(), 1000);
    expect(lines).toEqual(['before', cut('x'.repeat(1000), 1000), 'after']);
  });

  it('cuts at the cap exactly, within one chunk, across chunks and at the end', async () => {
    expect(await split([Buffer.from('abcd\nabcde\nab')], 4)).toEqual([
      'abcd',
      cut('abcd', 4),
      'ab',
    ]);
    expect(
      await split(
        [Buffer.from('abc'), Buffer.from('def'), Buffer.from('g\nz')],
        4,
      ),
    ).toEqual([cut('abcd', 4), 'z']);
    expect(await split([Buffer.from('ok\nabcdefgh')], 4)).toEqual([
      'ok',
      cut('abcd', 4),
    ]);
  });

  it('has a cap by default', async () => {
    const long = 'y'.repeat(DEFAULT_MAX_LINE_LENGTH + 10);
    expect(await split([Buffer.from(`${long}\nnext\n`)])).toEqual([
      cut('y'.repeat(DEFAULT_MAX_LINE_LENGTH), DEFAULT_MAX_LINE_LENGTH),
      'next',
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
