import type { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import { readNdjson } from '@internal/plugin-container-cloud-common';
import {
  BackendApis,
  BackendRequest,
  ContainerCloudApiError,
  fetchBackend,
} from '@internal/plugin-container-cloud-react';
import { servicePath } from './servicePath';

/** Where a shell runs. @public */
export interface ShellTarget {
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
}

/** @public */
export type ShellName = 'sh' | 'bash';

/** How a shell ended. @public */
export interface ShellExit {
  exitCode?: number;
  message?: string;
}

/** Callbacks of a shell's output stream. @public */
export interface ShellOutputHandlers {
  onOutput(bytes: Uint8Array, offset: number): void;
  onExit(exit: ShellExit): void;
  /** the stream broke before the shell ended; reconnect from the last offset */
  onDisconnect(error: Error): void;
}

function decodeBase64(data: string): Uint8Array {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** What the shell dialog needs of the backend. @public */
export interface ShellApi {
  open(
    entity: CompoundEntityRef,
    target: ShellTarget,
    shell: ShellName,
    size: { columns: number; rows: number },
  ): Promise<string>;
  send(entity: CompoundEntityRef, id: string, data: string): Promise<void>;
  resize(
    entity: CompoundEntityRef,
    id: string,
    size: { columns: number; rows: number },
  ): Promise<void>;
  close(entity: CompoundEntityRef, id: string): Promise<void>;
  /** a file from inside the container (a log file the application writes) */
  downloadFile(
    entity: CompoundEntityRef,
    target: ShellTarget,
    filePath: string,
  ): Promise<{ fileName: string; blob: Blob }>;
  follow(
    entity: CompoundEntityRef,
    id: string,
    offset: number,
    handlers: ShellOutputHandlers,
    signal: AbortSignal,
  ): Promise<void>;
}

/** @public */
export const shellApiRef = createApiRef<ShellApi>({
  id: 'plugin.container-cloud.services.shell',
});

/**
 * The services backend's web shell routes: open, stream output (NDJSON from an offset), send
 * keystrokes, resize, close. Plain HTTP through fetchApi, so the user's Backstage token goes along.
 * @public
 */
export class ShellClient implements ShellApi {
  constructor(private readonly deps: BackendApis) {}

  async open(
    entity: CompoundEntityRef,
    target: ShellTarget,
    shell: ShellName,
    size: { columns: number; rows: number },
  ): Promise<string> {
    const res = await this.call(entity, '', {
      method: 'POST',
      body: { ...target, shell, ...size },
    });
    return (await res.json()).id;
  }

  async send(entity: CompoundEntityRef, id: string, data: string) {
    await this.call(entity, `/${id}/input`, { method: 'POST', body: { data } });
  }

  async resize(
    entity: CompoundEntityRef,
    id: string,
    size: { columns: number; rows: number },
  ) {
    await this.call(entity, `/${id}/resize`, { method: 'POST', body: size });
  }

  async close(entity: CompoundEntityRef, id: string) {
    await this.call(entity, `/${id}`, { method: 'DELETE' });
  }

  async downloadFile(
    entity: CompoundEntityRef,
    target: ShellTarget,
    filePath: string,
  ): Promise<{ fileName: string; blob: Blob }> {
    const res = await fetchBackend(
      this.deps,
      'services',
      servicePath(entity, '/containers/file'),
      { query: { ...target, path: filePath } },
    );
    const disposition = res.headers.get('Content-Disposition') ?? '';
    const fileName =
      /filename="([^"]+)"/.exec(disposition)?.[1] ??
      filePath.split('/').pop() ??
      'file';
    return { fileName, blob: await res.blob() };
  }

  /**
   * Streams the shell's output from `offset` until it ends, `signal` aborts, or the connection
   * breaks. Resolves when the stream is over.
   */
  async follow(
    entity: CompoundEntityRef,
    id: string,
    offset: number,
    handlers: ShellOutputHandlers,
    signal: AbortSignal,
  ): Promise<void> {
    let ended = false;
    try {
      const res = await this.call(entity, `/${id}/output`, {
        query: { offset },
        signal,
      });
      for await (const event of readNdjson<any>(res.body!)) {
        if (event.type === 'output') {
          handlers.onOutput(decodeBase64(event.data), event.offset);
        } else if (event.type === 'exit') {
          ended = true;
          handlers.onExit({
            exitCode: event.exitCode,
            message: event.message,
          });
        }
      }
      if (!ended && !signal.aborted) {
        handlers.onDisconnect(new Error('the output stream closed'));
      }
    } catch (error) {
      if (signal.aborted) return;
      // no such shell any more (its backend replica stopped, or it ended long ago): reconnecting
      // cannot bring it back, so it ends here with the backend's words
      if (error instanceof ContainerCloudApiError && error.status === 404) {
        handlers.onExit({ message: (error as Error).message });
        return;
      }
      handlers.onDisconnect(error as Error);
    }
  }

  /** A request under the service's shell routes. */
  private call(
    entity: CompoundEntityRef,
    path: string,
    request: BackendRequest,
  ): Promise<Response> {
    return fetchBackend(
      this.deps,
      'services',
      servicePath(entity, `/shells${path}`),
      request,
    );
  }
}
