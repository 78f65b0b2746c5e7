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
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import Router from 'express-promise-router';
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { RecordedAuditEvent, recordingAuditor } from '../testing';
import { addRoutes, checkRouteTable } from './addRoutes';
import { TooManyRequestsError } from './errors';
import { ANSWERED, defineRoute, RouteSpec } from './types';

const editPermission = createPermission({
  name: 'test.thing.edit',
  attributes: { action: 'update' },
  resourceType: 'thing',
});
const readPermission = createPermission({
  name: 'test.thing.read',
  attributes: { action: 'read' },
  resourceType: 'thing',
});
/** what only carol, the admin, may: e.g. tag a thing nobody owns */
const adminPermission = createPermission({
  name: 'test.admin',
  attributes: { action: 'update' },
});
const CAROL_REF = 'user:default/carol';

/** A thing of the test's own store; `alice` owns `mine`, nobody owns `other`. */
interface Thing {
  ref: string;
  owner: string;
}
const THINGS: Record<string, Thing> = {
  mine: { ref: 'thing:mine', owner: 'user:default/alice' },
  other: { ref: 'thing:other', owner: 'user:default/nobody' },
  orphan: { ref: 'thing:orphan', owner: '' },
};

const route = defineRoute<Thing>();
const ROUTES: RouteSpec<Thing>[] = [
  route({
    method: 'get',
    path: '/things/:id',
    summary: 'a thing',
    access: 'read',
    permission: readPermission,
    ask: [editPermission],
    response: {
      description: 'the thing, and whether the caller may edit it',
      schema: z.object({ ref: z.string(), mayEdit: z.boolean() }),
    },
    handler: async ({ resource, asked }) => ({
      ref: resource.ref,
      mayEdit: asked[0],
    }),
  }),
  route({
    method: 'post',
    path: '/things/:id/rename',
    summary: 'rename a thing',
    access: 'operate',
    permission: editPermission,
    audit: { eventId: 'thing-rename' },
    request: {
      body: z
        .object({ name: z.string().min(2, 'a name has 2 letters or more') })
        .strict(),
    },
    response: {
      description: 'the new name',
      schema: z.object({ ref: z.string(), name: z.string() }),
    },
    handler: async ({ resource, body, audit }) => {
      if (body.name === 'taken') {
        throw Object.assign(new ConflictError('renamed since you loaded it'), {
          current: { name: 'newer' },
        });
      }
      if (body.name === 'crowd') {
        throw new TooManyRequestsError('close one first');
      }
      if (body.name === 'zod') {
        // a handler that parses more itself: its ZodError is a 400 too
        z.object({ deep: z.number() }).parse({});
      }
      audit.meta.renamedTo = body.name;
      return { ref: resource.ref, name: body.name };
    },
  }),
  route({
    method: 'post',
    path: '/things/:id/tag',
    summary: "tag a thing: its owner's, or the admin's when it has none",
    access: 'operate',
    permission: [editPermission, adminPermission],
    permissionFor: thing => (thing.owner ? editPermission : adminPermission),
    refusal: (_permission, thing) =>
      `you may not tag ${thing.ref}: ${
        thing.owner ? 'only its owner may' : 'only admins may'
      }`,
    audit: { eventId: 'thing-tag' },
    request: {
      body: z
        .object({
          tag: z.string().min(1),
          style: z.strictObject({ color: z.string() }).optional(),
        })
        .strict(),
      names: { body: 'tag' },
    },
    response: {
      description: 'the tag',
      schema: z.object({ tag: z.string() }),
    },
    handler: async ({ body }) => ({ tag: body.tag }),
  }),
  route({
    method: 'get',
    path: '/things/:id/download',
    summary: 'a download, answered by the handler',
    access: 'read',
    permission: readPermission,
    audit: { eventId: 'thing-download', severityLevel: 'low' },
    response: { description: 'the bytes', contentType: 'text/plain' },
    handler: async ({ res, audit }) => {
      await audit.success({ bytes: 5 });
      res.type('text/plain').send('bytes');
      return ANSWERED;
    },
  }),
  route({
    method: 'get',
    path: '/list',
    summary: 'what the caller may see, for persons only',
    access: 'read',
    usersOnly: true,
    resource: false,
    request: {
      query: z.object({ limit: z.coerce.number().int().max(10) }).strict(),
    },
    response: {
      description: 'the limit it read',
      schema: z.object({ limit: z.number() }),
    },
    handler: async ({ query }) => ({ limit: query.limit }),
  }),
];

const audit: RecordedAuditEvent[] = [];

async function startBackend() {
  const plugin = createBackendPlugin({
    pluginId: 'things',
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
          router.use(express.json());
          addRoutes(router, ROUTES, {
            httpAuth,
            permissions,
            auditor,
            async lookup(req) {
              const thing = THINGS[req.params.id];
              if (!thing) throw new NotFoundError(`no thing ${req.params.id}`);
              return thing;
            },
            resourceRef: thing => thing.ref,
            auditMeta: thing => ({ thing: thing.ref }),
            auditedRequest: input => ({ ...(input as object), secret: 'x' }),
            refusal: (permission, ref) =>
              `you may not ${permission.name} ${ref}: only its owner may`,
            auditContext: req =>
              req.query.via ? { via: String(req.query.via) } : {},
          });
          httpRouter.use(router);
        },
      });
    },
  });
  // the owner may do everything with their thing; anybody may read
  const ownerPolicy = createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => ({
      async authorize(requests, options) {
        const principal = options?.credentials.principal as {
          userEntityRef?: string;
        };
        return requests.map(r => {
          const ref = (r as { resourceRef?: string }).resourceRef;
          const owner = Object.values(THINGS).find(t => t.ref === ref)?.owner;
          return {
            result:
              r.permission.name === readPermission.name ||
              (r.permission.name === adminPermission.name &&
                principal.userEntityRef === CAROL_REF) ||
              owner === principal.userEntityRef
                ? AuthorizeResult.ALLOW
                : AuthorizeResult.DENY,
          };
        });
      },
      async authorizeConditional() {
        throw new Error('not used');
      },
    }),
  });
  return startTestBackend({
    features: [
      plugin,
      ownerPolicy,
      recordingAuditor(audit),
      // a request without a token has no credentials (the default mock would make it a user)
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
    ],
  });
}

const ALICE = mockCredentials.user.header('user:default/alice');
const BOB = mockCredentials.user.header('user:default/bob');
const CAROL = mockCredentials.user.header(CAROL_REF);

describe('the route pipeline', () => {
  let server: Awaited<ReturnType<typeof startBackend>>['server'];

  beforeAll(async () => {
    ({ server } = await startBackend());
  });

  beforeEach(() => {
    audit.length = 0;
  });

  it('answers a read with what the handler returned, and asks in the same round trip', async () => {
    const mine = await request(server)
      .get('/api/things/things/mine')
      .set('Authorization', ALICE);
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({ ref: 'thing:mine', mayEdit: true });
    const theirs = await request(server)
      .get('/api/things/things/mine')
      .set('Authorization', BOB);
    expect(theirs.body).toEqual({ ref: 'thing:mine', mayEdit: false });
  });

  it('lets a service token read, and 401s a caller without credentials', async () => {
    const service = await request(server)
      .get('/api/things/things/mine')
      .set('Authorization', mockCredentials.service.header());
    expect(service.status).toBe(200);
    const anonymous = await request(server).get('/api/things/things/mine');
    expect(anonymous.status).toBe(401);
  });

  it('answers 404 from the lookup before any audit event', async () => {
    const res = await request(server)
      .post('/api/things/things/nope/rename')
      .set('Authorization', ALICE)
      .send({ name: 'new' });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe('no thing nope');
    expect(audit).toEqual([]);
  });

  it('runs an allowed mutation and audits its success with the resource, the request and the handler’s meta', async () => {
    const res = await request(server)
      .post('/api/things/things/mine/rename')
      .set('Authorization', ALICE)
      .send({ name: 'new' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ref: 'thing:mine', name: 'new' });
    expect(audit).toEqual([
      {
        eventId: 'thing-rename',
        outcome: 'success',
        meta: {
          thing: 'thing:mine',
          request: { name: 'new', secret: 'x' },
          renamedTo: 'new',
        },
      },
    ]);
  });

  it('refuses a mutation the policy denies with 403 in words, and audits the refusal', async () => {
    const res = await request(server)
      .post('/api/things/things/other/rename')
      .set('Authorization', ALICE)
      .send({ name: 'new' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'you may not test.thing.edit thing:other: only its owner may',
    );
    expect(audit).toEqual([
      expect.objectContaining({ eventId: 'thing-rename', outcome: 'fail' }),
    ]);
  });

  it('never lets a service token mutate, whatever the policy says', async () => {
    const res = await request(server)
      .post('/api/things/things/mine/rename')
      .set('Authorization', mockCredentials.service.header())
      .send({ name: 'new' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain(
      'only a signed-in person may change workloads',
    );
    expect(audit).toEqual([]);
  });

  it('keeps a read for persons from service tokens', async () => {
    const service = await request(server)
      .get('/api/things/list?limit=3')
      .set('Authorization', mockCredentials.service.header());
    expect(service.status).toBe(403);
    const person = await request(server)
      .get('/api/things/list?limit=3')
      .set('Authorization', BOB);
    expect(person.body).toEqual({ limit: 3 });
  });

  it.each([
    [{}, 'invalid request: name is required'],
    [{ name: 'x' }, 'invalid request: name: a name has 2 letters or more'],
    [{ name: 'ok', extra: 1 }, 'invalid request: unknown field(s): extra'],
    [{ name: 'zod' }, 'invalid request: deep is required'],
  ])('answers 400 in words to %j and audits it', async (body, message) => {
    const res = await request(server)
      .post('/api/things/things/mine/rename')
      .set('Authorization', ALICE)
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toBe(message);
    expect(audit).toEqual([
      expect.objectContaining({ eventId: 'thing-rename', outcome: 'fail' }),
    ]);
  });

  it('answers a conflict that carries the current state with 409 and that state', async () => {
    const res = await request(server)
      .post('/api/things/things/mine/rename')
      .set('Authorization', ALICE)
      .send({ name: 'taken' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      error: { name: 'ConflictError', message: 'renamed since you loaded it' },
      current: { name: 'newer' },
    });
    expect(audit).toEqual([expect.objectContaining({ outcome: 'fail' })]);
  });

  it('answers too many with 429', async () => {
    const res = await request(server)
      .post('/api/things/things/mine/rename')
      .set('Authorization', ALICE)
      .send({ name: 'crowd' });
    expect(res.status).toBe(429);
    expect(res.body.error).toMatchObject({
      name: 'TooManyRequestsError',
      message: 'close one first',
    });
  });

  it('checks the permission the resource chooses, refuses in the route’s words, and records the request’s context', async () => {
    const tag = (id: string, who: string) =>
      request(server)
        .post(`/api/things/things/${id}/tag?via=cli`)
        .set('Authorization', who)
        .send({ tag: 'blue' });
    expect((await tag('mine', ALICE)).status).toBe(200);
    const bob = await tag('mine', BOB);
    expect(bob.status).toBe(403);
    expect(bob.body.error.message).toBe(
      'you may not tag thing:mine: only its owner may',
    );
    // nobody owns it: the admin permission, not the owner's
    const alice = await tag('orphan', ALICE);
    expect(alice.status).toBe(403);
    expect(alice.body.error.message).toBe(
      'you may not tag thing:orphan: only admins may',
    );
    expect((await tag('orphan', CAROL)).status).toBe(200);
    expect((await tag('mine', CAROL)).status).toBe(403);
    expect(audit.map(e => [e.outcome, e.meta?.via, e.meta?.thing])).toEqual([
      ['success', 'cli', 'thing:mine'],
      ['fail', 'cli', 'thing:mine'],
      ['fail', 'cli', 'thing:orphan'],
      ['success', 'cli', 'thing:orphan'],
      ['fail', 'cli', 'thing:mine'],
    ]);
  });

  it('names the request part in a 400, and a nested unknown field with where it is', async () => {
    const res = await request(server)
      .post('/api/things/things/mine/tag')
      .set('Authorization', ALICE)
      .send({ tag: 'blue', style: { color: 'red', size: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'invalid tag: style: unknown field(s): size',
    );
  });

  it('lets a handler answer itself, with the success it recorded', async () => {
    const res = await request(server)
      .get('/api/things/things/mine/download')
      .set('Authorization', BOB);
    expect(res.status).toBe(200);
    expect(res.text).toBe('bytes');
    expect(audit).toEqual([
      {
        eventId: 'thing-download',
        outcome: 'success',
        meta: { thing: 'thing:mine', request: { secret: 'x' }, bytes: 5 },
      },
    ]);
  });
});

describe('the route table check', () => {
  const base = {
    path: '/x',
    summary: 'x',
    response: { description: 'x' },
    handler: async () => undefined,
  };

  it.each<[string, Parameters<typeof checkRouteTable>[0], string]>([
    [
      'a mutation open to service tokens',
      [
        {
          ...base,
          method: 'post',
          access: 'read',
          permission: editPermission,
          audit: { eventId: 'x' },
        },
      ],
      "POST /x changes something: its access must be 'operate'",
    ],
    [
      'an operation without a permission',
      [{ ...base, method: 'post', access: 'operate', audit: { eventId: 'x' } }],
      'POST /x operates: it must check a permission',
    ],
    [
      'a route declared twice',
      [
        { ...base, method: 'get', access: 'read' },
        { ...base, method: 'get', access: 'read' },
      ],
      'GET /x is declared twice',
    ],
    [
      'a permission chosen by a resource on a route without one',
      [
        {
          ...base,
          method: 'post',
          access: 'operate',
          resource: false,
          permission: [adminPermission],
          permissionFor: () => adminPermission,
          audit: { eventId: 'x' },
        },
      ],
      'POST /x has no resource to choose its permission by',
    ],
    [
      'a resource permission on a route without a resource',
      [
        {
          ...base,
          method: 'get',
          access: 'read',
          resource: false,
          permission: readPermission,
        },
      ],
      'GET /x has no resource to check test.thing.read on',
    ],
  ])('refuses %s', (_what, routes, message) => {
    expect(() => checkRouteTable(routes)).toThrow(message);
  });

  it('refuses a mutation that neither audits nor says why not', () => {
    const deletion = {
      ...base,
      method: 'delete',
      access: 'operate',
      permission: editPermission,
    } as const;
    expect(() => checkRouteTable([deletion])).toThrow(
      'DELETE /x changes something: it must record an audit event',
    );
    expect(() =>
      checkRouteTable([
        { ...deletion, notAudited: 'the session it ends is audited' },
      ]),
    ).not.toThrow();
  });
});
