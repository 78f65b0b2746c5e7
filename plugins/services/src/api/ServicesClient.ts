import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  DeploymentTarget,
  HistoryPage,
  ServiceDiagnosis,
  DeploymentView,
  OperationResult,
  RollbackRequest,
  ScaleRequest,
  ServiceView,
  UpgradeRequest,
} from '@internal/plugin-container-cloud-common';
import type { CompoundEntityRef } from '@backstage/catalog-model';

/**
 * Someone changed the Deployment since the page loaded it. Carries its state now, so the page
 * can show what the user would have overwritten.
 * @public
 */
export class DeploymentChangedError extends Error {
  name = 'DeploymentChangedError';
  constructor(message: string, readonly current: DeploymentView) {
    super(message);
  }
}

/** One container (pod) in one cluster. @public */
export interface PodRequest {
  cluster: string;
  namespace: string;
  pod: string;
}

/** @public */
export interface HistoryQuery {
  cluster?: string;
  state?: 'running' | 'ended';
  limit?: number;
  offset?: number;
}

/** @public */
export interface ServicesApi {
  getService(entity: CompoundEntityRef): Promise<ServiceView>;
  getDiagnosis(entity: CompoundEntityRef): Promise<ServiceDiagnosis>;
  getHistory(
    entity: CompoundEntityRef,
    query: HistoryQuery,
  ): Promise<HistoryPage>;
  scale(
    entity: CompoundEntityRef,
    request: ScaleRequest,
  ): Promise<OperationResult>;
  restart(
    entity: CompoundEntityRef,
    request: DeploymentTarget,
  ): Promise<OperationResult>;
  upgrade(
    entity: CompoundEntityRef,
    request: UpgradeRequest,
  ): Promise<OperationResult>;
  rollback(
    entity: CompoundEntityRef,
    request: RollbackRequest,
  ): Promise<OperationResult>;
  configure(
    entity: CompoundEntityRef,
    request: DeploymentTarget & Record<string, unknown>,
  ): Promise<OperationResult>;
  sync(
    entity: CompoundEntityRef,
    request: DeploymentTarget & {
      from: { cluster: string; namespace: string; deployment: string };
    },
  ): Promise<OperationResult>;
  destroyContainer(
    entity: CompoundEntityRef,
    request: PodRequest,
  ): Promise<void>;
  removeFromLoadBalancing(
    entity: CompoundEntityRef,
    request: PodRequest,
  ): Promise<void>;
}

/** @public */
export const servicesApiRef = createApiRef<ServicesApi>({
  id: 'plugin.container-cloud.services',
});

/** Talks to the services backend with the signed-in user's identity. @public */
export class ServicesClient implements ServicesApi {
  constructor(
    private readonly deps: { discoveryApi: DiscoveryApi; fetchApi: FetchApi },
  ) {}

  getService(entity: CompoundEntityRef) {
    return this.call<ServiceView>('GET', entity, '');
  }

  getDiagnosis(entity: CompoundEntityRef) {
    return this.call<ServiceDiagnosis>('GET', entity, '/diagnosis');
  }

  getHistory(entity: CompoundEntityRef, query: HistoryQuery) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') params.set(key, String(value));
    }
    return this.call<HistoryPage>('GET', entity, `/history?${params}`);
  }

  scale(entity: CompoundEntityRef, request: ScaleRequest) {
    return this.call<OperationResult>('POST', entity, '/scale', request);
  }

  restart(entity: CompoundEntityRef, request: DeploymentTarget) {
    return this.call<OperationResult>('POST', entity, '/restart', request);
  }

  upgrade(entity: CompoundEntityRef, request: UpgradeRequest) {
    return this.call<OperationResult>('POST', entity, '/upgrade', request);
  }

  rollback(entity: CompoundEntityRef, request: RollbackRequest) {
    return this.call<OperationResult>('POST', entity, '/rollback', request);
  }

  configure(
    entity: CompoundEntityRef,
    request: DeploymentTarget & Record<string, unknown>,
  ) {
    return this.call<OperationResult>('POST', entity, '/config', request);
  }

  sync(
    entity: CompoundEntityRef,
    request: DeploymentTarget & {
      from: { cluster: string; namespace: string; deployment: string };
    },
  ) {
    return this.call<OperationResult>('POST', entity, '/sync', request);
  }

  async destroyContainer(entity: CompoundEntityRef, request: PodRequest) {
    await this.call('POST', entity, '/containers/destroy', request);
  }

  async removeFromLoadBalancing(
    entity: CompoundEntityRef,
    request: PodRequest,
  ) {
    await this.call('POST', entity, '/containers/remove-from-lb', request);
  }

  private async call<T>(
    method: 'GET' | 'POST',
    entity: CompoundEntityRef,
    suffix: string,
    body?: object,
  ): Promise<T> {
    const base = await this.deps.discoveryApi.getBaseUrl('services');
    const url = `${base}/services/${encodeURIComponent(
      entity.namespace,
    )}/${encodeURIComponent(entity.name)}${suffix}`;
    const response = await this.deps.fetchApi.fetch(url, {
      method,
      headers: body ? { 'Content-Type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 409) {
      const payload = await response.json();
      if (payload?.current) {
        throw new DeploymentChangedError(
          payload.error?.message,
          payload.current,
        );
      }
    }
    if (!response.ok) throw await ResponseError.fromResponse(response);
    return (await response.json()) as T;
  }
}
