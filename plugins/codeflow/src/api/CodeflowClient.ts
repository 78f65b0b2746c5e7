import { createApiRef } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import {
  readServerSentEvents,
  type BuildImage,
  type CodeflowDefinition,
  type CodeflowDockerfile,
  type CodeflowList,
  type CodeflowLogEvent,
  type CodeflowRun,
  type CodeflowRunList,
  type CodeflowRunRequest,
  type CodeflowRunStatus,
  type CodeflowUpdate,
  type CodeflowView,
  type WebhookDeliveryList,
  type WebhookSecretResult,
  type WebhookStatus,
} from '@internal/plugin-container-cloud-common';
import {
  BackendApis,
  ContainerCloudApiError,
  fetchBackend,
  fetchJson,
} from '@internal/plugin-container-cloud-react';

/** A credential a codeflow may name (never its value). @public */
export interface CodeflowCredential {
  name: string;
  description: string;
}

/** A page of a codeflow's runs: newest first, `before` a build number. @public */
export interface RunListQuery {
  limit?: number;
  before?: number;
}

/** A run's log as the browser saves it. @public */
export interface LogDownload {
  fileName: string;
  blob: Blob;
}

/** Callbacks of a run's live log. @public */
export interface RunLogHandlers {
  onLog(event: CodeflowLogEvent): void;
  /** the run changed (status, a step) */
  onRun?(run: CodeflowRun): void;
  /** the run finished and every line was sent */
  onEnd?(end: { status: CodeflowRunStatus }): void;
  /** the stream could not start, or broke for good */
  onError?(error: Error): void;
}

/** The codeflow backend, as the Codeflow tab uses it. @public */
export interface CodeflowApi {
  listCodeflows(entity: CompoundEntityRef): Promise<CodeflowList>;
  getCodeflow(entity: CompoundEntityRef, id: string): Promise<CodeflowView>;
  createCodeflow(
    entity: CompoundEntityRef,
    definition: CodeflowDefinition,
  ): Promise<CodeflowView>;
  /** a stale `version` is a 409 whose error carries the codeflow as it is now (`current`) */
  updateCodeflow(
    entity: CompoundEntityRef,
    id: string,
    update: CodeflowUpdate,
  ): Promise<CodeflowView>;
  deleteCodeflow(
    entity: CompoundEntityRef,
    id: string,
    version?: number,
  ): Promise<void>;
  dockerfile(
    entity: CompoundEntityRef,
    id: string,
  ): Promise<CodeflowDockerfile>;
  buildImages(): Promise<{ items: BuildImage[] }>;
  credentials(): Promise<{ items: CodeflowCredential[] }>;
  webhookStatus(entity: CompoundEntityRef, id: string): Promise<WebhookStatus>;
  /** sets or rotates the secret; the only answer that carries it */
  setWebhookSecret(
    entity: CompoundEntityRef,
    id: string,
  ): Promise<WebhookSecretResult>;
  deliveries(
    entity: CompoundEntityRef,
    id: string,
    limit?: number,
  ): Promise<WebhookDeliveryList>;
  startRun(
    entity: CompoundEntityRef,
    id: string,
    request: CodeflowRunRequest,
  ): Promise<CodeflowRun>;
  listRuns(
    entity: CompoundEntityRef,
    id: string,
    query?: RunListQuery,
  ): Promise<CodeflowRunList>;
  getRun(
    entity: CompoundEntityRef,
    id: string,
    runId: string,
  ): Promise<CodeflowRun>;
  cancelRun(
    entity: CompoundEntityRef,
    id: string,
    runId: string,
  ): Promise<CodeflowRun>;
  approveRun(
    entity: CompoundEntityRef,
    id: string,
    runId: string,
  ): Promise<CodeflowRun>;
  /** the stored log (or one step's), fetched with the user's token */
  downloadLog(
    entity: CompoundEntityRef,
    id: string,
    runId: string,
    step?: string,
  ): Promise<LogDownload>;
  /** follows the live log from the start; returns a function that stops it */
  streamLog(
    entity: CompoundEntityRef,
    id: string,
    runId: string,
    handlers: RunLogHandlers,
  ): () => void;
}

/** @public */
export const codeflowApiRef = createApiRef<CodeflowApi>({
  id: 'plugin.codeflow',
});

const PLUGIN = 'codeflow';

/** How often a dropped live log is resumed (from its last offset) before giving up. */
const RECONNECTS = 5;

/** `/services/:namespace/:name/codeflows[/:id[/...]]` */
export function codeflowPath(
  entity: CompoundEntityRef,
  id?: string,
  rest = '',
): string {
  const service = `/services/${encodeURIComponent(
    entity.namespace,
  )}/${encodeURIComponent(entity.name)}/codeflows`;
  return id ? `${service}/${encodeURIComponent(id)}${rest}` : service;
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function runPath(runId: string, rest = ''): string {
  return `/runs/${encodeURIComponent(runId)}${rest}`;
}

/** The codeflow API over HTTP (plugins/codeflow-backend). @public */
export class CodeflowClient implements CodeflowApi {
  constructor(private readonly deps: BackendApis) {}

  listCodeflows(entity: CompoundEntityRef) {
    return fetchJson<CodeflowList>(this.deps, PLUGIN, codeflowPath(entity));
  }

  getCodeflow(entity: CompoundEntityRef, id: string) {
    return fetchJson<CodeflowView>(this.deps, PLUGIN, codeflowPath(entity, id));
  }

  createCodeflow(entity: CompoundEntityRef, definition: CodeflowDefinition) {
    return fetchJson<CodeflowView>(this.deps, PLUGIN, codeflowPath(entity), {
      method: 'POST',
      body: definition,
    });
  }

  updateCodeflow(
    entity: CompoundEntityRef,
    id: string,
    update: CodeflowUpdate,
  ) {
    return fetchJson<CodeflowView>(
      this.deps,
      PLUGIN,
      codeflowPath(entity, id),
      {
        method: 'PUT',
        body: update,
      },
    );
  }

  async deleteCodeflow(
    entity: CompoundEntityRef,
    id: string,
    version?: number,
  ) {
    await fetchBackend(this.deps, PLUGIN, codeflowPath(entity, id), {
      method: 'DELETE',
      query: { version },
    });
  }

  dockerfile(entity: CompoundEntityRef, id: string) {
    return fetchJson<CodeflowDockerfile>(
      this.deps,
      PLUGIN,
      codeflowPath(entity, id, '/dockerfile'),
    );
  }

  buildImages() {
    return fetchJson<{ items: BuildImage[] }>(
      this.deps,
      PLUGIN,
      '/build-images',
    );
  }

  credentials() {
    return fetchJson<{ items: CodeflowCredential[] }>(
      this.deps,
      PLUGIN,
      '/credentials',
    );
  }

  webhookStatus(entity: CompoundEntityRef, id: string) {
    return fetchJson<WebhookStatus>(
      this.deps,
      PLUGIN,
      codeflowPath(entity, id, '/webhook'),
    );
  }

  setWebhookSecret(entity: CompoundEntityRef, id: string) {
    return fetchJson<WebhookSecretResult>(
      this.deps,
      PLUGIN,
      codeflowPath(entity, id, '/webhook-secret'),
      { method: 'POST', body: {} },
    );
  }

  deliveries(entity: CompoundEntityRef, id: string, limit?: number) {
    return fetchJson<WebhookDeliveryList>(
      this.deps,
      PLUGIN,
      codeflowPath(entity, id, '/deliveries'),
      { query: { limit } },
    );
  }

  startRun(entity: CompoundEntityRef, id: string, request: CodeflowRunRequest) {
    return fetchJson<CodeflowRun>(
      this.deps,
      PLUGIN,
      codeflowPath(entity, id, '/runs'),
      { method: 'POST', body: request },
    );
  }

  listRuns(entity: CompoundEntityRef, id: string, query: RunListQuery = {}) {
    return fetchJson<CodeflowRunList>(
      this.deps,
      PLUGIN,
      codeflowPath(entity, id, '/runs'),
      { query: { limit: query.limit, before: query.before } },
    );
  }

  getRun(entity: CompoundEntityRef, id: string, runId: string) {
    return fetchJson<CodeflowRun>(
      this.deps,
      PLUGIN,
      codeflowPath(entity, id, runPath(runId)),
    );
  }

  cancelRun(entity: CompoundEntityRef, id: string, runId: string) {
    return fetchJson<CodeflowRun>(
      this.deps,
      PLUGIN,
      codeflowPath(entity, id, runPath(runId, '/cancel')),
      { method: 'POST', body: {} },
    );
  }

  approveRun(entity: CompoundEntityRef, id: string, runId: string) {
    return fetchJson<CodeflowRun>(
      this.deps,
      PLUGIN,
      codeflowPath(entity, id, runPath(runId, '/approve')),
      { method: 'POST', body: {} },
    );
  }

  async downloadLog(
    entity: CompoundEntityRef,
    id: string,
    runId: string,
    step?: string,
  ): Promise<LogDownload> {
    const response = await fetchBackend(
      this.deps,
      PLUGIN,
      codeflowPath(entity, id, runPath(runId, '/log')),
      { query: { download: '1', step } },
    );
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const fileName =
      /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? `${runId}.log`;
    return { fileName, blob: await response.blob() };
  }

  streamLog(
    entity: CompoundEntityRef,
    id: string,
    runId: string,
    handlers: RunLogHandlers,
  ): () => void {
    const controller = new AbortController();
    const path = codeflowPath(entity, id, runPath(runId, '/log/stream'));
    // the byte offset of the last line received: a reconnect resumes after it
    let lastOffset: number | undefined;
    let ended = false;

    const readOnce = async () => {
      const base = await this.deps.discoveryApi.getBaseUrl(PLUGIN);
      const response = await this.deps.fetchApi.fetch(`${base}${path}`, {
        signal: controller.signal,
        headers: {
          Accept: 'text/event-stream',
          ...(lastOffset !== undefined
            ? { 'Last-Event-ID': String(lastOffset) }
            : {}),
        },
      });
      if (!response.ok)
        throw await ContainerCloudApiError.fromResponse(response);
      for await (const { event, data } of readServerSentEvents(
        response.body!,
      )) {
        if (event === 'log') {
          const line = JSON.parse(data) as CodeflowLogEvent;
          lastOffset = line.offset;
          handlers.onLog(line);
        } else if (event === 'run') {
          handlers.onRun?.(JSON.parse(data) as CodeflowRun);
        } else if (event === 'end') {
          ended = true;
          handlers.onEnd?.(JSON.parse(data) as { status: CodeflowRunStatus });
          return;
        }
      }
    };

    (async () => {
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0) await pause(500 * attempt, controller.signal);
        try {
          await readOnce();
          if (ended || controller.signal.aborted) return;
          // the connection closed before `end` (a proxy, a replica restart): resume
          if (attempt >= RECONNECTS) {
            throw new Error(
              'The live log stopped before the run ended; reload to read the rest.',
            );
          }
        } catch (error) {
          // answers the server gave (403, 404...) are final; a broken connection is resumed
          if (
            controller.signal.aborted ||
            error instanceof ContainerCloudApiError ||
            attempt >= RECONNECTS
          ) {
            throw error;
          }
        }
      }
    })().catch(error => {
      if (!controller.signal.aborted) handlers.onError?.(error as Error);
    });
    return () => controller.abort();
  }
}
