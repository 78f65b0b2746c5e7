import request from 'supertest';
import {
  configFileSaveSchema,
  configFileSetListSchema,
  volumeListSchema,
  volumeMountSchema,
} from '@internal/plugin-container-cloud-common';
import { moduleRouter } from '@internal/plugin-container-cloud-node';
import {
  documentedSchema,
  servedAndDocumentedRoutes,
} from '@internal/plugin-container-cloud-node/testing';
import type { StorageDeps } from './deps';
import { configFileRoutes } from './configFiles/routes';
import { volumeRouteTable } from './volumes/routes';
import type { VolumeService } from './volumes/VolumeService';
import { startStorageBackend } from './__testUtils__/startStorageBackend';

jest.setTimeout(120_000);

describe('the OpenAPI document of the storage plugin', () => {
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

  /** The routes a router of these groups serves (nothing is called while they register). */
  function served(groups: Parameters<typeof moduleRouter>[0]['groups']) {
    return moduleRouter({
      info: { title: 't', version: '1', serverUrl: '/' },
      groups,
    } as unknown as Parameters<typeof moduleRouter>[0]);
  }

  it('documents every route the router serves, and no other, for both groups', async () => {
    // stand-ins are enough to list the routes
    const configFiles = await configFileRoutes({
      knex: {},
      clusters: {},
      logger: { child: () => ({}) },
      config: { getOptionalString: () => undefined },
    } as unknown as StorageDeps);
    const volumes = { routes: volumeRouteTable({} as VolumeService) };
    const doc = await document();

    const files = servedAndDocumentedRoutes(served([configFiles]), doc);
    expect(files.served.length).toBe(13);
    expect(files.documented.filter(r => r.includes('/config-files'))).toEqual(
      files.served,
    );

    const vols = servedAndDocumentedRoutes(served([volumes]), doc);
    expect(vols.served.length).toBe(7);
    expect(vols.documented.filter(r => r.includes('/volumes'))).toEqual(
      vols.served,
    );

    // the whole document: the two groups' routes, and nothing else
    const both = servedAndDocumentedRoutes(served([volumes, configFiles]), doc);
    expect(both.served.length).toBe(20);
    expect([...both.documented].sort()).toEqual([...both.served].sort());
  });

  it('documents the config file routes’ permissions, audit events and bodies with the contract’s schemas', async () => {
    const doc = await document();
    const save =
      doc.paths['/services/{namespace}/{name}/config-files/{set}'].put;
    expect(save['x-access']).toBe('operate');
    expect(save['x-permissions']).toEqual([
      'container-cloud.storage.config.edit',
    ]);
    expect(save['x-audit-event']).toBe('config-files-save');
    expect(save.requestBody.content['application/json'].schema).toEqual(
      documentedSchema(configFileSaveSchema, 'input'),
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
      documentedSchema(configFileSetListSchema, 'output'),
    );
  });

  it('documents the volume routes’ permissions, audit events and bodies with the contract’s schemas', async () => {
    const doc = await document();
    const mount =
      doc.paths['/services/{namespace}/{name}/volumes/{volume}/mount'].post;
    expect(mount['x-access']).toBe('operate');
    expect(mount['x-permissions']).toEqual([
      'container-cloud.storage.volume.mount',
    ]);
    expect(mount['x-audit-event']).toBe('storage-volume-mount');
    expect(mount.requestBody.content['application/json'].schema).toEqual(
      documentedSchema(volumeMountSchema, 'input'),
    );
    expect(Object.keys(mount.responses)).toEqual(
      expect.arrayContaining(['200', '207', '409']),
    );
    const list = doc.paths['/services/{namespace}/{name}/volumes'].get;
    expect(list.responses['200'].content['application/json'].schema).toEqual(
      documentedSchema(volumeListSchema, 'output'),
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
