import { mockServices } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  clusterSummaryListSchema,
  failoverRequestSchema,
  failoverRunSchema,
} from '@internal/plugin-container-cloud-common';
import { moduleRouter } from '@internal/plugin-container-cloud-node';
import {
  documentedSchema,
  servedAndDocumentedRoutes,
} from '@internal/plugin-container-cloud-node/testing';
import { ClusterParts } from './clusterParts';
import { clusterRouteTable } from './routes';
import {
  sqlite,
  startClustersBackend,
} from './__testUtils__/startClustersBackend';

jest.setTimeout(120_000);

describe('the OpenAPI document of the clusters routes', () => {
  let backend: Awaited<ReturnType<typeof startClustersBackend>>;

  beforeAll(async () => {
    backend = await startClustersBackend({ knex: sqlite() });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  async function document() {
    const res = await request(backend.server).get('/api/clusters/openapi.json');
    expect(res.status).toBe(200);
    return res.body;
  }

  it('documents every route of the table, and no route the table does not have', async () => {
    // nothing is called while routes are registered: stand-ins are enough to list them
    const router = moduleRouter({
      info: { title: 't', version: '1', serverUrl: '/api/clusters' },
      groups: [{ routes: clusterRouteTable({} as ClusterParts) }],
      httpAuth: mockServices.httpAuth(),
      permissions: mockServices.permissions(),
      auditor: {} as any,
    });
    const own = servedAndDocumentedRoutes(
      router as unknown as { stack: unknown[] },
      await (async () => {
        const doc = await document();
        const mine = new Set(
          clusterRouteTable({} as ClusterParts).map(r =>
            r.path.replace(/:(\w+)/g, '{$1}'),
          ),
        );
        return {
          paths: Object.fromEntries(
            Object.entries(doc.paths as Record<string, any>).filter(([p]) =>
              mine.has(p),
            ),
          ),
        };
      })(),
    );
    expect(own.served).toHaveLength(8);
    expect(own.documented).toEqual(own.served);
  });

  it('documents permissions, audit events and bodies with the contract’s schemas', async () => {
    const doc = await document();
    const start = doc.paths['/failover/runs'].post;
    expect(start['x-access']).toBe('operate');
    expect(start['x-permissions']).toEqual([
      'container-cloud.clusters.failover',
    ]);
    expect(start['x-audit-event']).toBe('cluster-failover-start');
    expect(start.requestBody.content['application/json'].schema).toEqual(
      documentedSchema(failoverRequestSchema, 'input'),
    );
    expect(start.responses['201'].content['application/json'].schema).toEqual(
      documentedSchema(failoverRunSchema, 'output'),
    );
    const list = doc.paths['/clusters'].get;
    expect(list['x-permissions']).toEqual(['container-cloud.clusters.read']);
    expect(list.responses['200'].content['application/json'].schema).toEqual(
      documentedSchema(clusterSummaryListSchema, 'output'),
    );
    const preview = doc.paths['/failover/preview'].get;
    expect(
      preview.parameters.map(
        (p: { name: string; in: string; required: boolean }) =>
          `${p.in}:${p.name}:${p.required}`,
      ),
    ).toEqual([
      'query:source:true',
      'query:target:false',
      'query:services:false',
    ]);
    expect(
      doc.paths['/failover/runs/{id}/stop'].post.responses['409'],
    ).toBeDefined();
  });
});
