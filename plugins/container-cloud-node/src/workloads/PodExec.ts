import { Exec, V1Pod, V1Status } from '@kubernetes/client-node';
import { NotFoundError } from '@backstage/errors';
import { PassThrough, Writable } from 'node:stream';
import {
  ClusterConnection,
  describeKubeError,
} from '../clusters/ClusterConnection';
import {
  ClusterTimeoutError,
  inSeconds,
  timeoutSetting,
} from '../clusters/timeouts';
import { PodOperations } from './PodOperations';

/** Where a shell runs: one container of one pod of a service. @public */
export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
  /** the service the pod must belong to (its `backstage.io/kubernetes-id` label) */
  kubernetesId: string;
}

/** How an exec ended. @public */
export interface ExecExit {
  /** the command's exit code, when the kubelet reported one */
  exitCode?: number;
  /** the kubelet's or the connection's words when it did not end with 0 */
  message?: string;
}

/** The callbacks of one exec session. @public */
export interface ExecHandlers {
  /** terminal output (stdout and stderr share the TTY) */
  onOutput(chunk: Buffer): void;
  /** called once, whatever ends the session */
  onExit(exit: ExecExit): void;
}

/** An open exec into a container, with a TTY. @public */
export interface ExecSession {
  write(data: string | Buffer): void;
  resize(columns: number, rows: number): void;
  /** ends the session: closes stdin and the connection */
  close(): void;
}

/** The terminal the kubelet sees: output goes to the handler, its size to the resize stream. */
class TerminalOutput extends Writable {
  columns: number;
  rows: number;

  constructor(
    size: { columns: number; rows: number },
    private readonly onChunk: (chunk: Buffer) => void,
  ) {
    super();
    this.columns = size.columns;
    this.rows = size.rows;
  }

  _write(chunk: Buffer, _encoding: string, callback: () => void) {
    this.onChunk(chunk);
    callback();
  }

  setSize(columns: number, rows: number) {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

function exitOf(status: V1Status): ExecExit {
  if (status.status === 'Success') return { exitCode: 0 };
  // kubelets report the code as a cause; some (kwok) only in the message
  const code =
    status.details?.causes?.find(c => c.reason === 'ExitCode')?.message ??
    /exit status (\d+)/.exec(status.message ?? '')?.[1];
  const exitCode = code !== undefined ? Number(code) : NaN;
  return {
    exitCode: Number.isFinite(exitCode) ? exitCode : undefined,
    message: status.message,
  };
}

/**
 * Interactive shells into a service's containers (the apiserver's pods/exec over WebSocket, with a
 * TTY). The pod is read first: a pod of another service, or a container it does not have, is a
 * 404, so a service's owners never reach another service's containers through it.
 * @public
 */
export class PodExec {
  constructor(
    private readonly connection: ClusterConnection,
    private readonly pods: PodOperations,
  ) {}

  /**
   * Opens a TTY session. `command` may depend on whether the target is a debug (ephemeral)
   * container, which is read from the pod.
   */
  async open(
    target: ExecTarget,
    command: string[] | ((container: { ephemeral: boolean }) => string[]),
    size: { columns: number; rows: number },
    handlers: ExecHandlers,
  ): Promise<ExecSession> {
    const pod = await this.runningContainer(target);
    const argv =
      typeof command === 'function'
        ? command({
            ephemeral: (pod.spec?.ephemeralContainers ?? []).some(
              c => c.name === target.container,
            ),
          })
        : command;

    const { execIdleMs } = this.connection.timeouts;
    let ended = false;
    // once open, a shell with no byte either way for execIdleMs is closed: a silent kubelet or a
    // forgotten terminal must not hold a slot for ever (whether or not a page still reads it)
    let idle: NodeJS.Timeout | undefined;
    const end = (exit: ExecExit) => {
      clearTimeout(idle);
      if (ended) return;
      ended = true;
      handlers.onExit(exit);
    };
    const stdin = new PassThrough();
    const watchIdle = (socket: { close(): void }) => {
      idle = setTimeout(() => {
        end({
          message: `closed after ${inSeconds(
            execIdleMs,
          )} without a byte either way (${timeoutSetting('execIdleMs')})`,
        });
        stdin.end();
        socket.close();
      }, execIdleMs);
      idle.unref?.();
    };
    const output = new TerminalOutput(size, chunk => {
      idle?.refresh();
      handlers.onOutput(chunk);
    });
    let socket: Awaited<ReturnType<Exec['exec']>>;
    try {
      socket = await this.opened(
        new Exec(this.connection.kubeConfig).exec(
          target.namespace,
          target.pod,
          target.container,
          argv,
          output,
          null,
          stdin,
          true,
          status => end(exitOf(status)),
        ),
        `opening a shell in ${target.namespace}/${target.pod}`,
      );
    } catch (error) {
      if (error instanceof ClusterTimeoutError) throw error;
      throw new Error(
        `could not open a shell in ${target.namespace}/${target.pod} (${
          target.container
        }) on cluster ${this.connection.name}: ${describeKubeError(error)}`,
      );
    }
    const open = socket;
    if (!ended) watchIdle(open);
    open.on('close', () => end({ message: 'the connection closed' }));
    open.on('error', error =>
      end({ message: `the connection failed: ${error.message}` }),
    );
    return {
      write: data => {
        if (ended) return;
        idle?.refresh();
        stdin.write(data);
      },
      resize: (columns, rows) => output.setSize(columns, rows),
      close: () => {
        stdin.end();
        open.close();
        end({ message: 'closed' });
      },
    };
  }

  /**
   * Runs a command without a TTY and streams its stdout to `stdout`; resolves with how it ended and
   * the first KiB of its stderr. For reading files (`cat`), not for anything a user types.
   */
  async run(
    target: ExecTarget,
    command: string[],
    stdout: Writable,
    signal?: AbortSignal,
  ): Promise<ExecExit & { stderr: string }> {
    await this.runningContainer(target);
    let stderr = '';
    const errors = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (stderr.length < 1024) stderr += chunk.toString('utf8');
        callback();
      },
    });
    const { commandIdleMs } = this.connection.timeouts;
    return new Promise((resolve, reject) => {
      let settled = false;
      // once open, a command that sends nothing for commandIdleMs is ended: a silent kubelet
      // must not hold a download for ever
      let idle: NodeJS.Timeout | undefined;
      const settle = (exit: ExecExit) => {
        clearTimeout(idle);
        if (settled) return;
        settled = true;
        resolve({ ...exit, stderr: stderr.slice(0, 1024) });
      };
      const watchIdle = (socket: { close(): void }) => {
        idle = setTimeout(() => {
          socket.close();
          settle({
            message: `ended after ${inSeconds(
              commandIdleMs,
            )} without output (${timeoutSetting('commandIdleMs')})`,
          });
        }, commandIdleMs);
        idle.unref?.();
      };
      // stdout as it is, each chunk (and each drain of a slow reader) a sign of life
      const output = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          idle?.refresh();
          if (stdout.write(chunk)) callback();
          else
            stdout.once('drain', () => {
              idle?.refresh();
              callback();
            });
        },
      });
      this.opened(
        new Exec(this.connection.kubeConfig).exec(
          target.namespace,
          target.pod,
          target.container,
          command,
          output,
          errors,
          null,
          false,
          status => settle(exitOf(status)),
        ),
        `running a command in ${target.namespace}/${target.pod}`,
      )
        .then(opened => {
          if (!settled) watchIdle(opened);
          // the caller may have given up while the connection opened
          if (signal?.aborted) opened.close();
          else signal?.addEventListener('abort', () => opened.close());
          opened.on('close', () =>
            settle({ message: 'the connection closed' }),
          );
        })
        .catch(error => {
          settled = true;
          reject(
            error instanceof ClusterTimeoutError
              ? error
              : new Error(
                  `could not run a command in ${target.namespace}/${
                    target.pod
                  } on cluster ${this.connection.name}: ${describeKubeError(
                    error,
                  )}`,
                ),
          );
        });
    });
  }

  /**
   * The exec WebSocket once it is open, or a `ClusterTimeoutError` (503) after execOpenMs; a
   * socket that opens after that is closed at once.
   */
  private async opened<T extends { close(): void }>(
    opening: Promise<T>,
    what: string,
  ): Promise<T> {
    const ms = this.connection.timeouts.execOpenMs;
    let timer: NodeJS.Timeout | undefined;
    let late = false;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        late = true;
        reject(
          new ClusterTimeoutError(
            this.connection.name,
            `the apiserver (${what})`,
            ms,
            'execOpenMs',
          ),
        );
      }, ms);
    });
    opening.then(
      socket => {
        if (late) socket.close();
      },
      () => {},
    );
    try {
      return await Promise.race([opening, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The pod, when it belongs to the service and has this container (or debug container) running;
   * else 404.
   */
  private async runningContainer(target: ExecTarget): Promise<V1Pod> {
    const pod = await this.readPod(target);
    const declared = [
      ...(pod.spec?.containers ?? []),
      ...(pod.spec?.ephemeralContainers ?? []),
    ];
    if (!declared.some(c => c.name === target.container)) {
      throw this.notFound(target);
    }
    const status = [
      ...(pod.status?.containerStatuses ?? []),
      ...(pod.status?.ephemeralContainerStatuses ?? []),
    ].find(s => s.name === target.container);
    if (!status?.state?.running) {
      throw new NotFoundError(
        `container ${target.container} of pod ${target.namespace}/${target.pod} is not running; only a running container can run a command`,
      );
    }
    return pod;
  }

  /** The pod, read by the shared pod reader; not this service's, or gone, is our own 404. */
  private readPod(target: ExecTarget): Promise<V1Pod> {
    return this.pods.get(
      {
        namespace: target.namespace,
        name: target.pod,
        kubernetesId: target.kubernetesId,
      },
      () => this.notFound(target),
    );
  }

  private notFound(target: ExecTarget) {
    return new NotFoundError(
      `service ${target.kubernetesId} has no container ${target.container} in pod ${target.namespace}/${target.pod} on cluster ${this.connection.name}`,
    );
  }
}
