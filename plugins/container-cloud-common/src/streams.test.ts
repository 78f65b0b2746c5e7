import { readNdjson, readServerSentEvents } from './streams';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function all(chunks: string[]) {
  const values: unknown[] = [];
  for await (const value of readNdjson(streamOf(chunks))) values.push(value);
  return values;
}

describe('readNdjson', () => {
  it('yields one value per line, joining lines split across chunks', async () => {
    expect(
      await all([
        '{"type":"out',
        'put","data":"aGk="}\n{"type":"ping"}\n',
        '{"ty',
        'pe":"exit","exitCode":0}\n',
      ]),
    ).toEqual([
      { type: 'output', data: 'aGk=' },
      { type: 'ping' },
      { type: 'exit', exitCode: 0 },
    ]);
  });

  it('joins a character split across chunks', async () => {
    const bytes = new TextEncoder().encode('{"data":"ä"}\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 10));
        controller.enqueue(bytes.slice(10));
        controller.close();
      },
    });
    const values: unknown[] = [];
    for await (const value of readNdjson(stream)) values.push(value);
    expect(values).toEqual([{ data: 'ä' }]);
  });

  it('ends with the stream, yielding nothing of an unfinished line', async () => {
    expect(await all(['{"a":1}\n{"b":'])).toEqual([{ a: 1 }]);
  });
});

describe('readServerSentEvents', () => {
  it('yields named and unnamed events, joins data lines and skips keep-alive comments', async () => {
    const events: unknown[] = [];
    for await (const event of readServerSentEvents(
      streamOf([
        'event: open\ndata: {"container":"app"}\n\n: keep-alive\n\nda',
        'ta: line one\n\ndata: two\ndata: lines\n\nevent: end\ndata: \n\n',
      ]),
    )) {
      events.push(event);
    }
    expect(events).toEqual([
      { event: 'open', data: '{"container":"app"}' },
      { event: 'message', data: 'line one' },
      { event: 'message', data: 'two\nlines' },
      { event: 'end', data: '' },
    ]);
  });
});
