import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/core-plugin-api';
import type {
  ServiceList,
  ContainerMetrics,
  EventList,
  LogRequest,
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
import { readServerSentEvents } from '@internal/plugin-container-cloud-common';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { backendError, serviceUrl } from './serviceHttp';

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

/** Whose events: one pod, or one Deployment (with its ReplicaSets). @public */
export type EventsQuery = {
  cluster: string;
  namespace: string;
} & ({ pod: string; deployment?: never } | { deployment: string; pod?: never });

/** Which container's CPU and memory (and its pod's network), over the last `minutes`. @public */
export interface MetricsQuery {
  cluster: string;
  namespace: string;
  pod: string;
  container?: string;
  minutes: number;
}

/** A page of the Services list. @public */
export interface ServiceListQuery {
  owner: 'mine' | 'all';
  limit: number;
  offset: number;
}

/** Callbacks of a live log follow. @public */
export interface LogFollowHandlers {
  /** the stream is open; `container` is the one being read */
  onOpen?(info: { container: string; cluster: string }): void;
  onLine(line: string): void;
  /** the container's stream ended (it stopped, or the pod is gone) */
  onEnd?(): void;
  /** the follow could not start, or broke */
  onError?(error: Error): void;
}

/** A log file as the browser saves it. @public */
export interface LogDownload {
  fileName: string;
  blob: Blob;
}

/** @public */
export interface ServicesApi {
  /** Every service (Component with a kubernetes-id) with its replicas, a page at a time. */
  listServices(query: ServiceListQuery): Promise<ServiceList>;
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
  /** The last lines of a container's log, as text. */
  getLogs(entity: CompoundEntityRef, request: LogRequest): Promise<string>;
  downloadLogs(
    entity: CompoundEntityRef,
    request: LogRequest,
  ): Promise<LogDownload>;
  /** Streams new lines as the container writes them; call the returned function to stop. */
  followLogs(
    entity: CompoundEntityRef,
    request: LogRequest,
    handlers: LogFollowHandlers,
  ): () => void;
  getEvents(entity: CompoundEntityRef, query: EventsQuery): Promise<EventList>;
  getMetrics(
    entity: CompoundEntityRef,
    query: MetricsQuery,
  ): Promise<ContainerMetrics>;
}

function logParams(request: LogRequest, extra: Record<string, string> = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...request, ...extra })) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  return params;
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

  async listServices(query: ServiceListQuery): Promise<ServiceList> {
    const base = await this.deps.discoveryApi.getBaseUrl('services');
    const params = new URLSearchParams({
      owner: query.owner,
      limit: String(query.limit),
      offset: String(query.offset),
    });
    const response = await this.deps.fetchApi.fetch(
      `${base}/services?${params}`,
    );
    if (!response.ok) throw await backendError(response);
    return (await response.json()) as ServiceList;
  }

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

  getLogs(entity: CompoundEntityRef, request: LogRequest): Promise<string> {
    return this.text(entity, `/containers/logs?${logParams(request)}`).then(r =>
      r.text(),
    );
  }

  async downloadLogs(
    entity: CompoundEntityRef,
    request: LogRequest,
  ): Promise<LogDownload> {
    const response = await this.text(
      entity,
      `/containers/logs?${logParams(request, { download: 'true' })}`,
    );
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const fileName =
      /filename="([^"]+)"/.exec(disposition)?.[1] ??
      `${request.pod}${request.container ? `_${request.container}` : ''}.log`;
    return { fileName, blob: await response.blob() };
  }

  followLogs(
    entity: CompoundEntityRef,
    request: LogRequest,
    handlers: LogFollowHandlers,
  ): () => void {
    const controller = new AbortController();
    (async () => {
      const response = await this.text(
        entity,
        `/containers/logs/follow?${logParams(request)}`,
        controller.signal,
      );
      for await (const { event, data } of readServerSentEvents(
        response.body!,
      )) {
        if (event === 'open') handlers.onOpen?.(JSON.parse(data));
        else if (event === 'end') handlers.onEnd?.();
        else handlers.onLine(data);
      }
    })().catch(error => {
      if (!controller.signal.aborted) handlers.onError?.(error);
    });
    return () => controller.abort();
  }

  getEvents(entity: CompoundEntityRef, query: EventsQuery) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value) params.set(key, String(value));
    }
    return this.call<EventList>('GET', entity, `/events?${params}`);
  }

  getMetrics(entity: CompoundEntityRef, query: MetricsQuery) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') params.set(key, String(value));
    }
    return this.call<ContainerMetrics>(
      'GET',
      entity,
      `/containers/metrics?${params}`,
    );
  }

  private url(entity: CompoundEntityRef, suffix: string) {
    return serviceUrl(this.deps.discoveryApi, entity, suffix);
  }

  /** A GET whose answer is not JSON (log text, a file, an event stream). */
  private async text(
    entity: CompoundEntityRef,
    suffix: string,
    signal?: AbortSignal,
  ): Promise<Response> {
    const response = await this.deps.fetchApi.fetch(
      await this.url(entity, suffix),
      { signal },
    );
    if (!response.ok) throw await backendError(response);
    return response;
  }

  private async call<T>(
    method: 'GET' | 'POST',
    entity: CompoundEntityRef,
    suffix: string,
    body?: object,
  ): Promise<T> {
    const response = await this.deps.fetchApi.fetch(
      await this.url(entity, suffix),
      {
        method,
        headers: body ? { 'Content-Type': 'application/json' } : undefined,
        body: body ? JSON.stringify(body) : undefined,
      },
    );
    if (response.status === 409) {
      const payload = await response.json();
      if (payload?.current) {
        throw new DeploymentChangedError(
          payload.error?.message,
          payload.current,
        );
      }
    }
    if (!response.ok) throw await backendError(response);
    return (await response.json()) as T;
  }
}
