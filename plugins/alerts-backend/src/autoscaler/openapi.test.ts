import request from 'supertest';
import { z } from 'zod';
import {
  autoscalingSaveSchema,
  autoscalingViewSchema,
} from '@internal/plugin-container-cloud-common';
import { moduleRouter } from '@internal/plugin-container-cloud-node';
import { servedAndDocumentedRoutes } from '@internal/plugin-container-cloud-node/testing';
import { autoscalingRouteTable, AutoscalingRouteOptions } from './routes';
import { startAutoscalingBackend } from './__testUtils__/startAutoscalingBackend';

jest.setTimeout(120_000);

/** A zod schema as the document shows it. */
function documented(schema: z.ZodType, io: 'input' | 'output') {
  const { $schema, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest));
}

describe('the OpenAPI document of the autoscaling routes', () => {
  let backend: Awaited<ReturnType<typeof startAutoscalingBackend>>;
  beforeAll(async () => {
    backend = await startAutoscalingBackend({ clusters: [] });
  });
  afterAll(() => backend?.stop());

  async function document() {
    const res = await request(backend.server).get('/api/alerts/openapi.json');
    expect(res.status).toBe(200);
    return res.body;
  }

  it('documents every route the router serves, and no other', async () => {
    const table = autoscalingRouteTable({} as AutoscalingRouteOptions);
    // nothing is called while routes are registered: stand-ins are enough to list them
    const router = moduleRouter({
      info: { title: 't', version: '1', serverUrl: '/' },
      groups: [{ routes: table }],
      ...({} as Omit<Parameters<typeof moduleRouter>[0], 'info' | 'groups'>),
    });
    const routes = servedAndDocumentedRoutes(router, await document());
    expect(routes.served).toEqual([
      'GET /autoscaling/{namespace}/{name}',
      'PUT /autoscaling/{namespace}/{name}',
    ]);
    expect(routes.documented).toEqual(routes.served);
  });

  it('documents the permission, the audit event and the bodies with the contract’s schemas', async () => {
    const doc = await document();
    const put = doc.paths['/autoscaling/{namespace}/{name}'].put;
    expect(put['x-access']).toBe('operate');
    expect(put['x-permissions']).toEqual([
      'container-cloud.alerts.autoscaling.edit',
    ]);
    expect(put['x-audit-event']).toBe('autoscaling-settings-save');
    expect(put.requestBody.content['application/json'].schema).toEqual(
      documented(autoscalingSaveSchema, 'input'),
    );
    expect(Object.keys(put.responses)).toEqual(
      expect.arrayContaining(['200', '409', '503']),
    );
    const get = doc.paths['/autoscaling/{namespace}/{name}'].get;
    expect(get['x-access']).toBe('read');
    expect(get.responses['200'].content['application/json'].schema).toEqual(
      documented(autoscalingViewSchema, 'output'),
    );
  });
});
