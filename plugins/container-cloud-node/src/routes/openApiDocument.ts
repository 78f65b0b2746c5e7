import { z } from 'zod';
import type { RouteSpec } from './types';

/** A JSON Schema as zod writes it (draft 2020-12, the dialect of OpenAPI 3.1). */
type JsonSchema = Record<string, unknown>;

/** What the document says about the API as a whole. @public */
export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
  /** where the routes are served, e.g. `/api/services` (the plugin's base path) */
  serverUrl: string;
}

/** An OpenAPI 3.1 document: the parts this generator writes. @public */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, unknown>;
}

/**
 * A tuple whose items all have one schema (`[time, value]`) as an array of that schema with its
 * length: the same constraint without `prefixItems`, which OpenAPI tools still misread
 * (schemathesis 4.32 took it for a draft-4 `items` list and could not check the answers).
 */
function sameTypedTuplesAsArrays(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(sameTypedTuplesAsArrays);
  if (!node || typeof node !== 'object') return node;
  const entries = Object.entries(node).map(
    ([key, value]) => [key, sameTypedTuplesAsArrays(value)] as const,
  );
  const out: Record<string, unknown> = Object.fromEntries(entries);
  const prefix = out.prefixItems;
  if (
    Array.isArray(prefix) &&
    prefix.length > 0 &&
    out.items === false &&
    prefix.every(item => JSON.stringify(item) === JSON.stringify(prefix[0]))
  ) {
    delete out.prefixItems;
    out.items = prefix[0];
    out.minItems = prefix.length;
    out.maxItems = prefix.length;
  }
  return out;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  // transforms and refinements are checked at run time; the document shows the shape
  const { $schema, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return sameTypedTuplesAsArrays(rest) as JsonSchema;
}

/** `/services/:namespace/:name` as OpenAPI writes it: `/services/{namespace}/{name}`. @public */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function properties(schema: z.ZodType | undefined) {
  if (!schema) return { properties: {}, required: [] as string[] };
  const object = jsonSchema(schema, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return {
    properties: object.properties ?? {},
    required: object.required ?? [],
  };
}

/** Every `:name` of the path (a string unless the params schema says more), then the query. */
function parameters(route: RouteSpec<any, any, any>) {
  const params = properties(route.request?.params);
  const query = properties(route.request?.query);
  return [
    ...[...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map(([, name]) => ({
      name,
      in: 'path',
      required: true,
      schema: params.properties[name] ?? { type: 'string' },
    })),
    ...Object.entries(query.properties).map(([name, schema]) => ({
      name,
      in: 'query',
      required: query.required.includes(name),
      schema,
    })),
    ...(route.response.conditional
      ? [
          {
            name: 'If-None-Match',
            in: 'header',
            required: false,
            description: 'the ETag of the answer the caller holds',
            schema: { type: 'string' },
          },
        ]
      : []),
  ];
}

const ERROR_ANSWERS: Record<string, string> = {
  '400': 'the request is invalid; the message names every problem',
  '401': 'no credentials',
  '403': 'the caller may not do this; the message says why',
  '404': 'no such resource, or not one the caller may see',
};

/**
 * An OpenAPI 3.1 document of a route table: every route with its parameters, body and answer,
 * from the same zod schemas the pipeline parses with, and Backstage's error answer. Generic: any
 * backend plugin's route table goes in.
 * @public
 */
export function openApiDocument(
  info: OpenApiInfo,
  routes: readonly RouteSpec<any, any, any>[],
): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    const responses: Record<string, unknown> = {};
    const status = String(
      route.response.status ??
        (route.response.schema || route.response.contentType ? 200 : 204),
    );
    const answer = route.response.schema
      ? { schema: jsonSchema(route.response.schema, 'output') }
      : {};
    const contentType =
      route.response.contentType ??
      (route.response.schema ? 'application/json' : undefined);
    responses[status] = {
      description: route.response.description,
      ...(route.response.conditional
        ? {
            headers: {
              ETag: {
                description:
                  'the version of this answer, for If-None-Match; the same tag is always the same body',
                schema: { type: 'string' },
              },
            },
          }
        : {}),
      ...(contentType ? { content: { [contentType]: answer } } : {}),
    };
    if (route.response.conditional) {
      responses['304'] = {
        description:
          'unchanged since the answer whose ETag the request sent in If-None-Match',
      };
    }
    for (const [other, description] of Object.entries(
      route.response.otherStatuses ?? {},
    )) {
      responses[other] = {
        description,
        ...(route.response.schema
          ? { content: { 'application/json': answer } }
          : {}),
      };
    }
    // what the HTTP layer answers before a route runs (Node, a proxy in front; the body parser's
    // 413 is among the error answers below)
    responses['414'] = {
      description:
        'the URL is longer than the portal (or a proxy in front) accepts',
    };
    responses['431'] = {
      description: 'the headers are larger than the portal accepts',
    };
    for (const [code, description] of Object.entries({
      ...ERROR_ANSWERS,
      ...(route.request?.body
        ? { 413: 'the body is larger than the portal accepts' }
        : {}),
      ...route.response.errors,
    })) {
      responses[code] = {
        description,
        content: {
          'application/json': {
            schema: { $ref: '#/components/schemas/Error' },
          },
        },
      };
    }
    paths[path] = {
      ...paths[path],
      [route.method]: {
        operationId: `${route.method}${path
          .split(/[^A-Za-z0-9]+/)
          .filter(Boolean)
          .map(part => part[0].toUpperCase() + part.slice(1))
          .join('')}`,
        summary: route.summary,
        ...(route.description ? { description: route.description } : {}),
        'x-access': route.access,
        ...(route.audit ? { 'x-audit-event': route.audit.eventId } : {}),
        ...(route.permission
          ? {
              'x-permissions': [route.permission]
                .flat()
                .map(permission => permission.name),
            }
          : {}),
        parameters: parameters(route),
        ...(route.request?.body
          ? {
              requestBody: {
                required: true,
                content: {
                  'application/json': {
                    schema: jsonSchema(route.request.body, 'input'),
                  },
                },
              },
            }
          : {}),
        responses,
        security: [{ BackstageToken: [] }],
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      ...(info.description ? { description: info.description } : {}),
    },
    servers: [{ url: info.serverUrl }],
    paths,
    components: {
      securitySchemes: {
        BackstageToken: { type: 'http', scheme: 'bearer' },
      },
      schemas: {
        // as Backstage's error handler answers
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: {
                name: { type: 'string' },
                message: { type: 'string' },
              },
              required: ['name', 'message'],
            },
            request: {
              type: 'object',
              properties: {
                method: { type: 'string' },
                url: { type: 'string' },
              },
            },
            response: {
              type: 'object',
              properties: { statusCode: { type: 'integer' } },
            },
            current: {
              description:
                'a 409: the resource as it is now, which the write would have overwritten',
            },
          },
          required: ['error'],
        },
      },
    },
  };
}
