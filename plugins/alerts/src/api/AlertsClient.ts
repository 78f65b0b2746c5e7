import { createApiRef } from '@backstage/frontend-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { BackendApis, fetchJson } from '@internal/plugin-container-cloud-react';
import type {
  AlertAdminQuery,
  AlertList,
  AlertmanagerConfigStatus,
  ReceiverChangeResult,
  ReceiverCreate,
  ReceiverList,
  ReceiverUpdate,
  SilenceCreate,
  SilenceList,
  SilenceView,
} from '@internal/plugin-container-cloud-common';

/** The receivers, alerts and silences part of the alerts backend, as the pages use it. */
export interface AlertsApi {
  /** a service's firing and pending alerts, and which sources answered */
  entityAlerts(entity: CompoundEntityRef): Promise<AlertList>;
  silences(entity: CompoundEntityRef): Promise<SilenceList>;
  createSilence(
    entity: CompoundEntityRef,
    silence: SilenceCreate,
  ): Promise<SilenceView>;
  expireSilence(entity: CompoundEntityRef, id: string): Promise<SilenceView>;
  /** every alert of every service (ops) */
  allAlerts(query: AlertAdminQuery): Promise<AlertList>;
  receivers(): Promise<ReceiverList>;
  receiverNames(): Promise<string[]>;
  createReceiver(receiver: ReceiverCreate): Promise<ReceiverChangeResult>;
  updateReceiver(
    name: string,
    receiver: ReceiverUpdate,
  ): Promise<ReceiverChangeResult>;
  deleteReceiver(name: string, version: number): Promise<ReceiverChangeResult>;
  /** writes the configuration again and reloads Alertmanager */
  deliverReceivers(): Promise<AlertmanagerConfigStatus>;
}

/** @public */
export const alertsApiRef = createApiRef<AlertsApi>({
  id: 'plugin.alerts.alerts',
});

function servicePath(entity: CompoundEntityRef, rest: string): string {
  return `/services/${encodeURIComponent(
    entity.namespace,
  )}/${encodeURIComponent(entity.name)}${rest}`;
}

/** The alerts API over HTTP (plugins/alerts-backend). */
export class AlertsClient implements AlertsApi {
  constructor(private readonly deps: BackendApis) {}

  entityAlerts(entity: CompoundEntityRef) {
    return fetchJson<AlertList>(
      this.deps,
      'alerts',
      servicePath(entity, '/alerts'),
    );
  }

  silences(entity: CompoundEntityRef) {
    return fetchJson<SilenceList>(
      this.deps,
      'alerts',
      servicePath(entity, '/silences'),
    );
  }

  createSilence(entity: CompoundEntityRef, silence: SilenceCreate) {
    return fetchJson<SilenceView>(
      this.deps,
      'alerts',
      servicePath(entity, '/silences'),
      { method: 'POST', body: silence },
    );
  }

  expireSilence(entity: CompoundEntityRef, id: string) {
    return fetchJson<SilenceView>(
      this.deps,
      'alerts',
      servicePath(entity, `/silences/${encodeURIComponent(id)}`),
      { method: 'DELETE' },
    );
  }

  allAlerts(query: AlertAdminQuery) {
    return fetchJson<AlertList>(this.deps, 'alerts', '/alerts', {
      query: { ...query },
    });
  }

  receivers() {
    return fetchJson<ReceiverList>(this.deps, 'alerts', '/receivers');
  }

  async receiverNames() {
    const { items } = await fetchJson<{ items: string[] }>(
      this.deps,
      'alerts',
      '/receiver-names',
    );
    return items;
  }

  createReceiver(receiver: ReceiverCreate) {
    return fetchJson<ReceiverChangeResult>(this.deps, 'alerts', '/receivers', {
      method: 'POST',
      body: receiver,
    });
  }

  updateReceiver(name: string, receiver: ReceiverUpdate) {
    return fetchJson<ReceiverChangeResult>(
      this.deps,
      'alerts',
      `/receivers/${encodeURIComponent(name)}`,
      { method: 'PUT', body: receiver },
    );
  }

  deleteReceiver(name: string, version: number) {
    return fetchJson<ReceiverChangeResult>(
      this.deps,
      'alerts',
      `/receivers/${encodeURIComponent(name)}`,
      { method: 'DELETE', query: { version } },
    );
  }

  deliverReceivers() {
    return fetchJson<AlertmanagerConfigStatus>(
      this.deps,
      'alerts',
      '/receivers/deliver',
      { method: 'POST' },
    );
  }
}
