import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  alertListSchema,
  alertRuleCreateSchema,
  alertRuleSetSchema,
  autoscalingSaveSchema,
  autoscalingViewSchema,
  receiverCreateSchema,
  silenceCreateSchema,
} from '@internal/plugin-container-cloud-common';
import { moduleRouter } from '@internal/plugin-container-cloud-node';
import {
  documentedSchema,
  servedAndDocumentedRoutes,
} from '@internal/plugin-container-cloud-node/testing';
import { startAlertsBackend } from './__testUtils__/startAlertsBackend';
import { ruleRouteTable } from './rules/routes';
import { alertRouteTable, AlertRouteParts } from './receivers/routes';
import {
  autoscalingRouteTable,
  AutoscalingRouteOptions,
} from './autoscaler/routes';
import type { RuleService } from './rules/RuleService';
import type { RuleStore } from './rules/RuleStore';

jest.setTimeout(120_000);

/** A documented path as a concrete URL (every parameter a plausible value). */
function concrete(path: string): string {
  return path
    .replace('{namespace}', 'default')
    .replace('{name}', 'payments-api')
    .replace('{rule}', 'r-00000000')
    .replace('{version}', '1')
    .replace(/\{[^}]+\}/g, 'x');
}

describe('the OpenAPI document of the alerts plugin', () => {
  let backend: Awaited<ReturnType<typeof startAlertsBackend>>;

  beforeAll(async () => {
    backend = await startAlertsBackend({ alerts: { promtool: 'promtool' } });
  });

  afterAll(() => backend?.stop());

  async function document() {
    const res = await request(backend.server).get('/api/alerts/openapi.json');
    expect(res.status).toBe(200);
    return res.body;
  }

  it('is served without credentials', async () => {
    const doc = await document();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: '/api/alerts' }]);
    expect(doc.info.title).toBe('Container Cloud alerts');
  });

  it('documents only routes the plugin serves: each answers, and asks for a token', async () => {
    const doc = await document();
    const routes = Object.entries(
      doc.paths as Record<string, Record<string, unknown>>,
    ).flatMap(([path, methods]) =>
      Object.keys(methods).map(method => ({ method, path })),
    );
    // the rules, the receivers and alerts, and the autoscaler groups, as each is built
    expect(routes.length).toBeGreaterThanOrEqual(12);
    for (const { method, path } of routes) {
      const res = await (request(backend.server) as any)
        [method](`/api/alerts${concrete(path)}`)
        .send({});
      expect(`${method.toUpperCase()} ${path} ${res.status}`).toBe(
        `${method.toUpperCase()} ${path} 401`,
      );
    }
  });

  it('documents every route of the rules group', async () => {
    const router = moduleRouter({
      info: { title: 't', version: '1', serverUrl: '/' },
      groups: [{ routes: ruleRouteTable({} as RuleService, {} as RuleStore) }],
    } as unknown as Parameters<typeof moduleRouter>[0]);
    const { served, documented: listed } = servedAndDocumentedRoutes(
      router,
      await document(),
    );
    expect(served).toEqual([
      'DELETE /services/{namespace}/{name}/rules/{rule}',
      'GET /metrics',
      'GET /rules',
      'GET /services/{namespace}/{name}/rules',
      'GET /services/{namespace}/{name}/rules/delivery',
      'GET /services/{namespace}/{name}/rules/diff',
      'GET /services/{namespace}/{name}/rules/versions',
      'GET /services/{namespace}/{name}/rules/versions/{version}',
      'POST /services/{namespace}/{name}/rules',
      'POST /services/{namespace}/{name}/rules/rollback',
      'PUT /services/{namespace}/{name}/rules/{rule}',
    ]);
    for (const route of served) expect(listed).toContain(route);
  });

  it('documents the rules’ permissions, audit events and bodies with the contract’s schemas', async () => {
    const doc = await document();
    const create = doc.paths['/services/{namespace}/{name}/rules'].post;
    expect(create['x-access']).toBe('operate');
    expect(create['x-permissions']).toEqual([
      'container-cloud.alerts.rules.edit',
    ]);
    expect(create['x-audit-event']).toBe('alert-rule-create');
    expect(create.requestBody.content['application/json'].schema).toEqual(
      documentedSchema(alertRuleCreateSchema, 'input'),
    );
    expect(create.responses['201'].content['application/json'].schema).toEqual(
      documentedSchema(alertRuleSetSchema, 'output'),
    );
    expect(create.responses['409']).toBeDefined();
    const all = doc.paths['/rules'].get;
    expect(all['x-permissions']).toEqual(['container-cloud.alerts.read-all']);
    expect(
      all.parameters.map(
        (p: { name: string; in: string }) => `${p.in}:${p.name}`,
      ),
    ).toEqual([
      'query:severity',
      'query:team',
      'query:cluster',
      'query:offset',
      'query:limit',
    ]);
  });

  it('answers what it documents', async () => {
    const res = await request(backend.server)
      .get('/api/alerts/services/default/payments-api/rules')
      .set('Authorization', mockCredentials.user.header('user:default/bob'));
    expect(res.status).toBe(200);
    expect(alertRuleSetSchema.strict().parse(res.body)).toMatchObject({
      version: 0,
      rules: [],
      delivery: [],
    });
  });

  it('documents every route of the receivers and alerts group', async () => {
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

  it('documents the receivers’ and silences’ permissions, audit events and bodies with the contract’s schemas', async () => {
    const doc = await document();
    const create = doc.paths['/receivers'].post;
    expect(create['x-access']).toBe('operate');
    expect(create['x-permissions']).toEqual([
      'container-cloud.alerts.receivers.admin',
    ]);
    expect(create['x-audit-event']).toBe('alerts-receiver-create');
    expect(create.requestBody.content['application/json'].schema).toEqual(
      documentedSchema(receiverCreateSchema, 'input'),
    );
    const silence = doc.paths['/services/{namespace}/{name}/silences'].post;
    expect(silence['x-permissions']).toEqual([
      'container-cloud.alerts.silence',
    ]);
    expect(silence['x-audit-event']).toBe('alerts-silence-create');
    expect(silence.requestBody.content['application/json'].schema).toEqual(
      documentedSchema(silenceCreateSchema, 'input'),
    );
    const all = doc.paths['/alerts'].get;
    expect(all['x-permissions']).toEqual(['container-cloud.alerts.read-all']);
    expect(all.responses['200'].content['application/json'].schema).toEqual(
      documentedSchema(alertListSchema, 'output'),
    );
  });

  it('documents every route of the autoscaling group', async () => {
    const table = autoscalingRouteTable({} as AutoscalingRouteOptions);
    // nothing is called while routes are registered: stand-ins are enough to list them
    const router = moduleRouter({
      info: { title: 't', version: '1', serverUrl: '/' },
      groups: [{ routes: table }],
    } as unknown as Parameters<typeof moduleRouter>[0]);
    const routes = servedAndDocumentedRoutes(router, await document());
    expect(routes.served).toEqual([
      'GET /autoscaling/{namespace}/{name}',
      'PUT /autoscaling/{namespace}/{name}',
    ]);
    for (const route of routes.served)
      expect(routes.documented).toContain(route);
  });

  it('documents the autoscaling permission, audit event and bodies with the contract’s schemas', async () => {
    const doc = await document();
    const put = doc.paths['/autoscaling/{namespace}/{name}'].put;
    expect(put['x-access']).toBe('operate');
    expect(put['x-permissions']).toEqual([
      'container-cloud.alerts.autoscaling.edit',
    ]);
    expect(put['x-audit-event']).toBe('autoscaling-settings-save');
    expect(put.requestBody.content['application/json'].schema).toEqual(
      documentedSchema(autoscalingSaveSchema, 'input'),
    );
    expect(Object.keys(put.responses)).toEqual(
      expect.arrayContaining(['200', '409', '503']),
    );
    const get = doc.paths['/autoscaling/{namespace}/{name}'].get;
    expect(get['x-access']).toBe('read');
    expect(get.responses['200'].content['application/json'].schema).toEqual(
      documentedSchema(autoscalingViewSchema, 'output'),
    );
  });
});
