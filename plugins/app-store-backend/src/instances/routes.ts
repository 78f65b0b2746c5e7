import type { RouteGroup } from '@internal/plugin-container-cloud-node';
import type { AppStoreDeps } from '../deps';

/** The app store's instances routes: install, status and progress, upgrade, rollback, uninstall, connection details and reveal of one instance, and the user's instances and install targets. */
export async function instanceRoutes(_deps: AppStoreDeps): Promise<RouteGroup> {
  // PLACEHOLDER: built by its helper
  return { routes: [] };
}
