import type { RouteGroup } from '@internal/plugin-container-cloud-node';
import type { AppStoreDeps } from '../deps';

/** The app store's catalogue routes: the charts of the configured repositories (GET /charts, GET /charts/:repository/:chart/versions/:version). */
export async function catalogueRoutes(_deps: AppStoreDeps): Promise<RouteGroup> {
  // PLACEHOLDER: built by its helper
  return { routes: [] };
}
