import request from 'supertest';
import { z } from 'zod';
import {
  operationResultSchema,
  serviceViewSchema,
} from '@internal/plugin-container-cloud-common';
import { servedAndDocumentedRoutes } from '@internal/plugin-container-cloud-node/testing';
import { createRouter, RouterOptions } from './router';
import { ShellSessions } from './shell/ShellSessions';
import { startServicesBackend } from './__testUtils__/startServicesBackend';

jest.setTimeout(120_000);

/** The services router, built to list its routes (nothing is called while they are registered). */
async function routerToList() {
  const shellSessions = new ShellSessions();
  const router = await createRouter({
    maxReplicas: 20,
    maxFollowsPerUser: 5,
    shellSessions,
  } as unknown as RouterOptions);
  shellSessions.closeAll('listed');
  return router;
}

describe('the OpenAPI document', () => {
  let backend: Awaited<ReturnType<typeof startServicesBackend>>;

  beforeAll(async () => {
    backend = await startServicesBackend({ clusters: [] });
  });

  afterAll(() => backend?.stop());

  async function document() {
    const res = await request(backend.server).get('/api/services/openapi.json');
    expect(res.status).toBe(200);
    return res.body;
  }

  it('is served without credentials', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: '/api/services' }]);
  });

  it('documents every route of the router, and no route the router does not have', async () => {
    const { served, documented } = servedAndDocumentedRoutes(
      await routerToList(),
      await document(),
    );
    expect(served.length).toBeGreaterThan(20);
    expect(documented).toEqual(served);
  });

  it('documents the bodies and answers with the contract’s schemas', async () => {
    const doc = await document();
    const scale = doc.paths['/services/{namespace}/{name}/scale'].post;
    expect(scale['x-access']).toBe('operate');
    expect(scale['x-permissions']).toEqual(['container-cloud.service.scale']);
    expect(scale['x-audit-event']).toBe('service-scale');
    const body = scale.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(
      expect.arrayContaining([
        'cluster',
        'namespace',
        'deployment',
        'replicas',
      ]),
    );
    expect(body.properties.replicas).toMatchObject({
      type: 'integer',
      minimum: 0,
      maximum: 50,
    });
    expect(scale.responses['200'].content['application/json'].schema).toEqual(
      JSON.parse(
        JSON.stringify(
          (({ $schema, ...rest }) => rest)(
            z.toJSONSchema(operationResultSchema, { io: 'output' }) as Record<
              string,
              unknown
            >,
          ),
        ),
      ),
    );
    const view = doc.paths['/services/{namespace}/{name}'].get;
    expect(view['x-access']).toBe('read');
    expect(
      view.responses['200'].content['application/json'].schema.required,
    ).toEqual(
      (
        z.toJSONSchema(serviceViewSchema, { io: 'output' }) as {
          required: string[];
        }
      ).required,
    );
    const logs = doc.paths['/services/{namespace}/{name}/containers/logs'].get;
    expect(
      logs.parameters.map(
        (p: { name: string; in: string }) => `${p.in}:${p.name}`,
      ),
    ).toEqual(
      expect.arrayContaining([
        'path:namespace',
        'path:name',
        'query:cluster',
        'query:pod',
        'query:tailLines',
      ]),
    );
  });

  it('documents the deploy targets: a read for users only, and a check under the create permission', async () => {
    const doc = await document();
    const list = doc.paths['/deploy-targets'].get;
    expect(list['x-access']).toBe('read');
    expect(
      list.parameters.map(
        (p: { name: string; in: string }) => `${p.in}:${p.name}`,
      ),
    ).toEqual(['query:owner']);
    const check = doc.paths['/deploy-targets/check'].post;
    expect(check['x-access']).toBe('operate');
    expect(check['x-permissions']).toEqual(['container-cloud.service.create']);
    expect(
      check.requestBody.content['application/json'].schema.required,
    ).toEqual(['name', 'owner', 'placements']);
    expect(check.responses['409']).toBeDefined();
  });
});
