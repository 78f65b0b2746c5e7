import request from 'supertest';
import { z } from 'zod';
import {
  configFileSaveSchema,
  configFileSetListSchema,
} from '@internal/plugin-container-cloud-common';
import { moduleRouter } from '@internal/plugin-container-cloud-node';
import { servedAndDocumentedRoutes } from '@internal/plugin-container-cloud-node/testing';
import type { StorageDeps } from '../deps';
import { configFileRoutes } from './routes';
import { startStorageBackend } from './__testUtils__/startStorageBackend';

jest.setTimeout(120_000);

/** A zod schema as the document shows it. */
function documented(schema: z.ZodType, io: 'input' | 'output') {
  const { $schema, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest));
}

describe('the OpenAPI document of the config file routes', () => {
  let backend: Awaited<ReturnType<typeof startStorageBackend>>;

  beforeAll(async () => {
    backend = await startStorageBackend({ clusters: [] });
  });

  afterAll(() => backend?.stop());

  async function document() {
    const res = await request(backend.server).get('/api/storage/openapi.json');
    expect(res.status).toBe(200);
    return res.body;
  }

  it('documents every config file route the router serves, and no other', async () => {
    // nothing is called while routes are registered: stand-ins are enough to list them
    const group = await configFileRoutes({
      knex: {},
      clusters: {},
      logger: { child: () => ({}) },
      config: { getOptionalString: () => undefined },
    } as unknown as StorageDeps);
    const router = moduleRouter({
      info: { title: 't', version: '1', serverUrl: '/' },
      groups: [group],
    } as unknown as Parameters<typeof moduleRouter>[0]);
    const doc = await document();
    const { served, documented: all } = servedAndDocumentedRoutes(router, doc);
    expect(served.length).toBe(13);
    expect(all.filter(r => r.includes('/config-files'))).toEqual(served);
  });

  it('documents permissions, audit events and bodies with the contract’s schemas', async () => {
    const doc = await document();
    const save =
      doc.paths['/services/{namespace}/{name}/config-files/{set}'].put;
    expect(save['x-access']).toBe('operate');
    expect(save['x-permissions']).toEqual([
      'container-cloud.storage.config.edit',
    ]);
    expect(save['x-audit-event']).toBe('config-files-save');
    expect(save.requestBody.content['application/json'].schema).toEqual(
      documented(configFileSaveSchema, 'input'),
    );
    expect(Object.keys(save.responses)).toEqual(
      expect.arrayContaining(['200', '400', '409', '502', '503']),
    );
    const secret =
      doc.paths[
        '/services/{namespace}/{name}/config-files/{set}/versions/{version}/secret'
      ].get;
    expect(secret['x-permissions']).toEqual([
      'container-cloud.storage.config.secret.read',
    ]);
    expect(secret['x-audit-event']).toBe('config-files-secret-read');
    const list = doc.paths['/services/{namespace}/{name}/config-files'].get;
    expect(list.responses['200'].content['application/json'].schema).toEqual(
      documented(configFileSetListSchema, 'output'),
    );
  });
});
