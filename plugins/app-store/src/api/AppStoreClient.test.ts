import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { AppStoreClient, fieldErrors } from './AppStoreClient';

function client(answer: { status: number; body: unknown }) {
  const calls: Array<{ url: string; method?: string; body?: unknown }> = [];
  const api = new AppStoreClient({
    discoveryApi: { getBaseUrl: async id => `http://backend/api/${id}` },
    fetchApi: {
      fetch: async (url: RequestInfo | URL, init?: RequestInit) => {
        calls.push({
          url: String(url),
          method: init?.method,
          body: init?.body ? JSON.parse(String(init.body)) : undefined,
        });
        return new Response(JSON.stringify(answer.body), {
          status: answer.status,
          headers: { 'Content-Type': 'application/json' },
        });
      },
    },
  });
  return { api, calls };
}

const cache = { cluster: 'local-a', namespace: 'payments', name: 'cache' };

describe('AppStoreClient', () => {
  it('reads the catalogue, a chart version, the targets and the instances under /api/app-store', async () => {
    const { api, calls } = client({ status: 200, body: { items: [] } });
    await api.charts();
    await api.chart('local', 'redis', '7.2.1');
    await api.targets();
    await api.instances({
      owner: 'component:default/payments-api',
      offset: 25,
      limit: 25,
    });
    await api.instance(cache);
    await api.adminInstances({ cluster: 'local-b', chart: undefined });
    expect(calls.map(c => c.url)).toEqual([
      'http://backend/api/app-store/charts',
      'http://backend/api/app-store/charts/local/redis/versions/7.2.1',
      'http://backend/api/app-store/targets',
      'http://backend/api/app-store/instances?owner=component%3Adefault%2Fpayments-api&offset=25&limit=25',
      'http://backend/api/app-store/instances/local-a/payments/cache',
      'http://backend/api/app-store/admin/instances?cluster=local-b',
    ]);
  });

  it("sends each instance action to the instance's path with its body", async () => {
    const { api, calls } = client({ status: 200, body: {} });
    await api.upgrade(cache, { version: '7.2.1', preset: 'medium' });
    await api.rollback(cache, 1);
    await api.extend(cache, 7);
    await api.reveal(cache);
    await api.attach(cache, {
      service: 'component:default/payments-api',
      prefix: 'REDIS_',
    });
    await api.remove(cache);
    const base =
      'http://backend/api/app-store/instances/local-a/payments/cache';
    expect(calls).toEqual([
      {
        url: `${base}/upgrade`,
        method: 'POST',
        body: { version: '7.2.1', preset: 'medium' },
      },
      { url: `${base}/rollback`, method: 'POST', body: { revision: 1 } },
      { url: `${base}/extend`, method: 'POST', body: { days: 7 } },
      { url: `${base}/reveal`, method: 'POST', body: undefined },
      {
        url: `${base}/attach`,
        method: 'POST',
        body: { service: 'component:default/payments-api', prefix: 'REDIS_' },
      },
      { url: base, method: 'DELETE', body: undefined },
    ]);
  });

  it("sends the admin's bulk actions with only each instance's name", async () => {
    const { api, calls } = client({ status: 200, body: { results: [] } });
    const row = { ...cache, chart: 'redis' } as typeof cache;
    await api.adminExtend([row], 14);
    await api.adminDelete([row]);
    expect(calls).toEqual([
      {
        url: 'http://backend/api/app-store/admin/instances/extend',
        method: 'POST',
        body: { instances: [cache], days: 14 },
      },
      {
        url: 'http://backend/api/app-store/admin/instances/delete',
        method: 'POST',
        body: { instances: [cache] },
      },
    ]);
  });

  it("hands a 409 on with the backend's words", async () => {
    const { api } = client({
      status: 409,
      body: {
        error: {
          message: "an instance 'cache' already exists in local-a/payments",
        },
      },
    });
    const error = await api
      .install({
        repository: 'local',
        chart: 'redis',
        version: '7.2.1',
        cluster: 'local-a',
        namespace: 'payments',
        name: 'cache',
        owner: 'component:default/payments-api',
      })
      .catch(e => e);
    expect(error).toBeInstanceOf(ContainerCloudApiError);
    expect(error.status).toBe(409);
    expect(error.message).toBe(
      "an instance 'cache' already exists in local-a/payments",
    );
  });
});

describe('fieldErrors', () => {
  it('ties each problem of a 400 to the field it names, chart values by their path', () => {
    expect(
      fieldErrors(
        'invalid request: name: at most 40 characters; storage: at least 1Gi; owner is required; values.metrics.enabled: must be boolean; a chart that does not exist',
      ),
    ).toEqual({
      name: 'at most 40 characters',
      storage: 'at least 1Gi',
      owner: 'required',
      'values.metrics.enabled': 'must be boolean',
      _: 'a chart that does not exist',
    });
  });

  it('keeps a message that names no field whole', () => {
    expect(fieldErrors('chart redis 9.9.9 does not exist in local')).toEqual({
      _: 'chart redis 9.9.9 does not exist in local',
    });
  });
});
