import type {
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  KUBERNETES_ID_LABEL,
  serviceListQuerySchema,
  serviceListSchema,
  serviceReadPermission,
  ServiceSummary,
} from '@internal/plugin-container-cloud-common';
import type {
  ContainerCloudClusters,
  ServiceBindings,
} from '@internal/plugin-container-cloud-node';
import { ServiceRoute, serviceRoute } from './lib/serviceRoutes';

export interface ServiceListRouteOptions {
  clusters: ContainerCloudClusters;
  catalog: CatalogService;
  bindings: ServiceBindings;
  userInfo: UserInfoService;
  permissions: PermissionsService;
}

/**
 * `GET /services`: the catalog's Components that name their workloads, a page at a time, with
 * each one's ready/desired replicas per cluster from the watch caches. `owner=mine` keeps those
 * owned by the caller or one of their groups.
 */
export function serviceListRoute(
  options: ServiceListRouteOptions,
): ServiceRoute {
  const { clusters, catalog, bindings, userInfo, permissions } = options;

  return serviceRoute({
    method: 'get',
    path: '/services',
    summary: "The catalog's services, a page at a time, with their replicas",
    // "mine" is a person's: their ownership
    access: 'read',
    usersOnly: true,
    resource: false,
    request: { query: serviceListQuerySchema },
    response: { description: 'a page of services', schema: serviceListSchema },
    handler: async ({ credentials, query }) => {
      const ownership =
        query.owner === 'mine'
          ? (await userInfo.getUserInfo(credentials)).ownershipEntityRefs
          : undefined;
      const page = await catalog.queryEntities(
        {
          filter: {
            kind: 'component',
            ...(ownership ? { 'relations.ownedBy': ownership } : {}),
          },
          query: {
            [`metadata.annotations.${KUBERNETES_ID_LABEL}`]: { $exists: true },
          },
          orderFields: { field: 'metadata.name', order: 'asc' },
          limit: query.limit,
          offset: query.offset,
        },
        { credentials },
      );
      const refs = page.items.map(entity => stringifyEntityRef(entity));
      const decisions =
        refs.length > 0
          ? await permissions.authorize(
              refs.map(resourceRef => ({
                permission: serviceReadPermission,
                resourceRef,
              })),
              { credentials },
            )
          : [];
      const bound = await bindings.resolveMany(page.items);
      const items = page.items.map((entity, i): ServiceSummary => {
        const binding = bound[i];
        const kubernetesId = binding.kubernetesId;
        const readable = decisions[i]?.result === AuthorizeResult.ALLOW;
        const perCluster = readable
          ? clusters
              .serviceView(kubernetesId, binding.visiblePlacements())
              .map(view => ({
                cluster: view.cluster,
                reachable: view.health.reachable,
                ready: view.deployments.reduce(
                  (n, d) => n + d.replicas.ready,
                  0,
                ),
                desired: view.deployments.reduce(
                  (n, d) => n + d.replicas.desired,
                  0,
                ),
              }))
          : [];
        return {
          entityRef: refs[i],
          namespace: entity.metadata.namespace ?? 'default',
          name: entity.metadata.name,
          title: entity.metadata.title,
          owner:
            typeof entity.spec?.owner === 'string'
              ? entity.spec.owner
              : undefined,
          kubernetesId,
          ...(binding.reported() ? { binding: binding.reported() } : {}),
          clusters: perCluster,
          ready: perCluster.reduce((n, c) => n + c.ready, 0),
          desired: perCluster.reduce((n, c) => n + c.desired, 0),
        };
      });
      return { items, totalItems: page.totalItems };
    },
  });
}
