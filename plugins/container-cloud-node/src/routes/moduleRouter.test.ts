import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';
import { createPermission } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { z } from 'zod';
import { moduleRouter, RouteGroup } from './moduleRouter';
import { defineRoute } from './types';

const readPermission = createPermission({
  name: 'test.read',
  attributes: { action: 'read' },
});
const writePermission = createPermission({
  name: 'test.write',
  attributes: { action: 'update' },
});

interface Shelf {
  name: string;
}
interface Box {
  label: string;
}
const shelf = defineRoute<Shelf>();
const box = defineRoute<Box>();

/** two parts of one API, each with its own resource and lookup */
const shelves: RouteGroup<Shelf> = {
  routes: [
    shelf({
      method: 'get',
      path: '/shelves/:name',
      summary: 'a shelf',
      access: 'read',
      permission: readPermission,
      response: {
        description: 'the shelf',
        schema: z.object({ shelf: z.string() }),
      },
      handler: async ({ resource }) => ({ shelf: resource.name }),
    }),
  ],
  async lookup(req) {
    if (req.params.name === 'missing') throw new NotFoundError('no shelf');
    return { name: `shelf ${req.params.name}` };
  },
};
const boxes: RouteGroup<Box> = {
  routes: [
    box({
      method: 'post',
      path: '/boxes/:label',
      summary: 'label a box',
      access: 'operate',
      permission: writePermission,
      audit: { eventId: 'box-label' },
      request: { body: z.object({ text: z.string() }) },
      response: {
        description: 'the box and its new text',
        schema: z.object({ box: z.string(), text: z.string() }),
      },
      handler: async ({ resource, body }) => ({
        box: resource.label,
        text: body.text,
      }),
    }),
  ],
  async lookup(req) {
    return { label: `box ${req.params.label}` };
  },
};

async function startBackend() {
  const plugin = createBackendPlugin({
    pluginId: 'parts',
    register(env) {
      env.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
          permissions: coreServices.permissions,
          auditor: coreServices.auditor,
        },
        async init({ httpRouter, ...services }) {
          httpRouter.addAuthPolicy({
            path: '/openapi.json',
            allow: 'unauthenticated',
          });
          httpRouter.use(
            moduleRouter({
              info: { title: 'parts', version: '1', serverUrl: '/api/parts' },
              groups: [shelves, boxes],
              jsonLimit: '1kb',
              documentedPaths: {
                '/hooks/{id}': {
                  post: { summary: 'a hook with its own secret', security: [] },
                },
              },
              ...services,
            }),
          );
        },
      });
    },
  });
  return startTestBackend({
    features: [plugin, mockServices.permissions.factory()],
  });
}

describe('moduleRouter', () => {
  it("serves every group's routes, each with its own resource lookup", async () => {
    const { server } = await startBackend();
    await request(server)
      .get('/api/parts/shelves/top')
      .set('Authorization', mockCredentials.user.header())
      .expect(200, { shelf: 'shelf top' });
    await request(server)
      .get('/api/parts/shelves/missing')
      .set('Authorization', mockCredentials.user.header())
      .expect(404);
    await request(server)
      .post('/api/parts/boxes/red')
      .set('Authorization', mockCredentials.user.header())
      .send({ text: 'books' })
      .expect(200, { box: 'box red', text: 'books' });
  });

  it('documents the routes of every group in one public OpenAPI document', async () => {
    const { server } = await startBackend();
    const { body } = await request(server)
      .get('/api/parts/openapi.json')
      .expect(200);
    expect(body.info).toEqual({ title: 'parts', version: '1' });
    expect(body.servers).toEqual([{ url: '/api/parts' }]);
    expect(Object.keys(body.paths).sort()).toEqual([
      '/boxes/{label}',
      '/hooks/{id}',
      '/shelves/{name}',
    ]);
  });

  it('adds the paths a plugin serves outside the pipeline as it documents them', async () => {
    const { server } = await startBackend();
    const { body } = await request(server)
      .get('/api/parts/openapi.json')
      .expect(200);
    expect(body.paths['/hooks/{id}']).toEqual({
      post: { summary: 'a hook with its own secret', security: [] },
    });
    // the pipeline's own routes keep their Backstage token
    expect(body.paths['/boxes/{label}'].post.security).toEqual([
      { BackstageToken: [] },
    ]);
  });

  it('refuses a body over its JSON limit with 413', async () => {
    const { server } = await startBackend();
    await request(server)
      .post('/api/parts/boxes/red')
      .set('Authorization', mockCredentials.user.header())
      .send({ text: 'x'.repeat(2048) })
      .expect(413);
  });
});
