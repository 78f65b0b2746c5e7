import { z } from 'zod';
import { openApiPath } from '../routes/openApiDocument';

/**
 * What an express router serves and what its OpenAPI document lists, each as sorted
 * `METHOD /path` lines in OpenAPI's path syntax, for a test that the two agree. The route that
 * serves the document (`GET /openapi.json`) is no route of the API and is left out.
 * @public
 */
export function servedAndDocumentedRoutes(
  router: { stack: unknown[] },
  document: { paths: Record<string, Record<string, unknown>> },
): { served: string[]; documented: string[] } {
  const served = (
    router.stack as Array<{
      route?: { path: string; methods: Record<string, boolean> };
    }>
  )
    .flatMap(layer =>
      layer.route
        ? Object.keys(layer.route.methods).map(
            method =>
              `${method.toUpperCase()} ${openApiPath(layer.route!.path)}`,
          )
        : [],
    )
    .filter(route => route !== 'GET /openapi.json')
    .sort();
  const documented = Object.entries(document.paths)
    .flatMap(([path, methods]) =>
      Object.keys(methods).map(method => `${method.toUpperCase()} ${path}`),
    )
    .sort();
  return { served, documented };
}

/**
 * A zod schema as an OpenAPI document shows it (its JSON Schema without `$schema`), written here
 * independently of the document's generator, for a test that a documented body is the contract's.
 * @public
 */
export function documentedSchema(
  schema: z.ZodType,
  io: 'input' | 'output' = 'output',
): unknown {
  const { $schema, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return JSON.parse(JSON.stringify(rest));
}
