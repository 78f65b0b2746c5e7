import type express from 'express';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { ResourcePermission } from '@backstage/plugin-permission-common';
import type {
  RouteAccess,
  ServiceBinding,
} from '@internal/plugin-container-cloud-node';

/** What the service routes resolve for every request under `/services/:namespace/:name`. */
export interface LoadedService {
  credentials: BackstageCredentials;
  entityRef: string;
  /**
   * Which workloads the entity controls. A route reaches a workload's kubernetes id only through
   * `binding.idIn(cluster, namespace)`, which refuses (403) what is outside the binding; views
   * show `binding.visiblePlacements()`.
   */
  binding: ServiceBinding;
}

/** How every group of service routes finds its service and checks the caller's rights. */
export interface ServiceRouteContext {
  /**
   * The Component behind the path, read with the caller's own rights (404 when not theirs to
   * see). `access` says who may call the route (see READ_PRINCIPALS in container-cloud-node):
   * 'operate' for every route that changes something or reads inside a container (users only),
   * 'read' for views (users and services).
   */
  loadService(
    req: express.Request,
    access: RouteAccess,
  ): Promise<LoadedService>;
  /** every permission must be allowed on the entity; a refusal is a 403 in words */
  authorize(
    permission:
      | ResourcePermission<'catalog-entity'>
      | ResourcePermission<'catalog-entity'>[],
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<void>;
}
