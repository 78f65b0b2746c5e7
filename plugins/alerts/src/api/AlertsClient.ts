import { createApiRef } from '@backstage/frontend-plugin-api';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';

/** The alerts part of the alerts backend, as the pages use it. */
export interface AlertsApi {}

/** @public */
export const alertsApiRef = createApiRef<AlertsApi>({
  id: 'plugin.alerts.alerts',
});

/** The alerts API over HTTP (plugins/alerts-backend). */
export class AlertsClient implements AlertsApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  /** the backend's base URL */
  protected async baseUrl(): Promise<string> {
    return this.deps.discoveryApi.getBaseUrl('alerts');
  }
}
