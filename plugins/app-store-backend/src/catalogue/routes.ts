import {
  chartDetailSchema,
  chartListSchema,
  chartParamsSchema,
} from '@internal/plugin-container-cloud-common';
import {
  defineRoute,
  RouteGroup,
  RouteSpec,
} from '@internal/plugin-container-cloud-node';
import type { AppStoreDeps } from '../deps';
import { appStoreCore } from '../instances/core';
import type { Catalogue } from './Catalogue';

const route = defineRoute<undefined>();

/** The catalogue's route table (read-only: any signed-in user, and services). @public */
export function catalogueRouteTable(
  catalogue: Catalogue,
): RouteSpec<undefined, any, any>[] {
  return [
    route({
      method: 'get',
      path: '/charts',
      summary:
        'The charts of every configured repository, newest version first',
      description:
        'A repository that cannot be read is listed in `repositories` with its error (its charts are then missing, never silently).',
      access: 'read',
      resource: false,
      response: { description: 'the catalogue', schema: chartListSchema },
      handler: async () => catalogue.list(),
    }),
    route({
      method: 'get',
      path: '/charts/:repository/:chart/versions/:version',
      summary: 'One chart version: README, values.schema.json and values.yaml',
      access: 'read',
      resource: false,
      request: { params: chartParamsSchema, names: { params: 'chart' } },
      response: {
        description: 'the chart version',
        schema: chartDetailSchema,
        errors: { 502: 'Helm could not read the chart' },
      },
      handler: async ({ params }) =>
        catalogue.detail(params.repository, params.chart, params.version),
    }),
  ];
}

/** The app store's catalogue routes: the charts of the configured repositories (GET /charts, GET /charts/:repository/:chart/versions/:version). */
export async function catalogueRoutes(deps: AppStoreDeps): Promise<RouteGroup> {
  return { routes: catalogueRouteTable(appStoreCore(deps).catalogue) };
}
