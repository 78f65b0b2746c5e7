import { mockCredentials } from '@backstage/backend-test-utils';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { z } from 'zod';
import {
  nginxClusterListSchema,
  upstreamMembersChangeSchema,
} from '@internal/plugin-container-cloud-common';
import { openApiPath } from '@internal/plugin-container-cloud-node';
import { createRouter, RouterOptions } from './router';
import { startNginxBackend } from './__testUtils__/startNginxBackend';

jest.setTimeout(120_000);

/** Every route the express router serves, as `METHOD /path`, from its own stack. */
async function expressRoutes(): Promise<string[]> {
  // nothing is called while routes are registered: empty stand-ins are enough to list them
  const router = await createRouter({} as RouterOptions);
  return (
    router.stack as Array<{
      route?: { path: string; methods: Record<string, boolean> };
    }>
  ).flatMap(layer =>
    layer.route
      ? Object.keys(layer.route.methods).map(
          method => `${method.toUpperCase()} ${layer.route!.path}`,
        )
      : [],
  );
}

/** A zod schema as the document shows it. */
function documented(schema: z.ZodType, io: 'input' | 'output') {
  const { $schema, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest));
}

describe('the OpenAPI document', () => {
  let backend: Awaited<ReturnType<typeof startNginxBackend>>;
  let confDir: string;

  beforeAll(async () => {
    confDir = await mkdtemp(join(tmpdir(), 'nginx-openapi-'));
    backend = await startNginxBackend({
      nginx: {
        clusters: [
          {
            name: 'edge',
            environment: 'test',
            confDir,
            reloadCommand: ['true'],
          },
        ],
      },
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await rm(confDir, { recursive: true, force: true });
  });

  async function document() {
    const res = await request(backend.server).get('/api/nginx/openapi.json');
    expect(res.status).toBe(200);
    return res.body;
  }

  it('is served without credentials', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: '/api/nginx' }]);
  });

  it('documents every route of the router, and no route the router does not have', async () => {
    const paths = (await document()).paths as Record<
      string,
      Record<string, unknown>
    >;
    const inDocument = Object.entries(paths)
      .flatMap(([path, methods]) =>
        Object.keys(methods).map(method => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    const served = (await expressRoutes())
      // the document itself is no route of the API
      .filter(route => route !== 'GET /openapi.json')
      .map(route => {
        const [method, path] = route.split(' ');
        return `${method} ${openApiPath(path)}`;
      })
      .sort();
    expect(served.length).toBeGreaterThanOrEqual(12);
    expect(inDocument).toEqual(served);
  });

  it('documents permissions, audit events and bodies with the contract’s schemas', async () => {
    const doc = await document();
    const members = doc.paths['/domains/{cluster}/{name}/members'].post;
    expect(members['x-access']).toBe('operate');
    expect(members['x-permissions']).toEqual([
      'container-cloud.nginx.upstream.edit',
      'container-cloud.nginx.domain.edit',
    ]);
    expect(members['x-audit-event']).toBe('nginx-upstream-members-edit');
    expect(members.requestBody.content['application/json'].schema).toEqual(
      documented(upstreamMembersChangeSchema, 'input'),
    );
    expect(
      members.parameters.map(
        (p: { name: string; in: string }) => `${p.in}:${p.name}`,
      ),
    ).toEqual(['path:cluster', 'path:name']);
    const diff = doc.paths['/diff'].get;
    expect(diff['x-access']).toBe('read');
    expect(
      diff.parameters.map(
        (p: { name: string; in: string; required: boolean }) =>
          `${p.in}:${p.name}:${p.required}`,
      ),
    ).toEqual(['query:cluster:true', 'query:from:true', 'query:to:true']);
  });

  it('describes what the backend answers', async () => {
    const doc = await document();
    const clusters = doc.paths['/clusters'].get;
    expect(
      clusters.responses['200'].content['application/json'].schema,
    ).toEqual(documented(nginxClusterListSchema, 'output'));
    const res = await request(backend.server)
      .get('/api/nginx/clusters')
      .set('Authorization', mockCredentials.user.header());
    expect(res.status).toBe(200);
    expect(nginxClusterListSchema.strict().parse(res.body)).toEqual({
      items: [
        {
          name: 'edge',
          environment: 'test',
          currentVersion: null,
          nodes: [{ name: 'edge', confDir, lastDelivery: null }],
        },
      ],
    });
  });
});
