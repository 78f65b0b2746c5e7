import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  containerExecPermission,
  containerFileQuerySchema,
} from '@internal/plugin-container-cloud-common';
import {
  ANSWERED,
  ContainerCloudClusters,
} from '@internal/plugin-container-cloud-node';
import path from 'node:path';
import { Writable } from 'node:stream';
import { SERVICE_PATH, ServiceRoute, serviceRoute } from '../lib/serviceRoutes';
import {
  fileReadCommand,
  NonRootUser,
  WRAPPER_REFUSED,
} from '../shell/shellCommand';

/** Where log files usually live; `containerCloud.services.files.allowedPaths` replaces it. */
export const DEFAULT_ALLOWED_PATHS = [
  '/var/log/',
  '/logs/',
  '/app/logs/',
  '/tmp/',
];
export const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024;

export interface ContainerFilesOptions {
  clusters: ContainerCloudClusters;
  /** folders whose files may be downloaded (matched on whole path segments) */
  allowedPaths: string[];
  maxBytes: number;
  /**
   * The user a container that runs as root reads as, through the shell's non-root wrapper;
   * undefined reads as the container's user.
   */
  nonRootUser?: NonRootUser;
}

/**
 * Downloads a file from inside a running container (`cat` through the apiserver's exec), for log
 * files an application writes beside its stdout. It runs a command in the container, so it needs
 * the exec permission (owners and ops), not the logs one everybody has; only paths under the
 * configured folders, checked here as text and again in the container on the path `realpath`
 * resolves (a symlink out of the folders is refused, 403); read through the shell's non-root
 * wrapper (see shellCommand.ts), which is a convenience, not an isolation boundary: whoever may
 * exec may open a shell in the same container. Every download is audited with its path; bounded
 * in size.
 */
export function containerFileRoute(
  options: ContainerFilesOptions,
): ServiceRoute {
  const { clusters, maxBytes } = options;
  return serviceRoute({
    method: 'get',
    path: `${SERVICE_PATH}/containers/file`,
    summary: 'Download a file from inside a running container',
    description:
      "Only from the portal's own pages (Origin), under the configured folders, bounded in size.",
    // it runs a command in the container: a person's, like a shell
    access: 'operate',
    permission: containerExecPermission,
    audit: { eventId: 'container-file-read' },
    request: { query: containerFileQuerySchema(options.allowedPaths) },
    response: {
      description: 'the file, as an attachment',
      contentType: 'application/octet-stream',
    },
    handler: async ({ resource, query: q, audit, res }) => {
      const abort = new AbortController();
      try {
        const kubernetesId = resource.binding.idIn(q.cluster, q.namespace);
        let sent = 0;
        const startDownload = () => {
          const name = `${q.pod}_${q.container}_${path.posix.basename(q.path)}`;
          res.status(200);
          res.setHeader('Content-Type', 'application/octet-stream');
          res.setHeader(
            'Content-Disposition',
            `attachment; filename="${name}"`,
          );
        };
        // headers go out with the first bytes: until then a failure is still a proper error answer
        const body = new Writable({
          write(chunk: Buffer, _encoding, callback) {
            if (sent === 0) startDownload();
            sent += chunk.length;
            if (sent > maxBytes) {
              abort.abort();
              callback();
              return;
            }
            if (res.write(chunk)) callback();
            else res.once('drain', () => callback());
          },
        });
        // the browser gave up on the download: stop reading the file in the container
        res.on('close', () => {
          if (!res.writableFinished) abort.abort();
        });
        const exit = await clusters.podExec(q.cluster).run(
          {
            namespace: q.namespace,
            pod: q.pod,
            container: q.container,
            kubernetesId,
          },
          fileReadCommand(q.path, options.allowedPaths, options.nonRootUser),
          body,
          abort.signal,
        );
        if (sent > maxBytes) {
          await audit.fail(
            new InputError(`${q.path} is larger than ${maxBytes} bytes`),
          );
          res.destroy();
          return ANSWERED;
        }
        if (exit.exitCode === WRAPPER_REFUSED && sent === 0) {
          throw new NotAllowedError(
            exit.stderr.trim() ||
              `${q.path} may not be read in ${q.pod} (${q.container})`,
          );
        }
        if (exit.exitCode !== 0 && sent === 0) {
          throw new NotFoundError(
            `could not read ${q.path} in ${q.pod} (${q.container}): ${
              exit.stderr.trim() || exit.message || 'cat failed'
            }`,
          );
        }
        await audit.success({ bytes: sent, exitCode: exit.exitCode });
        if (sent === 0) startDownload();
        if (exit.exitCode !== 0) res.destroy();
        else res.end();
        return ANSWERED;
      } catch (error) {
        abort.abort();
        throw error;
      }
    },
  });
}
