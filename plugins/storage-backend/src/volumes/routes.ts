import type { RouteGroup } from '@internal/plugin-container-cloud-node';
import type { StorageDeps } from '../deps';

/** This part's routes (not built yet). */
export async function volumeRoutes(_deps: StorageDeps): Promise<RouteGroup> {
  return { routes: [] };
}
