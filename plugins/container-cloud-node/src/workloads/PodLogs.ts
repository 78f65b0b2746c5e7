import { PassThrough, Readable } from 'node:stream';
import { ApiException, Log, V1Pod } from '@kubernetes/client-node';
import {
  InputError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  ClusterConnection,
  describeKubeError,
} from '../clusters/ClusterConnection';
import { PodOperations, PodTarget } from './PodOperations';

/** What to read from one container's stdout/stderr. @public */
export interface ContainerLogOptions {
  /** the container; may be left out when the pod has exactly one */
  container?: string;
  /** the last N lines (the caller bounds it) */
  tailLines: number;
  /** the logs of the container's previous instance, before its last restart */
  previous: boolean;
  /** keep the stream open and pass on new lines as they are written */
  follow: boolean;
  /** prefix each line with the time the runtime recorded it */
  timestamps?: boolean;
  /**
   * The most bytes a tail (not a follow) returns: the apiserver stops there, so a container that
   * writes huge lines cannot make a tail of a few lines unbounded. Default MAX_LOG_TAIL_BYTES.
   */
  limitBytes?: number;
}

/** 16 MiB: far more than the 5000 lines a tail may ask for, of any sane length. @public */
export const MAX_LOG_TAIL_BYTES = 16 * 1024 * 1024;

/** An open log stream: its text, and the way to close it upstream. @public */
export interface ContainerLogStream {
  /** the container read (resolved when the request left it out) */
  container: string;
  /** raw log text as the apiserver sends it; ends when the apiserver ends it */
  stream: Readable;
  /** closes the connection to the apiserver (and so the kubelet's stream) */
  close(): void;
}

function containerNames(pod: V1Pod): string[] {
  return (pod.spec?.containers ?? []).map(c => c.name);
}

/**
 * Container logs through the apiserver (`pods/log`), for the pods of one service only: a pod
 * that does not carry the service's `backstage.io/kubernetes-id` is answered as absent, so one
 * service's page never reads another's logs.
 * @public
 */
export class PodLogs {
  private readonly api: Log;

  constructor(
    private readonly connection: ClusterConnection,
    private readonly pods: PodOperations,
  ) {
    this.api = new Log(connection.kubeConfig);
  }

  /**
   * Opens the log stream. Checks first, with messages a person understands, what the apiserver
   * would refuse with a bare status: an unknown container, or previous logs of a container that
   * never restarted.
   */
  async open(
    target: PodTarget,
    options: ContainerLogOptions,
  ): Promise<ContainerLogStream> {
    const pod = await this.pods.get(target);
    const container = this.containerOf(pod, target, options.container);
    const status = pod.status?.containerStatuses?.find(
      s => s.name === container,
    );
    if (
      !options.previous &&
      !status?.state?.running &&
      !status?.state?.terminated
    ) {
      // the kubelet has nothing before the container first starts
      const why =
        status?.state?.waiting?.reason ?? pod.status?.phase ?? 'not started';
      throw new NotFoundError(
        `container ${container} of ${target.namespace}/${target.name} has not started yet (${why}), so it has no logs`,
      );
    }
    if (options.previous) {
      if (!status || status.restartCount === 0) {
        throw new NotFoundError(
          `container ${container} of ${target.namespace}/${target.name} has not restarted, so it has no previous logs`,
        );
      }
    }
    const stream = new PassThrough();
    // the client pipes the response body into `stream`; closing aborts that body with an error
    // event nobody else listens to, which would otherwise crash the process
    stream.on('pipe', (source: Readable) => {
      source.on('error', () => stream.end());
    });
    let controller: AbortController;
    try {
      controller = await this.api.log(
        target.namespace,
        target.name,
        container,
        stream,
        {
          follow: options.follow,
          previous: options.previous,
          tailLines: options.tailLines,
          timestamps: options.timestamps ?? false,
          // a follow runs for as long as the page is open; its lines are capped where it is read
          ...(options.follow
            ? {}
            : { limitBytes: options.limitBytes ?? MAX_LOG_TAIL_BYTES }),
        },
      );
    } catch (error) {
      const code = error instanceof ApiException ? error.code : undefined;
      if (code === 404) throw this.notFound(target);
      if (code === 400 && options.previous) {
        // the kubelet has no file for the previous instance (rotated away, or a restart it lost)
        throw new NotFoundError(
          `cluster ${this.connection.name} keeps no logs of the previous instance of ${container} in ${target.namespace}/${target.name}`,
        );
      }
      throw new ServiceUnavailableError(
        `cluster ${this.connection.name} could not serve the logs of ${
          target.namespace
        }/${target.name}: ${describeKubeError(error)}`,
      );
    }
    return {
      container,
      stream,
      close: () => {
        controller.abort();
        stream.end();
      },
    };
  }

  private containerOf(
    pod: V1Pod,
    target: PodTarget,
    requested: string | undefined,
  ): string {
    const names = containerNames(pod);
    if (requested) {
      if (!names.includes(requested)) {
        throw new NotFoundError(
          `${target.namespace}/${
            target.name
          } has no container ${requested}; it has ${names.join(', ')}`,
        );
      }
      return requested;
    }
    if (names.length !== 1) {
      throw new InputError(
        `${target.namespace}/${target.name} has ${
          names.length
        } containers (${names.join(', ')}): name the one to read`,
      );
    }
    return names[0];
  }

  private notFound(target: PodTarget) {
    return new NotFoundError(
      `cluster ${this.connection.name} has no container ${target.namespace}/${target.name} for this service`,
    );
  }
}
