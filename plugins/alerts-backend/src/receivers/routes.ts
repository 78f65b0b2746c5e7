import type { RouteGroup } from '@internal/plugin-container-cloud-node';
import type { AlertsDeps } from '../deps';

/** The receivers part of the alerts API: receivers (Alertmanager's configuration), firing and pending alerts, and silences. */
export async function alertRoutes(_deps: AlertsDeps): Promise<RouteGroup> {
  return { routes: [] };
}
