import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { AlertsClient } from './AlertsClient';

const entity = {
  kind: 'component',
  namespace: 'default',
  name: 'payments-api',
};

function client(answer: { status: number; body: unknown }) {
  const calls: Array<{ url: string; init?: RequestInit }> = [];
  const api = new AlertsClient({
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

describe('AlertsClient', () => {
  it("reads a service's alerts and silences under its path", async () => {
    const { api, calls } = client({ status: 200, body: { items: [] } });
    await api.entityAlerts(entity);
    await api.silences(entity);
    expect(calls.map(c => c.url)).toEqual([
      'http://backend/api/alerts/services/default/payments-api/alerts',
      'http://backend/api/alerts/services/default/payments-api/silences',
    ]);
  });

  it('creates and expires silences', async () => {
    const { api, calls } = client({ status: 201, body: { id: 's1' } });
    await api.createSilence(entity, { reason: 'fix', durationMinutes: 30 });
    await api.expireSilence(entity, 's1');
    expect(calls[0].init?.method).toBe('POST');
    expect(JSON.parse(String(calls[0].init?.body))).toEqual({
      reason: 'fix',
      durationMinutes: 30,
    });
    expect(calls[1]).toMatchObject({
      url: 'http://backend/api/alerts/services/default/payments-api/silences/s1',
      init: { method: 'DELETE' },
    });
  });

  it('sends the admin filters as a query, leaving out the empty ones', async () => {
    const { api, calls } = client({ status: 200, body: { items: [] } });
    await api.allAlerts({
      severity: 'critical',
      team: undefined,
      offset: 25,
      limit: 25,
    });
    expect(calls[0].url).toBe(
      'http://backend/api/alerts/alerts?severity=critical&offset=25&limit=25',
    );
  });

  it('deletes a receiver from its version, and hands a 409 on with the current receiver', async () => {
    const current = { name: 'oncall', version: 3 };
    const { api, calls } = client({
      status: 409,
      body: { error: { message: "receiver 'oncall' changed" }, current },
    });
    const error = await api.deleteReceiver('oncall', 2).catch(e => e);
    expect(calls[0]).toMatchObject({
      url: 'http://backend/api/alerts/receivers/oncall?version=2',
      init: { method: 'DELETE' },
    });
    expect(error).toBeInstanceOf(ContainerCloudApiError);
    expect(error.status).toBe(409);
    expect(error.current).toEqual(current);
  });

  it('names the receivers for the rule editor', async () => {
    const { api } = client({ status: 200, body: { items: ['a', 'b'] } });
    expect(await api.receiverNames()).toEqual(['a', 'b']);
  });
});
