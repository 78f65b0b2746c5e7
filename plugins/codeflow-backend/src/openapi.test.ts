import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  buildImageListSchema,
  codeflowDefinitionSchema,
  codeflowDockerfileSchema,
  codeflowListSchema,
  codeflowRunListSchema,
  codeflowRunRequestSchema,
  codeflowRunSchema,
  codeflowUpdateSchema,
  codeflowViewSchema,
} from '@internal/plugin-container-cloud-common';
import { moduleRouter } from '@internal/plugin-container-cloud-node';
import {
  documentedSchema,
  servedAndDocumentedRoutes,
} from '@internal/plugin-container-cloud-node/testing';
import { startCodeflowBackend } from './__testUtils__/startCodeflowBackend';
import {
  DefinitionRouteOptions,
  definitionRouteTable,
} from './definitions/routes';
import { RunRouteOptions, runRouteTable } from './runs/routes';

jest.setTimeout(120_000);

/** A documented path as a concrete URL (every parameter a plausible value). */
function concrete(path: string): string {
  return path
    .replace('{namespace}', 'default')
    .replace('{name}', 'payments-api')
    .replace('{id}', 'cf-000000000000000000000000')
    .replace(/\{[^}]+\}/g, 'x');
}

/** Paths the plugin serves without a Backstage token: the git hosts' webhook deliveries only. */
const PUBLIC_PREFIX = '/webhooks/';

describe('the OpenAPI document of the codeflow plugin', () => {
  let backend: Awaited<ReturnType<typeof startCodeflowBackend>>;

  beforeAll(async () => {
    backend = await startCodeflowBackend();
  });

  afterAll(() => backend?.stop());

  async function document() {
    const res = await request(backend.server).get('/api/codeflow/openapi.json');
    expect(res.status).toBe(200);
    return res.body;
  }

  it('is served without credentials', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: '/api/codeflow' }]);
    expect(doc.info.title).toBe('Container Cloud codeflows');
  });

  it('documents only routes the plugin serves: each asks for a token, but the webhooks', async () => {
    const doc = await document();
    const routes = Object.entries(
      doc.paths as Record<string, Record<string, unknown>>,
    ).flatMap(([path, methods]) =>
      Object.keys(methods).map(method => ({ method, path })),
    );
    expect(routes.length).toBeGreaterThanOrEqual(8);
    for (const { method, path } of routes) {
      if (path.startsWith(PUBLIC_PREFIX)) continue;
      const res = await (request(backend.server) as any)
        [method](`/api/codeflow${concrete(path)}`)
        .send({});
      expect(`${method.toUpperCase()} ${path} ${res.status}`).toBe(
        `${method.toUpperCase()} ${path} 401`,
      );
    }
  });

  it('documents every route as needing a Backstage token, but the webhooks', async () => {
    const doc = await document();
    for (const [path, methods] of Object.entries(
      doc.paths as Record<string, Record<string, { security?: unknown }>>,
    )) {
      for (const [method, op] of Object.entries(methods)) {
        expect(`${method} ${path} ${JSON.stringify(op.security)}`).toBe(
          `${method} ${path} ${JSON.stringify(
            path.startsWith(PUBLIC_PREFIX) ? [] : [{ BackstageToken: [] }],
          )}`,
        );
      }
    }
  });

  it('serves nothing else without a token: an undocumented path outside the webhooks is a 401', async () => {
    const res = await request(backend.server).get(
      '/api/codeflow/services/default/payments-api/codeflows/cf-000000000000000000000000/runs',
    );
    expect(res.status).toBe(401);
  });

  it('documents every route of the definitions group', async () => {
    // nothing is called while routes are registered: stand-ins are enough to list them
    const router = moduleRouter({
      info: { title: 't', version: '1', serverUrl: '/' },
      groups: [{ routes: definitionRouteTable({} as DefinitionRouteOptions) }],
    } as unknown as Parameters<typeof moduleRouter>[0]);
    const { served, documented } = servedAndDocumentedRoutes(
      router,
      await document(),
    );
    expect(served).toEqual([
      'DELETE /services/{namespace}/{name}/codeflows/{id}',
      'GET /build-images',
      'GET /credentials',
      'GET /services/{namespace}/{name}/codeflows',
      'GET /services/{namespace}/{name}/codeflows/{id}',
      'GET /services/{namespace}/{name}/codeflows/{id}/dockerfile',
      'POST /services/{namespace}/{name}/codeflows',
      'PUT /services/{namespace}/{name}/codeflows/{id}',
    ]);
    for (const route of served) expect(documented).toContain(route);
  });

  it('documents every route of the runs group', async () => {
    const router = moduleRouter({
      info: { title: 't', version: '1', serverUrl: '/' },
      groups: [{ routes: runRouteTable({} as RunRouteOptions) }],
    } as unknown as Parameters<typeof moduleRouter>[0]);
    const { served, documented } = servedAndDocumentedRoutes(
      router,
      await document(),
    );
    expect(served).toEqual([
      'GET /services/{namespace}/{name}/codeflows/{id}/runs',
      'GET /services/{namespace}/{name}/codeflows/{id}/runs/{runId}',
      'GET /services/{namespace}/{name}/codeflows/{id}/runs/{runId}/log',
      'GET /services/{namespace}/{name}/codeflows/{id}/runs/{runId}/log/stream',
      'POST /services/{namespace}/{name}/codeflows/{id}/runs',
      'POST /services/{namespace}/{name}/codeflows/{id}/runs/{runId}/approve',
      'POST /services/{namespace}/{name}/codeflows/{id}/runs/{runId}/cancel',
    ]);
    for (const route of served) expect(documented).toContain(route);
  });

  it('documents the runs’ permissions, audit events, bodies and streams', async () => {
    const doc = await document();
    const runs = doc.paths['/services/{namespace}/{name}/codeflows/{id}/runs'];
    expect(runs.post['x-access']).toBe('operate');
    expect(runs.post['x-permissions']).toEqual([
      'container-cloud.codeflow.run',
    ]);
    expect(runs.post['x-audit-event']).toBe('codeflow-run');
    expect(runs.post.requestBody.content['application/json'].schema).toEqual(
      documentedSchema(codeflowRunRequestSchema, 'input'),
    );
    expect(
      runs.post.responses['202'].content['application/json'].schema,
    ).toEqual(documentedSchema(codeflowRunSchema, 'output'));
    expect(
      runs.get.responses['200'].content['application/json'].schema,
    ).toEqual(documentedSchema(codeflowRunListSchema, 'output'));
    const one = '/services/{namespace}/{name}/codeflows/{id}/runs/{runId}';
    expect(doc.paths[`${one}/cancel`].post['x-permissions']).toEqual([
      'container-cloud.codeflow.cancel',
    ]);
    expect(doc.paths[`${one}/cancel`].post['x-audit-event']).toBe(
      'codeflow-run-cancel',
    );
    expect(Object.keys(doc.paths[`${one}/cancel`].post.responses)).toContain(
      '409',
    );
    expect(doc.paths[`${one}/approve`].post['x-audit-event']).toBe(
      'codeflow-run-approve',
    );
    for (const [path, type] of [
      [`${one}/log`, 'text/plain'],
      [`${one}/log/stream`, 'text/event-stream'],
    ]) {
      const op = doc.paths[path].get;
      expect(op['x-permissions']).toEqual([
        'container-cloud.codeflow.logs.read',
      ]);
      expect(Object.keys(op.responses['200'].content)).toEqual([type]);
    }
  });

  it('documents the definitions’ permissions, audit events and bodies with the contract’s schemas', async () => {
    const doc = await document();
    const list = doc.paths['/services/{namespace}/{name}/codeflows'];
    expect(list.post['x-access']).toBe('operate');
    expect(list.post['x-permissions']).toEqual([
      'container-cloud.codeflow.edit',
    ]);
    expect(list.post['x-audit-event']).toBe('codeflow-create');
    expect(list.post.requestBody.content['application/json'].schema).toEqual(
      documentedSchema(codeflowDefinitionSchema, 'input'),
    );
    expect(
      list.post.responses['201'].content['application/json'].schema,
    ).toEqual(documentedSchema(codeflowViewSchema, 'output'));
    expect(
      list.get.responses['200'].content['application/json'].schema,
    ).toEqual(documentedSchema(codeflowListSchema, 'output'));
    const one = doc.paths['/services/{namespace}/{name}/codeflows/{id}'];
    expect(one.put['x-permissions']).toEqual(['container-cloud.codeflow.edit']);
    expect(one.put['x-audit-event']).toBe('codeflow-update');
    expect(one.put.requestBody.content['application/json'].schema).toEqual(
      documentedSchema(codeflowUpdateSchema, 'input'),
    );
    expect(Object.keys(one.put.responses)).toContain('409');
    expect(one.delete['x-audit-event']).toBe('codeflow-delete');
    const dockerfile =
      doc.paths['/services/{namespace}/{name}/codeflows/{id}/dockerfile'].get;
    expect(dockerfile['x-access']).toBe('read');
    expect(
      dockerfile.responses['200'].content['application/json'].schema,
    ).toEqual(documentedSchema(codeflowDockerfileSchema, 'output'));
    expect(
      doc.paths['/build-images'].get.responses['200'].content[
        'application/json'
      ].schema,
    ).toEqual(documentedSchema(buildImageListSchema, 'output'));
  });

  it('answers what it documents', async () => {
    const res = await request(backend.server)
      .get('/api/codeflow/services/default/payments-api/codeflows')
      .set('Authorization', mockCredentials.user.header('user:default/bob'));
    expect(res.status).toBe(200);
    expect(codeflowListSchema.strict().parse(res.body)).toEqual({ items: [] });
    const images = await request(backend.server)
      .get('/api/codeflow/build-images')
      .set('Authorization', mockCredentials.user.header('user:default/bob'));
    expect(buildImageListSchema.strict().parse(images.body).items.length).toBe(
      16,
    );
  });
});
