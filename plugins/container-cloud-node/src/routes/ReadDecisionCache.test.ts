import type {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import { NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import express from 'express';
import Router from 'express-promise-router';
import request from 'supertest';
import { z } from 'zod';
import { addRoutes } from './addRoutes';
import { ReadDecisionCache } from './ReadDecisionCache';
import { defineRoute, RouteSpec } from './types';

const readPermission = createPermission({
  name: 'test.box.read',
  attributes: { action: 'read' },
  resourceType: 'box',
});
const editPermission = createPermission({
  name: 'test.box.edit',
  attributes: { action: 'update' },
  resourceType: 'box',
});

interface Box {
  ref: string;
  /** what the lookup read: a later lookup reads a higher number */
  version: number;
}

const route = defineRoute<Box>();
const ROUTES: RouteSpec<Box>[] = [
  route({
    method: 'get',
    path: '/boxes/:id',
    summary: 'a box',
    access: 'read',
    permission: readPermission,
    ask: [editPermission],
    response: {
      description: 'the box as looked up, and whether the caller may edit it',
      schema: z.object({
        ref: z.string(),
        version: z.number(),
        mayEdit: z.boolean(),
      }),
    },
    handler: async ({ resource, asked }) => ({
      ref: resource.ref,
      version: resource.version,
      mayEdit: asked[0],
    }),
  }),
  route({
    method: 'get',
    path: '/boxes/:id/operated',
    summary: 'a read that operates (e.g. a shell): checked every time',
    access: 'operate',
    permission: editPermission,
    response: {
      description: 'the version looked up',
      schema: z.object({ version: z.number() }),
    },
    handler: async ({ resource }) => ({ version: resource.version }),
  }),
  route({
    method: 'post',
    path: '/boxes/:id/open',
    summary: 'open a box',
    access: 'operate',
    permission: editPermission,
    notAudited: 'a test route',
    response: {
      description: 'the version looked up',
      schema: z.object({ version: z.number() }),
    },
    handler: async ({ resource }) => ({ version: resource.version }),
  }),
];

/** A backend of the pipeline alone, counting its lookups and permission round trips. */
function startPipeline(cache: ReadDecisionCache<Box> | undefined) {
  const counts = { lookups: 0, authorizations: 0 };
  /** who may read, and who may edit, which box (changed by the tests) */
  const grants = {
    read: new Set(['user:default/alice|box:a', 'user:default/bob|box:a']),
    edit: new Set(['user:default/alice|box:a']),
  };
  const boxes = new Set(['a']);
  const httpAuth = {
    async credentials(req: express.Request) {
      const who = req.header('x-who') ?? '';
      const principal = who.startsWith('plugin:')
        ? { type: 'service', subject: who }
        : { type: 'user', userEntityRef: who };
      return {
        $$type: '@backstage/BackstageCredentials',
        principal,
      } as BackstageCredentials;
    },
  } as unknown as HttpAuthService;
  const permissions = {
    async authorize(
      requests: { permission: { name: string }; resourceRef?: string }[],
      options: { credentials: BackstageCredentials },
    ) {
      counts.authorizations++;
      const principal = options.credentials.principal as {
        type: string;
        userEntityRef?: string;
      };
      return requests.map(r => {
        const grant =
          r.permission.name === readPermission.name ? grants.read : grants.edit;
        const allowed =
          principal.type === 'service' ||
          grant.has(`${principal.userEntityRef}|${r.resourceRef}`);
        return {
          result: allowed ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
        };
      });
    },
  } as unknown as PermissionsService;
  const auditor = {
    async createEvent() {
      return { async success() {}, async fail() {} };
    },
  } as unknown as AuditorService;
  const router = Router();
  router.use(express.json());
  addRoutes(router, ROUTES, {
    httpAuth,
    permissions,
    auditor,
    readDecisions: cache,
    async lookup(req) {
      counts.lookups++;
      if (!boxes.has(req.params.id)) {
        throw new NotFoundError(`no box ${req.params.id}`);
      }
      return { ref: `box:${req.params.id}`, version: counts.lookups };
    },
    resourceRef: box => box.ref,
  });
  const app = express();
  app.use(router);
  // Backstage's own error handler, as a backend mounts it
  app.use(
    MiddlewareFactory.create({
      config: mockServices.rootConfig(),
      logger: mockServices.logger.mock(),
    }).error(),
  );
  return { app, counts, grants, boxes };
}

const ALICE = 'user:default/alice';
const BOB = 'user:default/bob';

describe('ReadDecisionCache in the route pipeline', () => {
  let now = 1_000_000;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('looks up and asks once per person and resource within its lifetime', async () => {
    const cache = new ReadDecisionCache<Box>({ ttlMs: 5000, now: clock });
    const { app, counts } = startPipeline(cache);
    const first = await request(app).get('/boxes/a').set('x-who', ALICE);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ ref: 'box:a', version: 1, mayEdit: true });
    now += 4999;
    const again = await request(app).get('/boxes/a').set('x-who', ALICE);
    // the same lookup and the same answer to the asked permission, without a round trip
    expect(again.body).toEqual({ ref: 'box:a', version: 1, mayEdit: true });
    expect(counts).toEqual({ lookups: 1, authorizations: 1 });

    // another person is another decision
    const bob = await request(app).get('/boxes/a').set('x-who', BOB);
    expect(bob.body).toEqual({ ref: 'box:a', version: 2, mayEdit: false });
    expect(counts).toEqual({ lookups: 2, authorizations: 2 });

    // past its lifetime, looked up and asked again
    now += 1;
    const later = await request(app).get('/boxes/a').set('x-who', ALICE);
    expect(later.body).toEqual({ ref: 'box:a', version: 3, mayEdit: true });
    expect(counts).toEqual({ lookups: 3, authorizations: 3 });
  });

  it('delays a revoked read by its lifetime at most', async () => {
    const cache = new ReadDecisionCache<Box>({ ttlMs: 5000, now: clock });
    const { app, grants } = startPipeline(cache);
    expect((await request(app).get('/boxes/a').set('x-who', BOB)).status).toBe(
      200,
    );
    grants.read.delete(`${BOB}|box:a`);
    now += 4000;
    expect((await request(app).get('/boxes/a').set('x-who', BOB)).status).toBe(
      200,
    );
    now += 1000;
    const refused = await request(app).get('/boxes/a').set('x-who', BOB);
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe('you may not test.box.read box:a');
  });

  it('never keeps a refusal or a 404: a new grant and a new resource are seen at once', async () => {
    const cache = new ReadDecisionCache<Box>({ ttlMs: 5000, now: clock });
    const { app, grants, boxes } = startPipeline(cache);
    const carol = 'user:default/carol';
    expect(
      (await request(app).get('/boxes/a').set('x-who', carol)).status,
    ).toBe(403);
    grants.read.add(`${carol}|box:a`);
    expect(
      (await request(app).get('/boxes/a').set('x-who', carol)).status,
    ).toBe(200);

    expect(
      (await request(app).get('/boxes/b').set('x-who', ALICE)).status,
    ).toBe(404);
    boxes.add('b');
    grants.read.add(`${ALICE}|box:b`);
    expect(
      (await request(app).get('/boxes/b').set('x-who', ALICE)).status,
    ).toBe(200);
    expect(cache.size).toBe(2);
  });

  it('checks operations, changes and service callers on every request', async () => {
    const cache = new ReadDecisionCache<Box>({ ttlMs: 5000, now: clock });
    const { app, counts } = startPipeline(cache);
    for (let i = 0; i < 2; i++) {
      expect(
        (await request(app).get('/boxes/a/operated').set('x-who', ALICE))
          .status,
      ).toBe(200);
      expect(
        (await request(app).post('/boxes/a/open').set('x-who', ALICE)).status,
      ).toBe(200);
      expect(
        (await request(app).get('/boxes/a').set('x-who', 'plugin:catalog'))
          .status,
      ).toBe(200);
    }
    expect(counts).toEqual({ lookups: 6, authorizations: 6 });
    expect(cache.size).toBe(0);
  });

  it('without a cache, every read is looked up and asked', async () => {
    const { app, counts } = startPipeline(undefined);
    await request(app).get('/boxes/a').set('x-who', ALICE);
    await request(app).get('/boxes/a').set('x-who', ALICE);
    expect(counts).toEqual({ lookups: 2, authorizations: 2 });
  });
});

describe('ReadDecisionCache', () => {
  it('holds at most maxEntries, the oldest going first', () => {
    let now = 0;
    const cache = new ReadDecisionCache<number>({
      ttlMs: 1000,
      maxEntries: 3,
      now: () => now,
    });
    for (const key of ['a', 'b', 'c', 'd']) {
      cache.set(key, { resource: now, asked: [] });
      now += 10;
    }
    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toEqual({ resource: 10, asked: [] });
    expect(cache.get('d')).toEqual({ resource: 30, asked: [] });
  });

  it('drops expired entries as new ones come', () => {
    let now = 0;
    const cache = new ReadDecisionCache<number>({
      ttlMs: 100,
      now: () => now,
    });
    cache.set('a', { resource: 1, asked: [] });
    cache.set('b', { resource: 2, asked: [] });
    now = 150;
    cache.set('c', { resource: 3, asked: [] });
    expect(cache.size).toBe(1);
    expect(cache.get('c')).toEqual({ resource: 3, asked: [] });
  });

  it('refuses a lifetime that is not positive', () => {
    expect(() => new ReadDecisionCache({ ttlMs: 0 })).toThrow(
      'a read decision cache needs a positive lifetime, not 0 ms',
    );
  });
});
