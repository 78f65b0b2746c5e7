import type { RouteGroup } from '@internal/plugin-container-cloud-node';
import type { AppStoreDeps } from '../deps';

/** The app store's lifecycle routes: expiry (extend, the scheduled uninstall of expired instances, notifications), the admin view and bulk actions, and attaching an instance to a service. */
export async function lifecycleRoutes(_deps: AppStoreDeps): Promise<RouteGroup> {
  // PLACEHOLDER: built by its helper
  return { routes: [] };
}
