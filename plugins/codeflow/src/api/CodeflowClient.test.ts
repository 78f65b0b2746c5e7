/**
 * @jest-environment node
 */
// Node's own fetch types (Response, ReadableStream): the client runs on them in browsers too.
import type { CodeflowLogEvent } from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { CodeflowClient } from './CodeflowClient';

const entity = {
  kind: 'component',
  namespace: 'default',
  name: 'payments-api',
};
const ID = 'cf-0123456789abcdef01234567';
const RUN = 'run-00000000000000000000000a';

function client(respond: (url: string, init?: RequestInit) => Response) {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const api = new CodeflowClient({
    discoveryApi: { getBaseUrl: async () => 'http://backend/api/codeflow' },
    fetchApi: {
      fetch: (async (url: string, init?: RequestInit) => {
        calls.push({ url, init });
        return respond(url, init);
      }) as typeof fetch,
    },
  });
  return { api, calls };
}

/** A body that arrives in the given chunks, cut wherever the test likes. */
function chunked(chunks: string[]) {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

const sse = (chunks: string[]) =>
  new Response(chunked(chunks), {
    headers: { 'Content-Type': 'text/event-stream' },
  });

function follow(api: CodeflowClient) {
  const seen: string[] = [];
  const done = new Promise<void>(resolve => {
    api.streamLog(entity, ID, RUN, {
      onLog: (e: CodeflowLogEvent) =>
        seen.push(`log ${e.step} ${JSON.stringify(e.text)} @${e.offset}`),
      onRun: run => seen.push(`run ${run.status}`),
      onEnd: end => {
        seen.push(`end ${end.status}`);
        resolve();
      },
      onError: error => {
        seen.push(`error ${error.message}`);
        resolve();
      },
    });
  });
  return { seen, done };
}

describe('CodeflowClient', () => {
  it('reaches every route under the service, with the methods and bodies of the contract', async () => {
    const { api, calls } = client(
      () =>
        new Response(JSON.stringify({ items: [] }), {
          headers: { 'Content-Type': 'application/json' },
        }),
    );
    await api.listCodeflows(entity);
    await api.listRuns(entity, ID, { limit: 20, before: 41 });
    await api.startRun(entity, ID, { environment: 'test' });
    await api.cancelRun(entity, ID, RUN);
    await api.approveRun(entity, ID, RUN);
    await api.deleteCodeflow(entity, ID, 3);
    await api.deliveries(entity, ID, 20);
    await api.setWebhookSecret(entity, ID);
    await api.buildImages();
    await api.credentials();
    expect(calls.map(c => `${c.init?.method} ${c.url}`)).toEqual([
      'GET http://backend/api/codeflow/services/default/payments-api/codeflows',
      `GET http://backend/api/codeflow/services/default/payments-api/codeflows/${ID}/runs?limit=20&before=41`,
      `POST http://backend/api/codeflow/services/default/payments-api/codeflows/${ID}/runs`,
      `POST http://backend/api/codeflow/services/default/payments-api/codeflows/${ID}/runs/${RUN}/cancel`,
      `POST http://backend/api/codeflow/services/default/payments-api/codeflows/${ID}/runs/${RUN}/approve`,
      `DELETE http://backend/api/codeflow/services/default/payments-api/codeflows/${ID}?version=3`,
      `GET http://backend/api/codeflow/services/default/payments-api/codeflows/${ID}/deliveries?limit=20`,
      `POST http://backend/api/codeflow/services/default/payments-api/codeflows/${ID}/webhook-secret`,
      'GET http://backend/api/codeflow/build-images',
      'GET http://backend/api/codeflow/credentials',
    ]);
    expect(calls[2].init?.body).toBe('{"environment":"test"}');
  });

  it('hands a 409 on edit back with the codeflow as it is now', async () => {
    const current = { id: ID, version: 4, updatedBy: 'user:default/bob' };
    const { api } = client(
      () =>
        new Response(
          JSON.stringify({
            error: {
              name: 'ConflictError',
              message: 'the codeflow changed since version 3',
            },
            current,
          }),
          { status: 409, headers: { 'Content-Type': 'application/json' } },
        ),
    );
    const error = await api
      .updateCodeflow(entity, ID, { version: 3 } as never)
      .catch(e => e);
    expect(error).toBeInstanceOf(ContainerCloudApiError);
    expect(error.message).toBe('the codeflow changed since version 3');
    expect(error.current).toEqual(current);
  });

  it('reads the live log as server-sent events, frames cut anywhere, keep-alives skipped', async () => {
    const { api, calls } = client(() =>
      sse([
        'event: log\nid: 6\ndata: {"step":"fetch","text":"clone\\n","offset":6}\n\n: keep-',
        'alive\n\nevent: run\ndata: {"status":"running"}\n\nevent: log\nid: 1',
        '4\ndata: {"step":"build","text":"npm ci\\n","offset":14}\n\nevent: end\ndata: {"status":"succeeded"}\n\n',
      ]),
    );
    const { seen, done } = follow(api);
    await done;
    expect(seen).toEqual([
      'log fetch "clone\\n" @6',
      'run running',
      'log build "npm ci\\n" @14',
      'end succeeded',
    ]);
    expect(calls[0].url).toBe(
      `http://backend/api/codeflow/services/default/payments-api/codeflows/${ID}/runs/${RUN}/log/stream`,
    );
  });

  it('resumes a live log that broke off from the last offset (Last-Event-ID), every line once', async () => {
    const answers = [
      sse([
        'event: log\nid: 6\ndata: {"step":"fetch","text":"clone\\n","offset":6}\n\n',
      ]),
      sse([
        'event: log\nid: 14\ndata: {"step":"build","text":"npm ci\\n","offset":14}\n\nevent: end\ndata: {"status":"failed"}\n\n',
      ]),
    ];
    const { api, calls } = client(() => answers.shift()!);
    const { seen, done } = follow(api);
    await done;
    expect(seen).toEqual([
      'log fetch "clone\\n" @6',
      'log build "npm ci\\n" @14',
      'end failed',
    ]);
    expect(
      (calls[0].init?.headers as Record<string, string>)['Last-Event-ID'],
    ).toBeUndefined();
    expect(
      (calls[1].init?.headers as Record<string, string>)['Last-Event-ID'],
    ).toBe('6');
  });

  it('gives up at once on a refusal, in the server’s words', async () => {
    const { api, calls } = client(
      () =>
        new Response(
          JSON.stringify({
            error: {
              name: 'NotAllowedError',
              message: 'you may not read the logs of payments-api',
            },
          }),
          { status: 403, headers: { 'Content-Type': 'application/json' } },
        ),
    );
    const { seen, done } = follow(api);
    await done;
    expect(seen).toEqual(['error you may not read the logs of payments-api']);
    expect(calls).toHaveLength(1);
  });
});
