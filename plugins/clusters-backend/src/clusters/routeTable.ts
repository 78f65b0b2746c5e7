import { clusterRouteTable } from './routes';
import type { ClusterParts } from './clusterParts';

/** Every route of the clusters page and failover as `METHOD /path`, from the one route table. */
export function clusterRouteList(): string[] {
  // nothing is called while the table is declared: a stand-in is enough to list it
  return clusterRouteTable({} as ClusterParts).map(
    route => `${route.method.toUpperCase()} ${route.path}`,
  );
}
