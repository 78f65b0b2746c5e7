import { createApiRef } from '@backstage/core-plugin-api';
import type {
  DeployTargets,
  ServiceList,
  ContainerMetrics,
  EventList,
  LogRequest,
  DeploymentTarget,
  HistoryPage,
  ServiceDiagnosis,
  OperationResult,
  RollbackRequest,
  SyncRequest,
  ScaleRequest,
  ServiceView,
  ServiceViewQuery,
  UpgradeRequest,
} from '@internal/plugin-container-cloud-common';
import { readServerSentEvents } from '@internal/plugin-container-cloud-common';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import {
  BackendApis,
  BackendRequest,
  ContainerCloudApiError,
  fetchBackend,
  fetchJson,
} from '@internal/plugin-container-cloud-react';
import { servicePath } from './servicePath';

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
  /**
   * Where the caller's groups (or the one `owner` names) may run a new service; empty with a
   * `reason` in words when nowhere.
   */
  getDeployTargets(owner?: string): Promise<DeployTargets>;
  /**
   * The service's view: each cluster's Deployments, counts and health whole, and a page of its
   * containers (`podsOffset`/`podsLimit`, optionally one `cluster` only).
   */
  getService(
    entity: CompoundEntityRef,
    query?: ServiceViewQuery,
  ): Promise<ServiceView>;
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
    request: SyncRequest,
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

/** @public */
export const servicesApiRef = createApiRef<ServicesApi>({
  id: 'plugin.container-cloud.services',
});

/** How many service views (pages) the client keeps to ask for with their ETags. */
const KEPT_VIEWS = 20;

/** The query of a request, from an object of optional values. */
type Query = BackendRequest['query'];

/**
 * Talks to the services backend with the signed-in user's identity. A refusal is thrown as a
 * `ContainerCloudApiError`; a 409 carries the Deployment as it is now (`current`).
 * @public
 */
export class ServicesClient implements ServicesApi {
  constructor(private readonly deps: BackendApis) {}

  getDeployTargets(owner?: string): Promise<DeployTargets> {
    return fetchJson(this.deps, 'services', '/deploy-targets', {
      query: owner ? { owner } : {},
    });
  }

  listServices(query: ServiceListQuery): Promise<ServiceList> {
    return fetchJson(this.deps, 'services', '/services', {
      query: { ...query },
    });
  }

  /**
   * Asks with the ETag of the copy it holds (`If-None-Match`): an unchanged view costs the
   * backend no serialising and the network no body, and resolves with the same object as before.
   */
  async getService(
    entity: CompoundEntityRef,
    query: ServiceViewQuery = {},
  ): Promise<ServiceView> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') params.set(key, String(value));
    }
    const search = params.toString();
    const url = `${await this.deps.discoveryApi.getBaseUrl(
      'services',
    )}${servicePath(entity, '')}${search ? `?${search}` : ''}`;
    const kept = this.views.get(url);
    const response = await this.deps.fetchApi.fetch(url, {
      // the browser's own cache would answer for us; the tag we hold says what we have
      cache: 'no-store',
      headers: kept ? { 'If-None-Match': kept.etag } : undefined,
    });
    if (response.status === 304 && kept) {
      this.keep(url, kept);
      return kept.view;
    }
    if (!response.ok) throw await ContainerCloudApiError.fromResponse(response);
    const view = (await response.json()) as ServiceView;
    const etag = response.headers.get('ETag');
    if (etag) this.keep(url, { etag, view });
    else this.views.delete(url);
    return view;
  }

  /** The views last read, by URL, newest last; a few pages of a few services at most. */
  private readonly views = new Map<
    string,
    { etag: string; view: ServiceView }
  >();

  private keep(url: string, entry: { etag: string; view: ServiceView }) {
    this.views.delete(url);
    this.views.set(url, entry);
    while (this.views.size > KEPT_VIEWS) {
      this.views.delete(this.views.keys().next().value!);
    }
  }

  getDiagnosis(entity: CompoundEntityRef) {
    return this.get<ServiceDiagnosis>(entity, '/diagnosis');
  }

  getHistory(entity: CompoundEntityRef, query: HistoryQuery) {
    return this.get<HistoryPage>(entity, '/history', { ...query });
  }

  scale(entity: CompoundEntityRef, request: ScaleRequest) {
    return this.post<OperationResult>(entity, '/scale', request);
  }

  restart(entity: CompoundEntityRef, request: DeploymentTarget) {
    return this.post<OperationResult>(entity, '/restart', request);
  }

  upgrade(entity: CompoundEntityRef, request: UpgradeRequest) {
    return this.post<OperationResult>(entity, '/upgrade', request);
  }

  rollback(entity: CompoundEntityRef, request: RollbackRequest) {
    return this.post<OperationResult>(entity, '/rollback', request);
  }

  configure(
    entity: CompoundEntityRef,
    request: DeploymentTarget & Record<string, unknown>,
  ) {
    return this.post<OperationResult>(entity, '/config', request);
  }

  sync(entity: CompoundEntityRef, request: SyncRequest) {
    return this.post<OperationResult>(entity, '/sync', request);
  }

  async destroyContainer(entity: CompoundEntityRef, request: PodRequest) {
    await this.post(entity, '/containers/destroy', request);
  }

  async removeFromLoadBalancing(
    entity: CompoundEntityRef,
    request: PodRequest,
  ) {
    await this.post(entity, '/containers/remove-from-lb', request);
  }

  async getLogs(
    entity: CompoundEntityRef,
    request: LogRequest,
  ): Promise<string> {
    const response = await this.stream(entity, '/containers/logs', {
      ...request,
    });
    return response.text();
  }

  async downloadLogs(
    entity: CompoundEntityRef,
    request: LogRequest,
  ): Promise<LogDownload> {
    const response = await this.stream(entity, '/containers/logs', {
      ...request,
      download: 'true',
    });
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
      const response = await this.stream(
        entity,
        '/containers/logs/follow',
        { ...request },
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
    return this.get<EventList>(entity, '/events', { ...query });
  }

  getMetrics(entity: CompoundEntityRef, query: MetricsQuery) {
    return this.get<ContainerMetrics>(entity, '/containers/metrics', {
      ...query,
    });
  }

  private get<T>(entity: CompoundEntityRef, suffix: string, query?: Query) {
    return fetchJson<T>(this.deps, 'services', servicePath(entity, suffix), {
      query,
    });
  }

  private post<T>(entity: CompoundEntityRef, suffix: string, body: object) {
    return fetchJson<T>(this.deps, 'services', servicePath(entity, suffix), {
      method: 'POST',
      body,
    });
  }

  /** A GET whose answer is not JSON (log text, a file, an event stream). */
  private stream(
    entity: CompoundEntityRef,
    suffix: string,
    query: Query,
    signal?: AbortSignal,
  ): Promise<Response> {
    return fetchBackend(this.deps, 'services', servicePath(entity, suffix), {
      query,
      signal,
    });
  }
}
