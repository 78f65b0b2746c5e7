import request from 'supertest';
import { z } from 'zod';
import {
  volumeListSchema,
  volumeMountSchema,
} from '@internal/plugin-container-cloud-common';
import { moduleRouter } from '@internal/plugin-container-cloud-node';
import { servedAndDocumentedRoutes } from '@internal/plugin-container-cloud-node/testing';
import { volumeRouteTable } from './routes';
import type { VolumeService } from './VolumeService';
import { startVolumesBackend } from './__testUtils__/startVolumesBackend';

jest.setTimeout(120_000);

/** A zod schema as the document shows it. */
function documented(schema: z.ZodType, io: 'input' | 'output') {
  const { $schema, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest));
}

describe('the OpenAPI document of the volume routes', () => {
  let backend: Awaited<ReturnType<typeof startVolumesBackend>>;

  beforeAll(async () => {
    backend = await startVolumesBackend({ clusters: [] });
  });

  afterAll(() => backend?.stop());

  async function document() {
    const res = await request(backend.server).get('/api/storage/openapi.json');
    expect(res.status).toBe(200);
    return res.body;
  }

  it('documents every volume route the router serves, and no other', async () => {
    // nothing is called while routes are registered: stand-ins are enough to list them
    const router = moduleRouter({
      info: { title: 't', version: '1', serverUrl: '/' },
      groups: [{ routes: volumeRouteTable({} as VolumeService) }],
    } as unknown as Parameters<typeof moduleRouter>[0]);
    const doc = await document();
    const { served, documented: all } = servedAndDocumentedRoutes(router, doc);
    expect(served.length).toBe(7);
    expect(all.filter(r => r.includes('/volumes'))).toEqual(served);
  });

  it('documents permissions, audit events and bodies with the contract’s schemas', async () => {
    const doc = await document();
    const mount =
      doc.paths['/services/{namespace}/{name}/volumes/{volume}/mount'].post;
    expect(mount['x-access']).toBe('operate');
    expect(mount['x-permissions']).toEqual([
      'container-cloud.storage.volume.mount',
    ]);
    expect(mount['x-audit-event']).toBe('storage-volume-mount');
    expect(mount.requestBody.content['application/json'].schema).toEqual(
      documented(volumeMountSchema, 'input'),
    );
    expect(Object.keys(mount.responses)).toEqual(
      expect.arrayContaining(['200', '207', '409']),
    );
    const list = doc.paths['/services/{namespace}/{name}/volumes'].get;
    expect(list.responses['200'].content['application/json'].schema).toEqual(
      documented(volumeListSchema, 'output'),
    );
    const remove =
      doc.paths['/services/{namespace}/{name}/volumes/{volume}'].delete;
    expect(remove['x-permissions']).toEqual([
      'container-cloud.storage.volume.delete',
    ]);
    expect(doc.paths['/admin/volumes'].get['x-permissions']).toEqual([
      'container-cloud.storage.admin',
    ]);
  });
});
