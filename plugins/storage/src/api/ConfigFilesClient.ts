import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  ConfigFileDiff,
  ConfigFileMount,
  ConfigFileRollback,
  ConfigFileRollout,
  ConfigFileSave,
  ConfigFileSaveResult,
  ConfigFileSet,
  ConfigFileSetCreate,
  ConfigFileSetList,
  ConfigFileVersion,
  ConfigFileVersionPage,
} from '@internal/plugin-container-cloud-common';
import {
  BackendApis,
  BackendRequest,
  fetchBackend,
  fetchJson,
} from '@internal/plugin-container-cloud-react';

/** What the pages need of the storage backend's config file routes. @public */
export interface ConfigFilesApi {
  list(entity: CompoundEntityRef): Promise<ConfigFileSetList>;
  get(entity: CompoundEntityRef, set: string): Promise<ConfigFileSet>;
  create(
    entity: CompoundEntityRef,
    body: ConfigFileSetCreate,
  ): Promise<ConfigFileSaveResult>;
  save(
    entity: CompoundEntityRef,
    set: string,
    body: ConfigFileSave,
  ): Promise<ConfigFileSaveResult>;
  remove(entity: CompoundEntityRef, set: string): Promise<void>;
  versions(
    entity: CompoundEntityRef,
    set: string,
    page: { before?: number; limit?: number },
  ): Promise<ConfigFileVersionPage>;
  /** one version; with `reveal`, a secret set's text (its own permission) */
  version(
    entity: CompoundEntityRef,
    set: string,
    version: number,
    options?: { reveal?: boolean },
  ): Promise<ConfigFileVersion>;
  diff(
    entity: CompoundEntityRef,
    set: string,
    from: number,
    to: number,
  ): Promise<ConfigFileDiff>;
  rollback(
    entity: CompoundEntityRef,
    set: string,
    body: ConfigFileRollback,
  ): Promise<ConfigFileSaveResult>;
  mount(
    entity: CompoundEntityRef,
    set: string,
    body: ConfigFileMount,
  ): Promise<ConfigFileRollout>;
  unmount(
    entity: CompoundEntityRef,
    set: string,
    path: string,
  ): Promise<ConfigFileRollout>;
  restart(entity: CompoundEntityRef, set: string): Promise<ConfigFileRollout>;
}

/** @public */
export const configFilesApiRef = createApiRef<ConfigFilesApi>({
  id: 'plugin.container-cloud.storage.config-files',
});

function setsPath(entity: CompoundEntityRef, suffix = ''): string {
  return `/services/${encodeURIComponent(
    entity.namespace,
  )}/${encodeURIComponent(entity.name)}/config-files${suffix}`;
}

const setPath = (entity: CompoundEntityRef, set: string, suffix = '') =>
  setsPath(entity, `/${encodeURIComponent(set)}${suffix}`);

/** The config file routes of the storage backend. @public */
export class ConfigFilesClient implements ConfigFilesApi {
  constructor(protected readonly deps: BackendApis) {}

  private call<T>(path: string, request?: BackendRequest) {
    return fetchJson<T>(this.deps, 'storage', path, request);
  }

  list(entity: CompoundEntityRef) {
    return this.call<ConfigFileSetList>(setsPath(entity));
  }

  get(entity: CompoundEntityRef, set: string) {
    return this.call<ConfigFileSet>(setPath(entity, set));
  }

  create(entity: CompoundEntityRef, body: ConfigFileSetCreate) {
    return this.call<ConfigFileSaveResult>(setsPath(entity), {
      method: 'POST',
      body,
    });
  }

  save(entity: CompoundEntityRef, set: string, body: ConfigFileSave) {
    return this.call<ConfigFileSaveResult>(setPath(entity, set), {
      method: 'PUT',
      body,
    });
  }

  async remove(entity: CompoundEntityRef, set: string) {
    await fetchBackend(this.deps, 'storage', setPath(entity, set), {
      method: 'DELETE',
    });
  }

  versions(
    entity: CompoundEntityRef,
    set: string,
    page: { before?: number; limit?: number },
  ) {
    return this.call<ConfigFileVersionPage>(setPath(entity, set, '/versions'), {
      query: page,
    });
  }

  version(
    entity: CompoundEntityRef,
    set: string,
    version: number,
    options: { reveal?: boolean } = {},
  ) {
    return this.call<ConfigFileVersion>(
      setPath(
        entity,
        set,
        `/versions/${version}${options.reveal ? '/secret' : ''}`,
      ),
    );
  }

  diff(entity: CompoundEntityRef, set: string, from: number, to: number) {
    return this.call<ConfigFileDiff>(setPath(entity, set, '/diff'), {
      query: { from, to },
    });
  }

  rollback(entity: CompoundEntityRef, set: string, body: ConfigFileRollback) {
    return this.call<ConfigFileSaveResult>(setPath(entity, set, '/rollback'), {
      method: 'POST',
      body,
    });
  }

  mount(entity: CompoundEntityRef, set: string, body: ConfigFileMount) {
    return this.call<ConfigFileRollout>(setPath(entity, set, '/mounts'), {
      method: 'POST',
      body,
    });
  }

  unmount(entity: CompoundEntityRef, set: string, path: string) {
    return this.call<ConfigFileRollout>(setPath(entity, set, '/mounts'), {
      method: 'DELETE',
      query: { path },
    });
  }

  restart(entity: CompoundEntityRef, set: string) {
    return this.call<ConfigFileRollout>(setPath(entity, set, '/restart'), {
      method: 'POST',
    });
  }
}
