import { createApiRef } from '@backstage/frontend-plugin-api';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';

/** The autoscaling part of the alerts backend, as the pages use it. */
export interface AutoscalingApi {}

/** @public */
export const autoscalingApiRef = createApiRef<AutoscalingApi>({
  id: 'plugin.alerts.autoscaling',
});

/** The autoscaling API over HTTP (plugins/alerts-backend). */
export class AutoscalingClient implements AutoscalingApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  /** the backend's base URL */
  protected async baseUrl(): Promise<string> {
    return this.deps.discoveryApi.getBaseUrl('alerts');
  }
}
