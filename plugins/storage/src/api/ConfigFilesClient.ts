import { createApiRef } from '@backstage/core-plugin-api';
import type { BackendApis } from '@internal/plugin-container-cloud-react';

/** What the pages need of the storage backend's configfiles routes (not built yet). @public */
export interface ConfigFilesApi {}

/** @public */
export const configFilesApiRef = createApiRef<ConfigFilesApi>({
  id: 'plugin.container-cloud.storage.configFiles',
});

/** The configfiles routes of the storage backend (fetchJson from container-cloud-react). @public */
export class ConfigFilesClient implements ConfigFilesApi {
  constructor(protected readonly deps: BackendApis) {}
}
