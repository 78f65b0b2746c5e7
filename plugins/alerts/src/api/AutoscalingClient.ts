import type { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/frontend-plugin-api';
import type {
  AutoscalingSave,
  AutoscalingSettingsView,
  AutoscalingView,
} from '@internal/plugin-container-cloud-common';
import { BackendApis, fetchJson } from '@internal/plugin-container-cloud-react';

/** The autoscaling part of the alerts backend, as the pages use it. */
export interface AutoscalingApi {
  /** the service's settings (null when none were saved) and the autoscaler's recent decisions */
  get(entity: CompoundEntityRef): Promise<AutoscalingView>;
  /**
   * Saves the settings edited from `save.version`; a stale version is a ContainerCloudApiError
   * (409) carrying the saved settings as `current`.
   */
  save(
    entity: CompoundEntityRef,
    save: AutoscalingSave,
  ): Promise<AutoscalingSettingsView>;
}

/** @public */
export const autoscalingApiRef = createApiRef<AutoscalingApi>({
  id: 'plugin.alerts.autoscaling',
});

const pathOf = (entity: CompoundEntityRef) =>
  `/autoscaling/${encodeURIComponent(entity.namespace)}/${encodeURIComponent(
    entity.name,
  )}`;

/** The autoscaling API over HTTP (plugins/alerts-backend). */
export class AutoscalingClient implements AutoscalingApi {
  constructor(private readonly deps: BackendApis) {}

  get(entity: CompoundEntityRef): Promise<AutoscalingView> {
    return fetchJson(this.deps, 'alerts', pathOf(entity));
  }

  save(
    entity: CompoundEntityRef,
    save: AutoscalingSave,
  ): Promise<AutoscalingSettingsView> {
    return fetchJson(this.deps, 'alerts', pathOf(entity), {
      method: 'PUT',
      body: save,
    });
  }
}
