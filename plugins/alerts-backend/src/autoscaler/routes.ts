import type { RouteGroup } from '@internal/plugin-container-cloud-node';
import type { AlertsDeps } from '../deps';

/** The autoscaler part of the alerts API: autoscaling settings and decisions (the loop itself runs under the scheduler). */
export async function autoscalingRoutes(
  _deps: AlertsDeps,
): Promise<RouteGroup> {
  return { routes: [] };
}
