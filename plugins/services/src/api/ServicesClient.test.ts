/**
 * @jest-environment node
 */
// Node's own fetch types (Response, ReadableStream): the client runs on them in browsers too.
import { LogFollowHandlers, ServicesClient } from './ServicesClient';
import { paymentsApi as entity } from '../testUtils/fixtures';

const request = {
  cluster: 'local-a',
  namespace: 'payments',
  pod: 'payments-api-7d9-abcde',
  container: 'app',
  tailLines: 100,
};

function client(respond: (url: string, init?: RequestInit) => Response) {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const api = new ServicesClient({
    discoveryApi: {
      getBaseUrl: async () => 'http://backend/api/services',
    },
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

function follow(api: ServicesClient) {
  const seen: string[] = [];
  let close: () => void = () => {};
  const done = new Promise<void>(resolve => {
    const handlers: LogFollowHandlers = {
      onOpen: info => seen.push(`open ${info.container}@${info.cluster}`),
      onLine: line => seen.push(`line ${line}`),
      onEnd: () => {
        seen.push('end');
        resolve();
      },
      onError: error => {
        seen.push(`error ${error.message}`);
        resolve();
      },
    };
    close = api.followLogs(entity, request, handlers);
  });
  return { seen, done, close: () => close() };
}

describe('ServicesClient', () => {
  it('reads a live follow as Server-Sent Events, frames cut anywhere, keep-alives skipped', async () => {
    const { api, calls } = client(
      () =>
        new Response(
          chunked([
            'event: open\ndata: {"container":"app","cluster":"local-a"}\n\n: keep-',
            'alive\n\ndata: level=info msg="re',
            'ady"\n\ndata: \n\ndata: second\n\nevent: end\ndata: \n\n',
          ]),
          { headers: { 'Content-Type': 'text/event-stream' } },
        ),
    );
    const { seen, done } = follow(api);
    await done;
    expect(seen).toEqual([
      'open app@local-a',
      'line level=info msg="ready"',
      'line ',
      'line second',
      'end',
    ]);
    expect(calls[0].url).toBe(
      'http://backend/api/services/services/default/payments-api/containers/logs/follow?cluster=local-a&namespace=payments&pod=payments-api-7d9-abcde&container=app&tailLines=100',
    );
  });

  it("reports the backend's refusal, and stops the request when closed", async () => {
    const { api } = client(
      () =>
        new Response(
          JSON.stringify({
            error: {
              name: 'TooManyRequestsError',
              message: 'you already follow 5 logs; close one first',
            },
            request: { method: 'GET', url: '/follow' },
            response: { statusCode: 429 },
          }),
          { status: 429, headers: { 'Content-Type': 'application/json' } },
        ),
    );
    const refused = follow(api);
    await refused.done;
    expect(refused.seen).toEqual([
      'error you already follow 5 logs; close one first',
    ]);

    const open = client(
      () => new Response(new ReadableStream(), { status: 200 }),
    );
    const followed = follow(open.api);
    await new Promise(resolve => setTimeout(resolve, 0));
    const signal = open.calls[0].init?.signal as AbortSignal;
    expect(signal.aborted).toBe(false);
    followed.close();
    expect(signal.aborted).toBe(true);
  });

  it('downloads with the file name the backend gives', async () => {
    const { api, calls } = client(
      () =>
        new Response('level=info msg="ready"\n', {
          headers: {
            'Content-Disposition':
              'attachment; filename="payments-api-7d9-abcde_app.log"',
          },
        }),
    );
    const file = await api.downloadLogs(entity, request);
    expect(file.fileName).toBe('payments-api-7d9-abcde_app.log');
    expect(await file.blob.text()).toBe('level=info msg="ready"\n');
    expect(calls[0].url).toContain('download=true');
  });

  it('asks for the service view with the ETag it holds, and answers a 304 with the view it kept', async () => {
    const view = { entityRef: 'component:default/payments-api', clusters: [] };
    const newer = { ...view, kubernetesId: 'newer' };
    let answer: () => Response = () =>
      new Response(JSON.stringify(view), {
        headers: { 'Content-Type': 'application/json', ETag: 'W/"v1"' },
      });
    const { api, calls } = client(() => answer());
    const first = await api.getService(entity, { podsLimit: 20 });
    expect(first).toEqual(view);
    expect(calls[0].url).toBe(
      'http://backend/api/services/services/default/payments-api?podsLimit=20',
    );
    expect(calls[0].init?.headers).toBeUndefined();

    answer = () => new Response(null, { status: 304 });
    const second = await api.getService(entity, { podsLimit: 20 });
    expect(calls[1].init?.headers).toEqual({ 'If-None-Match': 'W/"v1"' });
    expect(calls[1].init?.cache).toBe('no-store');
    // the same object: nothing for React to render again
    expect(second).toBe(first);

    // another page is another view, asked for without a tag
    answer = () =>
      new Response(JSON.stringify(newer), {
        headers: { 'Content-Type': 'application/json', ETag: 'W/"p2"' },
      });
    await api.getService(entity, {
      cluster: 'local-a',
      podsOffset: 20,
      podsLimit: 20,
    });
    expect(calls[2].url).toBe(
      'http://backend/api/services/services/default/payments-api?cluster=local-a&podsOffset=20&podsLimit=20',
    );
    expect(calls[2].init?.headers).toBeUndefined();

    // a changed view replaces the kept one and its tag
    answer = () =>
      new Response(JSON.stringify(newer), {
        headers: { 'Content-Type': 'application/json', ETag: 'W/"v2"' },
      });
    expect(await api.getService(entity, { podsLimit: 20 })).toEqual(newer);
    answer = () => new Response(null, { status: 304 });
    expect(await api.getService(entity, { podsLimit: 20 })).toEqual(newer);
    expect(calls[4].init?.headers).toEqual({ 'If-None-Match': 'W/"v2"' });
  });

  it('throws the backend’s error for the service view, in its words', async () => {
    const { api } = client(
      () =>
        new Response(
          JSON.stringify({
            error: { name: 'InputError', message: 'podsLimit is 1 to 500' },
          }),
          { status: 400, headers: { 'Content-Type': 'application/json' } },
        ),
    );
    await expect(api.getService(entity, { podsLimit: 0 })).rejects.toThrow(
      'podsLimit is 1 to 500',
    );
  });
});

describe('ServicesClient.getDeployTargets', () => {
  it("asks for one owner's deploy targets, and for all of the caller's without one", async () => {
    const { api, calls } = client(
      () =>
        new Response(JSON.stringify({ items: [], reason: 'none' }), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }),
    );
    expect(await api.getDeployTargets('group:default/team-payments')).toEqual({
      items: [],
      reason: 'none',
    });
    await api.getDeployTargets();
    expect(calls.map(c => c.url)).toEqual([
      'http://backend/api/services/deploy-targets?owner=group%3Adefault%2Fteam-payments',
      'http://backend/api/services/deploy-targets',
    ]);
  });
});
