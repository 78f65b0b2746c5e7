import { createPermission } from '@backstage/plugin-permission-common';
import { z } from 'zod';
import { openApiDocument, openApiPath } from './openApiDocument';
import { defineRoute, RouteSpec } from './types';

const editPermission = createPermission({
  name: 'test.thing.edit',
  attributes: { action: 'update' },
  resourceType: 'thing',
});
const route = defineRoute<{ ref: string }>();
const ROUTES: RouteSpec<{ ref: string }>[] = [
  route({
    method: 'post',
    path: '/things/:id/rename',
    summary: 'rename a thing',
    access: 'operate',
    permission: editPermission,
    audit: { eventId: 'thing-rename' },
    request: {
      query: z
        .object({ dryRun: z.enum(['true', 'false']).optional() })
        .strict(),
      body: z.object({ name: z.string().min(2) }).strict(),
    },
    response: {
      description: 'the new name',
      schema: z.object({ name: z.string() }),
      otherStatuses: { 207: 'renamed in part' },
      errors: { 409: 'renamed meanwhile' },
    },
    handler: async ({ body }) => ({ name: body.name }),
  }),
  route({
    method: 'delete',
    path: '/things/:id',
    summary: 'forget a thing',
    access: 'operate',
    permission: editPermission,
    notAudited: 'a test',
    request: { params: z.object({ id: z.string().uuid() }) },
    response: { description: 'forgotten' },
    handler: async () => undefined,
  }),
];

describe('openApiDocument', () => {
  const doc = openApiDocument(
    { title: 'things', version: '1', serverUrl: '/api/things' },
    ROUTES,
  );

  it('writes express paths as OpenAPI paths', () => {
    expect(openApiPath('/a/:b/c/:d_e')).toBe('/a/{b}/c/{d_e}');
    expect(Object.keys(doc.paths)).toEqual([
      '/things/{id}/rename',
      '/things/{id}',
    ]);
  });

  it('documents parameters, body and answers from the zod schemas', () => {
    const rename = doc.paths['/things/{id}/rename'].post as any;
    expect(rename.parameters).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
      {
        name: 'dryRun',
        in: 'query',
        required: false,
        schema: { type: 'string', enum: ['true', 'false'] },
      },
    ]);
    expect(rename.requestBody.content['application/json'].schema).toEqual({
      type: 'object',
      properties: { name: { type: 'string', minLength: 2 } },
      required: ['name'],
      additionalProperties: false,
    });
    expect(Object.keys(rename.responses).sort()).toEqual(
      [
        '200',
        '207',
        '400',
        '401',
        '403',
        '404',
        '409',
        '413',
        '414',
        '431',
      ].sort(),
    );
    // a route's own error answers carry the error body, as every error does
    expect(rename.responses['409']).toEqual({
      description: 'renamed meanwhile',
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/Error' } },
      },
    });
    const forget = doc.paths['/things/{id}'].delete as any;
    expect(forget.responses['409']).toBeUndefined();
    // no body, so no 413
    expect(forget.responses['413']).toBeUndefined();
    expect(rename['x-permissions']).toEqual(['test.thing.edit']);
    expect(rename['x-audit-event']).toBe('thing-rename');
  });

  it('documents a tuple of one type as an array of that type and length', () => {
    const [points] = Object.values(
      openApiDocument({ title: 't', version: '1', serverUrl: '/' }, [
        route({
          method: 'get',
          path: '/things/:id/points',
          summary: 'points',
          access: 'read',
          response: {
            description: 'the points',
            schema: z.object({
              points: z.array(z.tuple([z.number(), z.number()])),
              label: z.tuple([z.string(), z.number()]),
            }),
          },
          handler: async () => ({
            points: [[1, 2] as [number, number]],
            label: ['a', 1] as [string, number],
          }),
        }),
      ]).paths,
    );
    const answer = (points.get as any).responses['200'].content[
      'application/json'
    ].schema;
    expect(answer.properties.points.items).toEqual({
      type: 'array',
      items: { type: 'number' },
      minItems: 2,
      maxItems: 2,
    });
    // items of different types stay a tuple
    expect(answer.properties.label.prefixItems).toEqual([
      { type: 'string' },
      { type: 'number' },
    ]);
  });

  it('answers 200 for a route that writes its own answer of a content type', () => {
    const [log] = Object.values(
      openApiDocument({ title: 't', version: '1', serverUrl: '/' }, [
        route({
          method: 'get',
          path: '/things/:id/log',
          summary: "a thing's log",
          access: 'read',
          response: { description: 'the lines', contentType: 'text/plain' },
          handler: async () => undefined,
        }),
      ]).paths,
    );
    expect(Object.keys((log.get as any).responses)).toContain('200');
    expect((log.get as any).responses['204']).toBeUndefined();
  });

  it('takes a path parameter’s schema from the params schema, and answers 204 without a body', () => {
    const forget = doc.paths['/things/{id}'].delete as any;
    expect(forget.parameters[0].schema).toMatchObject({
      type: 'string',
      format: 'uuid',
    });
    expect(forget.responses['204']).toEqual({ description: 'forgotten' });
  });
});
