import type { RouteGroup } from '@internal/plugin-container-cloud-node';
import type { ClustersDeps } from '../deps';

/** This part's routes (not built yet). */
export async function meteringRoutes(_deps: ClustersDeps): Promise<RouteGroup> {
  return { routes: [] };
}
