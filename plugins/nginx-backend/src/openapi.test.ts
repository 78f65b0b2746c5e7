import { mockCredentials } from '@backstage/backend-test-utils';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import {
  nginxClusterListSchema,
  upstreamMembersChangeSchema,
} from '@internal/plugin-container-cloud-common';
import {
  documentedSchema,
  servedAndDocumentedRoutes,
} from '@internal/plugin-container-cloud-node/testing';
import { createRouter, RouterOptions } from './router';
import { startNginxBackend } from './__testUtils__/startNginxBackend';

jest.setTimeout(120_000);

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
    // nothing is called while routes are registered: empty stand-ins are enough to list them
    const routes = servedAndDocumentedRoutes(
      await createRouter({} as RouterOptions),
      await document(),
    );
    expect(routes.served.length).toBeGreaterThanOrEqual(12);
    expect(routes.documented).toEqual(routes.served);
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
      documentedSchema(upstreamMembersChangeSchema, 'input'),
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
    ).toEqual(documentedSchema(nginxClusterListSchema, 'output'));
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
