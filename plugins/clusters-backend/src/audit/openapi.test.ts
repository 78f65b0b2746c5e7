import type {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  auditEventPageSchema,
  meteringSeriesSchema,
} from '@internal/plugin-container-cloud-common';
import { moduleRouter } from '@internal/plugin-container-cloud-node';
import {
  documentedSchema,
  servedAndDocumentedRoutes,
} from '@internal/plugin-container-cloud-node/testing';
import knexFactory from 'knex';
import request from 'supertest';
import { MeteringRouteOptions, meteringRouteTable } from '../metering/routes';
import { AuditStore } from './AuditStore';
import { auditRouteTable } from './routes';
import { auditFeatures } from './__testUtils__/auditFeatures';
import { startClustersBackend } from '../clusters/__testUtils__/startClustersBackend';

jest.setTimeout(120_000);

/** The audit and metering routes as their tables declare them, `METHOD /openapi/{path}`. */
function declared() {
  // nothing is called while routes are registered: empty stand-ins are enough to list them
  const router = moduleRouter({
    info: { title: 't', version: '1', serverUrl: '/' },
    groups: [
      { routes: auditRouteTable({} as AuditStore) },
      { routes: meteringRouteTable({} as MeteringRouteOptions) },
    ],
    httpAuth: {} as HttpAuthService,
    permissions: {} as PermissionsService,
    auditor: {} as AuditorService,
  });
  return servedAndDocumentedRoutes(router, { paths: {} }).served;
}

describe("the OpenAPI document's audit and metering routes", () => {
  let backend: Awaited<ReturnType<typeof startClustersBackend>>;

  beforeAll(async () => {
    backend = await startClustersBackend({
      knex: knexFactory({
        client: 'better-sqlite3',
        connection: ':memory:',
        useNullAsDefault: true,
      }),
      features: auditFeatures(),
    });
  });

  afterAll(() => backend?.stop());

  async function document() {
    const res = await request(backend.server).get('/api/clusters/openapi.json');
    expect(res.status).toBe(200);
    return res.body;
  }

  it('documents every route the audit and metering tables serve, unauthenticated', async () => {
    const routes = declared();
    expect(routes).toHaveLength(7);
    const { documented: all } = servedAndDocumentedRoutes(
      { stack: [] },
      await document(),
    );
    expect(all).toEqual(expect.arrayContaining(routes));
  });

  it('documents parameters and answers with the contract’s schemas', async () => {
    const doc = await document();
    const search = doc.paths['/audit/events'].get;
    expect(search['x-permissions']).toEqual(['container-cloud.audit.search']);
    expect(
      search.parameters.map(
        (p: { in: string; name: string }) => `${p.in}:${p.name}`,
      ),
    ).toEqual(
      expect.arrayContaining([
        'query:actor',
        'query:entityRef',
        'query:eventId',
        'query:outcome',
        'query:plugin',
        'query:from',
        'query:to',
        'query:cursor',
        'query:limit',
      ]),
    );
    expect(search.responses['200'].content['application/json'].schema).toEqual(
      documentedSchema(auditEventPageSchema),
    );
    const team = doc.paths['/metering/teams/{namespace}/{name}'].get;
    expect(team.responses['200'].content['application/json'].schema).toEqual(
      documentedSchema(meteringSeriesSchema),
    );
    expect(
      Object.keys(
        doc.paths['/metering/export.csv'].get.responses['200'].content,
      ),
    ).toEqual(['text/csv']);
  });
});
