import request from 'supertest';
import { z } from 'zod';
import {
  alertListSchema,
  receiverCreateSchema,
  silenceCreateSchema,
} from '@internal/plugin-container-cloud-common';
import { moduleRouter } from '@internal/plugin-container-cloud-node';
import { servedAndDocumentedRoutes } from '@internal/plugin-container-cloud-node/testing';
import { startAlertsBackend } from '../__testUtils__/startAlertsBackend';
import { alertRouteTable, AlertRouteParts } from './routes';

jest.setTimeout(120_000);

function documented(schema: z.ZodType, io: 'input' | 'output') {
  const { $schema, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest));
}

describe('the OpenAPI document of the receivers and alerts routes', () => {
  let backend: Awaited<ReturnType<typeof startAlertsBackend>>;

  beforeAll(async () => {
    backend = await startAlertsBackend({});
  });

  afterAll(() => backend?.stop());

  async function document() {
    const res = await request(backend.server).get('/api/alerts/openapi.json');
    expect(res.status).toBe(200);
    return res.body;
  }

  it('documents every route of the group the router serves', async () => {
    const router = moduleRouter({
      info: { title: 't', version: '1', serverUrl: '/' },
      groups: [{ routes: alertRouteTable({} as AlertRouteParts) }],
    } as unknown as Parameters<typeof moduleRouter>[0]);
    const doc = await document();
    const { served, documented: listed } = servedAndDocumentedRoutes(
      router,
      doc,
    );
    expect(served.length).toBe(13);
    for (const route of served) expect(listed).toContain(route);
  });

  it('documents permissions, audit events and bodies with the contract’s schemas', async () => {
    const doc = await document();
    const create = doc.paths['/receivers'].post;
    expect(create['x-access']).toBe('operate');
    expect(create['x-permissions']).toEqual([
      'container-cloud.alerts.receivers.admin',
    ]);
    expect(create['x-audit-event']).toBe('alerts-receiver-create');
    expect(create.requestBody.content['application/json'].schema).toEqual(
      documented(receiverCreateSchema, 'input'),
    );
    const silence = doc.paths['/services/{namespace}/{name}/silences'].post;
    expect(silence['x-permissions']).toEqual([
      'container-cloud.alerts.silence',
    ]);
    expect(silence['x-audit-event']).toBe('alerts-silence-create');
    expect(silence.requestBody.content['application/json'].schema).toEqual(
      documented(silenceCreateSchema, 'input'),
    );
    const all = doc.paths['/alerts'].get;
    expect(all['x-permissions']).toEqual(['container-cloud.alerts.read-all']);
    expect(all.responses['200'].content['application/json'].schema).toEqual(
      documented(alertListSchema, 'output'),
    );
  });
});
