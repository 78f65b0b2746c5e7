import type express from 'express';
import type {
  HttpAuthService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  KUBERNETES_ID_LABEL,
  ServiceList,
  serviceListQuerySchema,
  serviceReadPermission,
  ServiceSummary,
} from '@internal/plugin-container-cloud-common';
import type {
  ContainerCloudClusters,
  ServiceBindings,
} from '@internal/plugin-container-cloud-node';
import { parseBody } from './lib/validation';

export interface ServiceListRouteOptions {
  clusters: ContainerCloudClusters;
  catalog: CatalogService;
  bindings: ServiceBindings;
  httpAuth: HttpAuthService;
  userInfo: UserInfoService;
  permissions: PermissionsService;
}

/**
 * `GET /services`: the catalog's Components that name their workloads, a page at a time, with
 * each one's ready/desired replicas per cluster from the watch caches. `owner=mine` keeps those
 * owned by the caller or one of their groups.
 */
export function addServiceListRoute(
  router: express.Router,
  options: ServiceListRouteOptions,
) {
  const { clusters, catalog, bindings, httpAuth, userInfo, permissions } =
    options;

  router.get('/services', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const query = parseBody(serviceListQuerySchema, req.query);
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
              ready: view.deployments.reduce((n, d) => n + d.replicas.ready, 0),
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
    const body: ServiceList = { items, totalItems: page.totalItems };
    res.json(body);
  });
}
