/**
 * @jest-environment node
 */
// Node's own fetch types (Request, Response): the helper runs on them in browsers too.
import { ContainerCloudApiError } from './ContainerCloudApiError';
import { fetchBackend, fetchJson } from './fetchJson';

function backend(respond: () => Response) {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const apis = {
    discoveryApi: {
      getBaseUrl: async (pluginId: string) => `http://backend/api/${pluginId}`,
    },
    fetchApi: {
      fetch: (async (url: string, init?: RequestInit) => {
        calls.push({ url, init });
        return respond();
      }) as typeof fetch,
    },
  };
  return { apis, calls };
}

/** What the promise was rejected with; the test fails if it resolves. */
async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as ContainerCloudApiError;
  }
  throw new Error('the request was expected to fail');
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });

describe('fetchJson', () => {
  it("sends JSON to the plugin's base URL with the non-empty query values", async () => {
    const { apis, calls } = backend(() => json(200, { ok: true }));
    await expect(
      fetchJson(apis, 'nginx', '/domains', {
        method: 'POST',
        query: { cluster: 'edge', empty: '', missing: undefined, limit: 5 },
        body: { name: 'shop' },
      }),
    ).resolves.toEqual({ ok: true });
    expect(calls[0].url).toBe(
      'http://backend/api/nginx/domains?cluster=edge&limit=5',
    );
    expect(calls[0].init).toMatchObject({
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"name":"shop"}',
    });
  });

  it("throws the backend's own words with the status", async () => {
    const { apis } = backend(() =>
      json(400, {
        error: { name: 'InputError', message: 'upstreams[0].port: too big' },
        response: { statusCode: 400 },
      }),
    );
    const error = await refusal(fetchJson(apis, 'nginx', '/domains'));
    expect(error).toBeInstanceOf(ContainerCloudApiError);
    expect(error.message).toBe('upstreams[0].port: too big');
    expect(error.status).toBe(400);
    expect(error.current).toBeUndefined();
  });

  it('carries the current state of a 409', async () => {
    const current = { resourceVersion: '42', replicas: { desired: 5 } };
    const { apis } = backend(() =>
      json(409, {
        error: {
          name: 'ConflictError',
          message: 'changed since you loaded it',
        },
        current,
      }),
    );
    const error = await refusal(
      fetchJson(apis, 'services', '/scale', {
        method: 'POST',
        body: {},
      }),
    );
    expect(error).toBeInstanceOf(ContainerCloudApiError);
    expect(error.status).toBe(409);
    expect(error.message).toBe('changed since you loaded it');
    expect(error.current).toEqual(current);
  });

  it('says the status when the answer is not JSON', async () => {
    const { apis } = backend(
      () =>
        new Response('<html>bad gateway</html>', {
          status: 502,
          statusText: 'Bad Gateway',
        }),
    );
    const error = await refusal(fetchBackend(apis, 'services', '/x'));
    expect(error).toBeInstanceOf(ContainerCloudApiError);
    expect(error.message).toBe('Request failed with 502 Bad Gateway');
    expect(error.status).toBe(502);
  });
});
