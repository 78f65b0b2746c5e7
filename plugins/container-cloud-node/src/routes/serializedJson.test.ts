import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import Router from 'express-promise-router';
import request from 'supertest';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import { addRoutes } from './addRoutes';
import { openApiDocument } from './openApiDocument';
import {
  ifNoneMatchHits,
  SerializedJson,
  SerializedJsonCache,
} from './serializedJson';
import { defineRoute, RouteSpec } from './types';

describe('SerializedJson', () => {
  it('tags the same value with the same tag, and another value with another', () => {
    const a = SerializedJson.of({ pods: ['a', 'b'] });
    expect(SerializedJson.of({ pods: ['a', 'b'] }).etag).toBe(a.etag);
    expect(SerializedJson.of({ pods: ['a', 'c'] }).etag).not.toBe(a.etag);
    expect(a.etag).toMatch(/^W\/"[A-Za-z0-9_-]+"$/);
    expect(JSON.parse(a.bytes.toString('utf8'))).toEqual({ pods: ['a', 'b'] });
  });

  it('gzips once, and counts the gzip in its size', async () => {
    const body = SerializedJson.of({ text: 'x'.repeat(10_000) });
    const first = await body.gzip();
    expect(await body.gzip()).toBe(first);
    expect(gunzipSync(first).equals(body.bytes)).toBe(true);
    expect(body.size).toBe(body.bytes.length + first.length);
  });

  it.each([
    [undefined, false],
    ['', false],
    ['W/"abc"', true],
    ['"abc"', true],
    ['"x", W/"abc"', true],
    ['*', true],
    ['W/"abd"', false],
    ['"abc', false],
  ])('If-None-Match %p names W/"abc": %p', (header, hit) => {
    expect(ifNoneMatchHits(header, 'W/"abc"')).toBe(hit);
  });
});

describe('SerializedJsonCache', () => {
  it('builds once per stamp and key, and again when the stamp moves', () => {
    const cache = new SerializedJsonCache();
    let built = 0;
    const build = jest.fn(() => ({ n: ++built }));
    const first = cache.get('k', '1', build);
    expect(cache.get('k', '1', build)).toBe(first);
    expect(build).toHaveBeenCalledTimes(1);
    const second = cache.get('k', '2', build);
    expect(second).not.toBe(first);
    expect(build).toHaveBeenCalledTimes(2);
    // another key is another answer
    cache.get('other', '2', build);
    expect(build).toHaveBeenCalledTimes(3);
    expect(cache.size).toBe(2);
  });

  it('keeps an answer made less than reuseWithinMs ago though its stamp moved, and rebuilds after', () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_000_000);
    try {
      const cache = new SerializedJsonCache();
      let built = 0;
      const build = () => ({ n: ++built });
      const first = cache.get('k', '1', build, { reuseWithinMs: 1000 });
      now.mockReturnValue(1_000_999);
      expect(cache.get('k', '2', build, { reuseWithinMs: 1000 })).toBe(first);
      expect(built).toBe(1);
      now.mockReturnValue(1_001_000);
      const second = cache.get('k', '3', build, { reuseWithinMs: 1000 });
      expect(second).not.toBe(first);
      expect(JSON.parse(second.bytes.toString())).toEqual({ n: 2 });
      // without the option, a moved stamp always rebuilds
      expect(cache.get('k', '4', build)).not.toBe(second);
    } finally {
      now.mockRestore();
    }
  });

  it('keeps at most maxEntries, the least recently used going first', () => {
    const cache = new SerializedJsonCache({ maxEntries: 2 });
    const build = jest.fn(() => ({}));
    cache.get('a', 's', build);
    cache.get('b', 's', build);
    cache.get('a', 's', build); // a is now the newest
    cache.get('c', 's', build); // b goes
    expect(cache.size).toBe(2);
    expect(build).toHaveBeenCalledTimes(3);
    cache.get('a', 's', build);
    expect(build).toHaveBeenCalledTimes(3);
    cache.get('b', 's', build);
    expect(build).toHaveBeenCalledTimes(4);
  });

  it('keeps at most maxBytes, but always the answer just made', () => {
    const cache = new SerializedJsonCache({ maxBytes: 1500 });
    cache.get('a', 's', () => ({ text: 'x'.repeat(1000) }));
    cache.get('b', 's', () => ({ text: 'y'.repeat(1000) }));
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBeLessThanOrEqual(1500);
    cache.get('huge', 's', () => ({ text: 'z'.repeat(5000) }));
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBeGreaterThan(5000);
  });

  it('forgets by key prefix', () => {
    const cache = new SerializedJsonCache();
    cache.get('svc-a|1', 's', () => 1);
    cache.get('svc-a|2', 's', () => 2);
    cache.get('svc-b|1', 's', () => 3);
    cache.forget('svc-a|');
    expect(cache.size).toBe(1);
  });
});

const editPermission = createPermission({
  name: 'test.view.edit',
  attributes: { action: 'update' },
  resourceType: 'thing',
});
const readPermission = createPermission({
  name: 'test.view.read',
  attributes: { action: 'read' },
  resourceType: 'thing',
});

/** What the route shows: the secret only to those who may edit. */
let version = 1;
const builds: boolean[] = [];
const cache = new SerializedJsonCache();

const route = defineRoute<{ ref: string }>();
const ROUTES: RouteSpec<{ ref: string }>[] = [
  route({
    method: 'get',
    path: '/views/:id',
    summary: 'a view whose content depends on the caller’s rights',
    access: 'read',
    permission: readPermission,
    ask: [editPermission],
    response: {
      description: 'the view',
      schema: z.object({ version: z.number(), secret: z.string() }),
      conditional: true,
    },
    handler: async ({ asked: [mayEdit] }) =>
      cache.get(`view|${mayEdit}`, String(version), () => {
        builds.push(mayEdit);
        return { version, secret: mayEdit ? 's3cret' : '<hidden>' };
      }),
  }),
];

async function startBackend() {
  const plugin = createBackendPlugin({
    pluginId: 'views',
    register(env) {
      env.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
          permissions: coreServices.permissions,
          auditor: coreServices.auditor,
        },
        async init({ httpRouter, httpAuth, permissions, auditor }) {
          const router = Router();
          addRoutes(router, ROUTES, {
            httpAuth,
            permissions,
            auditor,
            async lookup(req) {
              return { ref: `thing:${req.params.id}` };
            },
            resourceRef: thing => thing.ref,
          });
          httpRouter.use(router);
        },
      });
    },
  });
  // alice may edit, bob may only read
  const policy = createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => ({
      async authorize(requests, options) {
        const user = (
          options?.credentials.principal as { userEntityRef?: string }
        ).userEntityRef;
        return requests.map(r => ({
          result:
            r.permission.name === readPermission.name ||
            user === 'user:default/alice'
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
        }));
      },
      async authorizeConditional() {
        throw new Error('not used');
      },
    }),
  });
  return startTestBackend({
    features: [
      plugin,
      policy,
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
    ],
  });
}

const ALICE = mockCredentials.user.header('user:default/alice');
const BOB = mockCredentials.user.header('user:default/bob');
const BOB_2 = mockCredentials.user.header('user:default/bob');

describe('a conditional route through the pipeline', () => {
  let server: Awaited<ReturnType<typeof startBackend>>['server'];

  beforeAll(async () => {
    ({ server } = await startBackend());
  });

  it('answers with the bytes and their ETag, then 304 to the same tag, and the body again when it changed', async () => {
    const first = await request(server)
      .get('/api/views/views/a')
      .set('Authorization', ALICE);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ version, secret: 's3cret' });
    const etag = first.headers.etag;
    expect(etag).toBe(SerializedJson.of(first.body).etag);
    expect(first.headers['cache-control']).toBe('private, no-cache');

    const again = await request(server)
      .get('/api/views/views/a')
      .set('Authorization', ALICE)
      .set('If-None-Match', etag);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.etag).toBe(etag);

    version++;
    const changed = await request(server)
      .get('/api/views/views/a')
      .set('Authorization', ALICE)
      .set('If-None-Match', etag);
    expect(changed.status).toBe(200);
    expect(changed.body.version).toBe(version);
    expect(changed.headers.etag).not.toBe(etag);
  });

  it('serialises once for many readers with the same rights, and never gives one reader’s view to another', async () => {
    version++;
    builds.length = 0;
    const answers = await Promise.all(
      [BOB, BOB_2, BOB, ALICE, ALICE].map(header =>
        request(server).get('/api/views/views/a').set('Authorization', header),
      ),
    );
    // one serialisation per distinct view
    expect(builds.sort()).toEqual([false, true]);
    const [bob, bob2, , alice] = answers;
    expect(bob.body.secret).toBe('<hidden>');
    expect(bob2.headers.etag).toBe(bob.headers.etag);
    expect(alice.body.secret).toBe('s3cret');
    expect(alice.headers.etag).not.toBe(bob.headers.etag);
    // bob sending alice's tag gets his own view, not a 304 on hers
    const crossed = await request(server)
      .get('/api/views/views/a')
      .set('Authorization', BOB)
      .set('If-None-Match', alice.headers.etag);
    expect(crossed.status).toBe(200);
    expect(crossed.body.secret).toBe('<hidden>');
  });

  it('checks the caller before it answers 304', async () => {
    const res = await request(server)
      .get('/api/views/views/a')
      .set('If-None-Match', '*');
    expect(res.status).toBe(401);
  });

  it('sends the gzip to a caller that accepts it, with the same tag', async () => {
    const plain = await request(server)
      .get('/api/views/views/a')
      .set('Authorization', ALICE)
      .set('Accept-Encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    const zipped = await request(server)
      .get('/api/views/views/a')
      .set('Authorization', ALICE)
      .set('Accept-Encoding', 'gzip, deflate')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', chunk => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(zipped.status).toBe(200);
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.etag).toBe(plain.headers.etag);
    // supertest may have gunzipped it on the way: either way the bytes are the view
    const bytes = zipped.body as Buffer;
    const text =
      bytes[0] === 0x1f && bytes[1] === 0x8b
        ? gunzipSync(bytes).toString('utf8')
        : bytes.toString('utf8');
    expect(JSON.parse(text)).toEqual(plain.body);
  });

  it('documents the ETag, If-None-Match and the 304', () => {
    const doc = openApiDocument(
      { title: 't', version: '1', serverUrl: '/api/views' },
      ROUTES,
    ) as any;
    const get = doc.paths['/views/{id}'].get;
    expect(get.responses['304'].description).toMatch(/If-None-Match/);
    expect(get.responses['200'].headers.ETag).toBeDefined();
    expect(get.parameters).toContainEqual(
      expect.objectContaining({ name: 'If-None-Match', in: 'header' }),
    );
  });
});
