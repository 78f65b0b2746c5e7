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
