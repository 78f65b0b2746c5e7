import type { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import type {
  AdminVolumeList,
  VolumeChangeResult,
  VolumeCreateRequest,
  VolumeDeleteResult,
  VolumeList,
  VolumeMountRequest,
  VolumeUnmountRequest,
} from '@internal/plugin-container-cloud-common';
import { BackendApis, fetchJson } from '@internal/plugin-container-cloud-react';

/**
 * What the pages need of the storage backend's volumes routes. A change answers with each
 * cluster's outcome; `ok: false` (a 207) means some cluster was left half-way, as each outcome
 * says. Errors are `ContainerCloudApiError`s (a 409 carries `current`).
 * @public
 */
export interface VolumesApi {
  list(entity: CompoundEntityRef): Promise<VolumeList>;
  create(
    entity: CompoundEntityRef,
    request: VolumeCreateRequest,
  ): Promise<VolumeChangeResult>;
  mount(
    entity: CompoundEntityRef,
    volume: string,
    request: VolumeMountRequest,
  ): Promise<VolumeChangeResult>;
  unmount(
    entity: CompoundEntityRef,
    volume: string,
    request: VolumeUnmountRequest,
  ): Promise<VolumeChangeResult>;
  resize(
    entity: CompoundEntityRef,
    volume: string,
    size: string,
  ): Promise<VolumeChangeResult>;
  delete(
    entity: CompoundEntityRef,
    volume: string,
  ): Promise<VolumeDeleteResult>;
  /** every volume in every cluster (ops admins only) */
  listAll(): Promise<AdminVolumeList>;
}

/** @public */
export const volumesApiRef = createApiRef<VolumesApi>({
  id: 'plugin.container-cloud.storage.volumes',
});

const volumesPath = (entity: CompoundEntityRef, suffix = '') =>
  `/services/${encodeURIComponent(entity.namespace)}/${encodeURIComponent(
    entity.name,
  )}/volumes${suffix}`;

const volumePath = (entity: CompoundEntityRef, volume: string, suffix = '') =>
  volumesPath(entity, `/${encodeURIComponent(volume)}${suffix}`);

/** The volumes routes of the storage backend. @public */
export class VolumesClient implements VolumesApi {
  constructor(protected readonly deps: BackendApis) {}

  list(entity: CompoundEntityRef) {
    return fetchJson<VolumeList>(this.deps, 'storage', volumesPath(entity));
  }

  create(entity: CompoundEntityRef, request: VolumeCreateRequest) {
    return fetchJson<VolumeChangeResult>(
      this.deps,
      'storage',
      volumesPath(entity),
      { method: 'POST', body: request },
    );
  }

  mount(
    entity: CompoundEntityRef,
    volume: string,
    request: VolumeMountRequest,
  ) {
    return fetchJson<VolumeChangeResult>(
      this.deps,
      'storage',
      volumePath(entity, volume, '/mount'),
      { method: 'POST', body: request },
    );
  }

  unmount(
    entity: CompoundEntityRef,
    volume: string,
    request: VolumeUnmountRequest,
  ) {
    return fetchJson<VolumeChangeResult>(
      this.deps,
      'storage',
      volumePath(entity, volume, '/unmount'),
      { method: 'POST', body: request },
    );
  }

  resize(entity: CompoundEntityRef, volume: string, size: string) {
    return fetchJson<VolumeChangeResult>(
      this.deps,
      'storage',
      volumePath(entity, volume, '/resize'),
      { method: 'POST', body: { size } },
    );
  }

  delete(entity: CompoundEntityRef, volume: string) {
    return fetchJson<VolumeDeleteResult>(
      this.deps,
      'storage',
      volumePath(entity, volume),
      { method: 'DELETE' },
    );
  }

  listAll() {
    return fetchJson<AdminVolumeList>(this.deps, 'storage', '/admin/volumes');
  }
}
