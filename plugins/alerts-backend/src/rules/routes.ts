import type { RouteGroup } from '@internal/plugin-container-cloud-node';
import type { AlertsDeps } from '../deps';

/** The rules part of the alerts API: alert rules: their versions, promtool checks and delivery to each Prometheus. */
export async function ruleRoutes(_deps: AlertsDeps): Promise<RouteGroup> {
  return { routes: [] };
}
