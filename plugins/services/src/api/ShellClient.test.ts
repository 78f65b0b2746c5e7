/**
 * @jest-environment node
 */
// Node's own fetch types (Response, ReadableStream): the client runs on them in browsers too.
import { ShellClient, ShellOutputHandlers } from './ShellClient';
import { paymentsApi as entity } from '../testUtils/fixtures';

/** An error as Backstage's backends answer it. */
function backendError(status: number, name: string, message: string) {
  return new Response(
    JSON.stringify({
      error: { name, message },
      request: {
        method: 'GET',
        url: '/api/services/services/default/payments-api/shells/id-1/output',
      },
      response: { statusCode: status },
    }),
    { status, headers: { 'content-type': 'application/json' } },
  );
}

function followWith(respond: () => Response | Promise<Response>) {
  const client = new ShellClient({
    discoveryApi: { getBaseUrl: async () => 'http://backend/api/services' },
    fetchApi: { fetch: (async () => respond()) as typeof fetch },
  });
  const seen: string[] = [];
  const handlers: ShellOutputHandlers = {
    onOutput: bytes => seen.push(`output ${new TextDecoder().decode(bytes)}`),
    onExit: exit =>
      seen.push(`exit ${exit.exitCode ?? ''}${exit.message ?? ''}`),
    onDisconnect: error => seen.push(`disconnect ${error.message}`),
  };
  return client
    .follow(entity, 'id-1', 0, handlers, new AbortController().signal)
    .then(() => seen);
}

describe('ShellClient.follow', () => {
  it('reads output and the exit from the NDJSON stream', async () => {
    const body = [
      { type: 'output', offset: 0, data: Buffer.from('hi').toString('base64') },
      { type: 'ping' },
      { type: 'exit', exitCode: 0 },
    ]
      .map(e => `${JSON.stringify(e)}\n`)
      .join('');
    expect(await followWith(() => new Response(body))).toEqual([
      'output hi',
      'exit 0',
    ]);
  });

  it('ends a shell the backend no longer has (its replica is gone) instead of reconnecting', async () => {
    const message =
      'shell id-1 was lost: the backend replica that held it stopped; open a new shell';
    const seen = await followWith(() =>
      backendError(404, 'NotFoundError', message),
    );
    expect(seen).toEqual([`exit ${message}`]);
  });

  it('reconnects after a broken connection or a stream that closed early', async () => {
    expect(
      await followWith(() => {
        throw new TypeError('fetch failed');
      }),
    ).toEqual(['disconnect fetch failed']);
    expect(await followWith(() => new Response(''))).toEqual([
      'disconnect the output stream closed',
    ]);
    const unavailable = await followWith(() =>
      backendError(502, 'Error', 'cluster local-a: bad gateway'),
    );
    expect(unavailable).toEqual(['disconnect cluster local-a: bad gateway']);
  });
});
