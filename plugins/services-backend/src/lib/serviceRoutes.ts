import type express from 'express';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import type { ResourcePermission } from '@backstage/plugin-permission-common';
import {
  defineRoute,
  RouteAccess,
  RouteSpec,
  ServiceBinding,
} from '@internal/plugin-container-cloud-node';

/** What the service routes resolve for every request under `/services/:namespace/:name`. */
export interface LoadedService {
  entityRef: string;
  /**
   * Which workloads the entity controls. A route reaches a workload's kubernetes id only through
   * `binding.idIn(cluster, namespace)`, which refuses (403) what is outside the binding; views
   * show `binding.visiblePlacements()`.
   */
  binding: ServiceBinding;
  /** the entity's owners (its `ownedBy` relations), as entity refs */
  owners?: string[];
}

/** One route of the services backend: the pipeline's route, about a service. */
export type ServiceRoute = RouteSpec<LoadedService>;

/** Declares a service route with its handler typed by its schemas. */
export const serviceRoute = defineRoute<LoadedService>();

/** The path of every route about one service. */
export const SERVICE_PATH = '/services/:namespace/:name';

/**
 * For the few request handlers outside the route table (the shell's forwarding to the replica
 * that holds a shell): the same caller check, lookup and authorization the pipeline does.
 */
export interface ServiceAccess {
  loadService(
    req: express.Request,
    access: RouteAccess,
  ): Promise<LoadedService & { credentials: BackstageCredentials }>;
  authorize(
    permission: ResourcePermission<'catalog-entity'>,
    entityRef: string,
    credentials: BackstageCredentials,
  ): Promise<void>;
}
