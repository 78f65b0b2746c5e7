import type { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import { BackendApis, fetchJson } from '@internal/plugin-container-cloud-react';
import type { ShellTarget } from './ShellClient';
import { servicePath } from './servicePath';

/** What the debug dialog needs of the backend. @public */
export interface DebugApi {
  /** the tools images a debug container may run */
  debugImages(entity: CompoundEntityRef): Promise<string[]>;
  /** adds a debug container targeting `target.container`; resolves with its name */
  addDebugContainer(
    entity: CompoundEntityRef,
    target: ShellTarget,
    image: string,
  ): Promise<string>;
}

/** @public */
export const debugApiRef = createApiRef<DebugApi>({
  id: 'plugin.container-cloud.services.debug',
});

/** Debug containers (ephemeral containers from a tools image) through the services backend. @public */
export class DebugClient implements DebugApi {
  constructor(private readonly deps: BackendApis) {}

  async debugImages(entity: CompoundEntityRef): Promise<string[]> {
    const { images } = await fetchJson<{ images: string[] }>(
      this.deps,
      'services',
      servicePath(entity, '/debug-images'),
    );
    return images;
  }

  async addDebugContainer(
    entity: CompoundEntityRef,
    target: ShellTarget,
    image: string,
  ): Promise<string> {
    const { container } = await fetchJson<{ container: string }>(
      this.deps,
      'services',
      servicePath(entity, '/containers/debug'),
      { method: 'POST', body: { ...target, image } },
    );
    return container;
  }
}
