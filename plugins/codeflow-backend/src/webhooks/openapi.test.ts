import express from 'express';
import {
  documentedSchema,
  servedAndDocumentedRoutes,
} from '@internal/plugin-container-cloud-node/testing';
import {
  moduleRouter,
  openApiDocument,
} from '@internal/plugin-container-cloud-node';
import {
  webhookDeliveryListSchema,
  webhookSecretResultSchema,
} from '@internal/plugin-container-cloud-common';
import { webhookOpenApiPaths } from './openapi';
import { webhookRouter } from './router';
import { webhookRouteTable, WebhookRoutesOptions } from './routes';
import type { WebhookReceiver } from './WebhookReceiver';

describe('the webhooks part of the OpenAPI document', () => {
  // nothing is called while routes are registered: stand-ins are enough to list them
  const routes = webhookRouteTable({} as WebhookRoutesOptions);
  const documentedPaths = webhookOpenApiPaths(1024);
  const document = openApiDocument(
    { title: 't', version: '1', serverUrl: '/' },
    routes,
  );
  Object.assign(document.paths, documentedPaths);

  it('documents exactly the routes the part serves, its own router included', () => {
    const pipeline = moduleRouter({
      info: { title: 't', version: '1', serverUrl: '/' },
      groups: [{ routes }],
    } as unknown as Parameters<typeof moduleRouter>[0]);
    const own = webhookRouter({
      receiver: {} as WebhookReceiver,
      auditor: {} as never,
      logger: {} as never,
    });
    const served = [
      ...servedAndDocumentedRoutes(pipeline, document).served,
      ...servedAndDocumentedRoutes(own, document).served,
    ].sort();
    expect(served).toEqual(
      servedAndDocumentedRoutes(express.Router(), document).documented,
    );
    expect(served).toEqual([
      'GET /services/{namespace}/{name}/codeflows/{id}/deliveries',
      'GET /services/{namespace}/{name}/codeflows/{id}/webhook',
      'POST /services/{namespace}/{name}/codeflows/{id}/webhook-secret',
      'POST /webhooks/gitea/{codeflowId}',
      'POST /webhooks/github/{codeflowId}',
      'POST /webhooks/gitlab/{codeflowId}',
    ]);
  });

  it('documents the webhooks without a Backstage token, the rest with one, their permissions and answers', () => {
    const secret = document.paths[
      '/services/{namespace}/{name}/codeflows/{id}/webhook-secret'
    ].post as Record<string, any>;
    expect(secret['x-permissions']).toEqual([
      'container-cloud.codeflow.webhook.manage',
    ]);
    expect(secret['x-audit-event']).toBe('codeflow-webhook-secret');
    expect(secret.security).toEqual([{ BackstageToken: [] }]);
    expect(secret.responses['201'].content['application/json'].schema).toEqual(
      documentedSchema(webhookSecretResultSchema, 'output'),
    );
    const deliveries = document.paths[
      '/services/{namespace}/{name}/codeflows/{id}/deliveries'
    ].get as Record<string, any>;
    expect(
      deliveries.responses['200'].content['application/json'].schema,
    ).toEqual(documentedSchema(webhookDeliveryListSchema, 'output'));
    for (const provider of ['gitlab', 'gitea', 'github']) {
      const hook = document.paths[`/webhooks/${provider}/{codeflowId}`]
        .post as Record<string, any>;
      expect(hook.security).toEqual([]);
      expect(Object.keys(hook.responses).sort()).toEqual([
        '200',
        '202',
        '400',
        '401',
        '404',
        '413',
        '503',
      ]);
    }
  });
});
