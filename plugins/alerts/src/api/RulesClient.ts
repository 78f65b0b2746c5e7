import { createApiRef } from '@backstage/frontend-plugin-api';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';

/** The rules part of the alerts backend, as the pages use it. */
export interface RulesApi {}

/** @public */
export const rulesApiRef = createApiRef<RulesApi>({
  id: 'plugin.alerts.rules',
});

/** The rules API over HTTP (plugins/alerts-backend). */
export class RulesClient implements RulesApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  /** the backend's base URL */
  protected async baseUrl(): Promise<string> {
    return this.deps.discoveryApi.getBaseUrl('alerts');
  }
}
