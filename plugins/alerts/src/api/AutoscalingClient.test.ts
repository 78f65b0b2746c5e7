import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { AutoscalingClient } from './AutoscalingClient';

const entity = {
  kind: 'component',
  namespace: 'default',
  name: 'payments-api',
};

function client(answer: { status: number; body: unknown }) {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const api = new AutoscalingClient({
    discoveryApi: { getBaseUrl: async id => `http://backend/api/${id}` },
    fetchApi: {
      fetch: async (url: RequestInfo | URL, init?: RequestInit) => {
        calls.push({ url: String(url), init });
        return new Response(JSON.stringify(answer.body), {
          status: answer.status,
          headers: { 'Content-Type': 'application/json' },
        });
      },
    },
  });
  return { api, calls };
}

describe('AutoscalingClient', () => {
  it('reads the view of the service', async () => {
    const { api, calls } = client({ status: 200, body: { settings: null } });
    expect(await api.get(entity)).toEqual({ settings: null });
    expect(calls[0].url).toBe(
      'http://backend/api/alerts/autoscaling/default/payments-api',
    );
  });

  it('PUTs the settings with their version, and hands a 409 on with the current settings', async () => {
    const current = { version: 3, updatedBy: 'user:default/carol' };
    const { api, calls } = client({
      status: 409,
      body: { error: { message: 'changed since you loaded them' }, current },
    });
    const error = await api
      .save(entity, {
        enabled: true,
        deployment: 'payments-api',
        metric: 'cpu',
        target: 50,
        minReplicas: 2,
        maxReplicas: 7,
        version: 2,
      })
      .catch(e => e);
    expect(error).toBeInstanceOf(ContainerCloudApiError);
    expect(error.message).toBe('changed since you loaded them');
    expect(error.current).toEqual(current);
    expect(calls[0].init?.method).toBe('PUT');
    expect(JSON.parse(String(calls[0].init?.body))).toMatchObject({
      version: 2,
      target: 50,
    });
  });
});
