// Readers of the streamed answers of the services backend, for its pages and its tests.

/**
 * The values of a newline-delimited JSON stream (a web shell's output), one per line, as their
 * lines arrive; a line split across chunks is joined first. Ends when the stream ends.
 * @public
 */
export async function* readNdjson<T = unknown>(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<T> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    for (
      let newline = buffer.indexOf('\n');
      newline >= 0;
      newline = buffer.indexOf('\n')
    ) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      yield JSON.parse(line) as T;
    }
  }
}

/** One Server-Sent Event: its `event:` name (`message` when it has none) and its data. @public */
export interface ServerSentEvent {
  event: string;
  /** the frame's `data:` lines, joined with newlines */
  data: string;
}

/**
 * The events of a Server-Sent Events stream (a followed log), as their frames arrive; keep-alive
 * comments are skipped. Ends when the stream ends.
 * @public
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    for (
      let end = buffer.indexOf('\n\n');
      end >= 0;
      end = buffer.indexOf('\n\n')
    ) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (frame.startsWith(':')) continue; // keep-alive comment
      let event = 'message';
      const data: string[] = [];
      for (const line of frame.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      yield { event, data: data.join('\n') };
    }
  }
}
