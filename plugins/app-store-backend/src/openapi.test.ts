import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  chartDetailSchema,
  chartListSchema,
  installTargetsSchema,
  instanceDetailSchema,
  instanceInstallSchema,
  instanceListSchema,
  instanceRevealSchema,
  instanceUpgradeSchema,
} from '@internal/plugin-container-cloud-common';
import {
  moduleRouter,
  type RouteSpec,
} from '@internal/plugin-container-cloud-node';
import {
  documentedSchema,
  servedAndDocumentedRoutes,
} from '@internal/plugin-container-cloud-node/testing';
import { startAppStoreBackend } from './__testUtils__/startAppStoreBackend';
import { catalogueRouteTable } from './catalogue/routes';
import type { Catalogue } from './catalogue/Catalogue';
import { instanceRouteTable, InstanceRouteParts } from './instances/routes';
import { lifecycleRouteTable } from './lifecycle/routes';

jest.setTimeout(120_000);

/** A documented path as a concrete URL (every parameter a plausible value). */
function concrete(path: string): string {
  return path
    .replace('{cluster}', 'local-a')
    .replace('{namespace}', 'payments')
    .replace('{repository}', 'test')
    .replace('{chart}', 'tiny-db')
    .replace('{version}', '0.1.0')
    .replace(/\{[^}]+\}/g, 'x');
}

/** The routes one table serves, as `METHOD /openapi/{path}`. */
function served(routes: readonly RouteSpec<any, any, any>[], doc: any) {
  // nothing is called while routes are registered: stand-ins are enough to list them
  const router = moduleRouter({
    info: { title: 't', version: '1', serverUrl: '/' },
    groups: [{ routes }],
  } as unknown as Parameters<typeof moduleRouter>[0]);
  return servedAndDocumentedRoutes(router, doc);
}

describe('the OpenAPI document of the app store plugin', () => {
  let backend: Awaited<ReturnType<typeof startAppStoreBackend>>;

  beforeAll(async () => {
    // no clusters and no repositories: the document does not depend on them
    backend = await startAppStoreBackend({ clusters: [], appStore: {} });
  });

  afterAll(() => backend?.stop());

  async function document() {
    const res = await request(backend.server).get(
      '/api/app-store/openapi.json',
    );
    expect(res.status).toBe(200);
    return res.body;
  }

  it('is served without credentials', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: '/api/app-store' }]);
    expect(doc.info.title).toBe('Container Cloud app store');
  });

  it('documents only routes the plugin serves: each answers, and asks for a token', async () => {
    const doc = await document();
    const routes = Object.entries(
      doc.paths as Record<string, Record<string, unknown>>,
    ).flatMap(([path, methods]) =>
      Object.keys(methods).map(method => ({ method, path })),
    );
    // the catalogue (2), the instances (8) and the lifecycle group as it is built
    expect(routes.length).toBeGreaterThanOrEqual(10);
    for (const { method, path } of routes) {
      const res = await (request(backend.server) as any)
        [method](`/api/app-store${concrete(path)}`)
        .send({});
      expect(`${method.toUpperCase()} ${path} ${res.status}`).toBe(
        `${method.toUpperCase()} ${path} 401`,
      );
    }
  });

  it('documents every route of the catalogue group', async () => {
    const routes = served(
      catalogueRouteTable({} as Catalogue),
      await document(),
    );
    expect(routes.served).toEqual([
      'GET /charts',
      'GET /charts/{repository}/{chart}/versions/{version}',
    ]);
    for (const route of routes.served)
      expect(routes.documented).toContain(route);
  });

  it('documents every route of the instances group', async () => {
    const routes = served(
      instanceRouteTable({} as InstanceRouteParts),
      await document(),
    );
    expect(routes.served).toEqual([
      'DELETE /instances/{cluster}/{namespace}/{name}',
      'GET /instances',
      'GET /instances/{cluster}/{namespace}/{name}',
      'GET /targets',
      'POST /instances',
      'POST /instances/{cluster}/{namespace}/{name}/reveal',
      'POST /instances/{cluster}/{namespace}/{name}/rollback',
      'POST /instances/{cluster}/{namespace}/{name}/upgrade',
    ]);
    for (const route of routes.served)
      expect(routes.documented).toContain(route);
  });

  it('documents every route of the lifecycle group', async () => {
    const routes = served(
      lifecycleRouteTable({} as Parameters<typeof lifecycleRouteTable>[0]),
      await document(),
    );
    expect(routes.served.length).toBeGreaterThan(0);
    for (const route of routes.served)
      expect(routes.documented).toContain(route);
  });

  it('documents the catalogue’s answers with the contract’s schemas', async () => {
    const doc = await document();
    const list = doc.paths['/charts'].get;
    expect(list['x-access']).toBe('read');
    expect(list.responses['200'].content['application/json'].schema).toEqual(
      documentedSchema(chartListSchema, 'output'),
    );
    const detail =
      doc.paths['/charts/{repository}/{chart}/versions/{version}'].get;
    expect(detail.responses['200'].content['application/json'].schema).toEqual(
      documentedSchema(chartDetailSchema, 'output'),
    );
  });

  it('documents the instances’ permissions, audit events and bodies with the contract’s schemas', async () => {
    const doc = await document();
    const install = doc.paths['/instances'].post;
    expect(install['x-access']).toBe('operate');
    expect(install['x-permissions']).toEqual([
      'container-cloud.app-store.install',
      'container-cloud.app-store.admin',
    ]);
    expect(install['x-audit-event']).toBe('app-store-instance-install');
    expect(install.requestBody.content['application/json'].schema).toEqual(
      documentedSchema(instanceInstallSchema, 'input'),
    );
    expect(install.responses['202'].content['application/json'].schema).toEqual(
      documentedSchema(instanceDetailSchema, 'output'),
    );
    expect(Object.keys(install.responses)).toEqual(
      expect.arrayContaining(['202', '200', '400', '403', '409']),
    );
    const upgrade =
      doc.paths['/instances/{cluster}/{namespace}/{name}/upgrade'].post;
    expect(upgrade['x-permissions']).toEqual([
      'container-cloud.app-store.upgrade',
      'container-cloud.app-store.admin',
    ]);
    expect(upgrade.requestBody.content['application/json'].schema).toEqual(
      documentedSchema(instanceUpgradeSchema, 'input'),
    );
    const reveal =
      doc.paths['/instances/{cluster}/{namespace}/{name}/reveal'].post;
    expect(reveal['x-permissions']).toEqual([
      'container-cloud.app-store.credentials.reveal',
      'container-cloud.app-store.admin',
    ]);
    expect(reveal['x-audit-event']).toBe('app-store-instance-reveal');
    expect(reveal.responses['200'].content['application/json'].schema).toEqual(
      documentedSchema(instanceRevealSchema, 'output'),
    );
    const remove = doc.paths['/instances/{cluster}/{namespace}/{name}'].delete;
    expect(remove['x-audit-event']).toBe('app-store-instance-uninstall');
    const page = doc.paths['/instances'].get;
    expect(page.responses['200'].content['application/json'].schema).toEqual(
      documentedSchema(instanceListSchema, 'output'),
    );
    expect(
      page.parameters.map(
        (p: { name: string; in: string }) => `${p.in}:${p.name}`,
      ),
    ).toEqual([
      'query:owner',
      'query:cluster',
      'query:chart',
      'query:offset',
      'query:limit',
    ]);
    const targets = doc.paths['/targets'].get;
    expect(targets.responses['200'].content['application/json'].schema).toEqual(
      documentedSchema(installTargetsSchema, 'output'),
    );
  });

  it('answers what it documents', async () => {
    const res = await request(backend.server)
      .get('/api/app-store/charts')
      .set('Authorization', mockCredentials.user.header('user:default/bob'));
    expect(res.status).toBe(200);
    expect(chartListSchema.strict().parse(res.body)).toEqual({
      items: [],
      repositories: [],
    });
    const page = await request(backend.server)
      .get('/api/app-store/instances')
      .set('Authorization', mockCredentials.user.header('user:default/bob'));
    expect(page.status).toBe(200);
    expect(instanceListSchema.strict().parse(page.body)).toEqual({
      items: [],
      totalCount: 0,
      unreachable: [],
    });
  });
});
