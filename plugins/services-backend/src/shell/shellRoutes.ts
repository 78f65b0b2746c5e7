import type express from 'express';
import { once } from 'node:events';
import {
  LoadedService,
  SERVICE_PATH,
  ServiceAccess,
  ServiceRoute,
  serviceRoute,
} from '../lib/serviceRoutes';
import type {
  AuditorService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  containerExecPermission,
  openedShellSchema,
  openShellSchema,
  shellIdSchema as sessionId,
  shellInputSchema,
  shellOutputQuerySchema as offsetQuery,
  shellResizeSchema,
} from '@internal/plugin-container-cloud-common';
import {
  ANSWERED,
  ContainerCloudClusters,
} from '@internal/plugin-container-cloud-node';
import { z } from 'zod';
import { requireOrigin } from './origin';
import { ShellEvent, ShellSessions } from './ShellSessions';
import { ShellDirectory, ShellLocation } from './ShellDirectory';
import { NonRootUser, shellCommand } from './shellCommand';
import { MAX_UNREAD_OUTPUT_BYTES, slowReaderGuard } from './slowReader';

export interface ShellRoutesOptions extends ServiceAccess {
  clusters: ContainerCloudClusters;
  auditor: AuditorService;
  sessions: ShellSessions;
  /**
   * Where the shells of the other backend replicas are (the plugin's database), and where the
   * per-user and total limits are taken over all of them. Without it every shell is this
   * backend's own, as with one replica.
   */
  directory?: ShellDirectory;
  logger?: LoggerService;
  /** how often an idle output stream sends a ping line, so proxies keep it open; default 15 s */
  heartbeatMs?: number;
  /** browser origins shells may be used from (see shellOrigins) */
  allowedOrigins: string[];
  /**
   * The user a shell into a container that runs as root switches to, where the image allows;
   * undefined leaves the container's user. Debug containers keep their tools image's user.
   */
  nonRootUser?: NonRootUser;
}

/** Marks a request one replica passed to the replica holding the shell: it is never passed on. */
const FORWARDED = 'x-container-cloud-shell-forwarded';

/** Shells are a person's: the user entity ref; a service principal gets none. */
function userOf(credentials: BackstageCredentials): string {
  const principal = credentials.principal as { userEntityRef?: string };
  if (!principal.userEntityRef) {
    throw new NotAllowedError('a shell needs a signed-in user');
  }
  return principal.userEntityRef;
}

const BASE = `${SERVICE_PATH}/shells`;

/** The caller, allowed to exec into this service's containers (for the forwarding). */
async function shellUser(options: ShellRoutesOptions, req: express.Request) {
  const service = await options.loadService(req, 'operate');
  const user = userOf(service.credentials);
  await options.authorize(
    containerExecPermission,
    service.entityRef,
    service.credentials,
  );
  return { ...service, user };
}

/**
 * What comes before the shell routes: the Origin check, and passing a request about a shell
 * another backend replica holds to that replica.
 */
export function addShellMiddleware(
  router: express.Router,
  options: ShellRoutesOptions,
) {
  const { directory, sessions } = options;
  const base = BASE;
  router.use(`${base}`, requireOrigin(options.allowedOrigins));

  // A shell another replica holds (its apiserver connection lives there): the request of a user
  // allowed to exec here is passed to that replica as it came, and its answer streamed back.
  // Everything else goes on to the routes below, which answer 404 for a shell nobody holds.
  router.use(`${base}/:id`, async (req, res, next) => {
    const id = req.params.id;
    if (
      !directory ||
      req.headers[FORWARDED] ||
      !sessionId.safeParse(id).success ||
      sessions.has(id)
    ) {
      next();
      return;
    }
    const { user, entityRef } = await shellUser(options, req);
    const holder = await directory.locate(id);
    if (
      !holder ||
      holder.replicaUrl === directory.replicaUrl ||
      holder.user !== user ||
      holder.entityRef !== entityRef
    ) {
      next();
      return;
    }
    await forward(req, res, holder);
  });

  async function forward(
    req: express.Request,
    res: express.Response,
    holder: ShellLocation,
  ) {
    const aborted = new AbortController();
    res.on('close', () => aborted.abort());
    const headers: Record<string, string> = { [FORWARDED]: '1' };
    for (const name of ['authorization', 'origin', 'accept', 'content-type']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const hasBody = req.method === 'POST' && req.body !== undefined;
    let answer: Response;
    try {
      answer = await fetch(`${holder.replicaUrl}${req.originalUrl}`, {
        method: req.method,
        headers,
        body: hasBody ? JSON.stringify(req.body) : undefined,
        signal: aborted.signal,
      });
    } catch (error) {
      if (aborted.signal.aborted) return;
      // the replica that held it is gone, and its apiserver connection with it
      await directory?.forget(holder.id);
      options.logger?.warn(
        `shell ${holder.id}: its replica ${holder.replicaUrl} did not answer (${error}); forgotten`,
      );
      throw new NotFoundError(
        `shell ${holder.id} was lost: the backend replica that held it stopped; open a new shell`,
      );
    }
    res.status(answer.status);
    for (const name of ['content-type', 'cache-control', 'x-accel-buffering']) {
      const value = answer.headers.get(name);
      if (value) res.setHeader(name, value);
    }
    if (!answer.body) {
      res.end();
      return;
    }
    res.flushHeaders();
    try {
      for await (const chunk of answer.body) {
        const flowing = res.write(chunk);
        (res as unknown as { flush?: () => void }).flush?.();
        // read on only as fast as the page does: the holder then sees a slow page as a slow
        // reader of its own, and drops it as it would drop the page
        if (!flowing && !res.destroyed) {
          await once(res, 'drain', { signal: aborted.signal });
        }
      }
    } catch {
      // the reader left, or the holding replica stopped mid-stream: the page reconnects
    }
    res.end();
  }
}

const shellParams = z.object({ id: sessionId });

/**
 * Web shells into a service's containers, over plain HTTP so Backstage's auth and proxies apply:
 * POST opens one (exec permission, audited), the output streams as NDJSON lines from an offset,
 * keystrokes and resizes are POSTed, DELETE closes it. Each shell belongs to the user who opened
 * it; its end (exit code, duration, bytes both ways) is a second audit event. Only the opening
 * is audited: the routes into an open shell act within the session its two events record.
 */
export function shellRoutes(options: ShellRoutesOptions): ServiceRoute[] {
  const { clusters, auditor, sessions, directory } = options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;

  /**
   * The caller's shell `id`, when it is a shell into this service: exec was checked on the URL's
   * service, so a shell into another one (a service the caller may no longer exec into) is
   * answered as absent, 404.
   */
  function ownShell(
    { entityRef, binding }: LoadedService,
    credentials: BackstageCredentials,
    id: string,
  ) {
    const user = userOf(credentials);
    const target = sessions.targetOf(id, user);
    if (target.entityRef !== entityRef) {
      throw new NotFoundError(`no shell ${id} of yours is open`);
    }
    // the binding may have changed since it opened (a second claim, placements narrowed)
    binding.idIn(target.cluster, target.namespace);
    return { user, id };
  }

  const inShell = {
    access: 'operate',
    permission: containerExecPermission,
    notAudited: 'it acts within a shell whose opening and end are audited',
  } as const;

  return [
    serviceRoute({
      method: 'post',
      path: BASE,
      summary: 'Open a web shell in a container',
      access: 'operate',
      permission: containerExecPermission,
      audit: { eventId: 'container-shell', severityLevel: 'high' },
      request: { body: openShellSchema },
      response: {
        status: 201,
        description: 'the shell is open',
        schema: openedShellSchema,
        errors: {
          409: 'the caller, or the portal, holds as many shells as it may; the message says which to close',
        },
      },
      handler: async ({ resource: service, credentials, body, audit }) => {
        const user = userOf(credentials);
        const kubernetesId = service.binding.idIn(body.cluster, body.namespace);
        const target = {
          entityRef: service.entityRef,
          cluster: body.cluster,
          namespace: body.namespace,
          pod: body.pod,
          container: body.container,
        };
        const podExec = clusters.podExec(body.cluster);
        const id = await sessions.open(
          user,
          target,
          handlers =>
            podExec.open(
              {
                namespace: body.namespace,
                pod: body.pod,
                container: body.container,
                kubernetesId,
              },
              ({ ephemeral }) =>
                shellCommand(
                  body.shell,
                  ephemeral ? undefined : options.nonRootUser,
                ),
              { columns: body.columns, rows: body.rows },
              handlers,
            ),
          summary => {
            void auditor
              .createEvent({
                eventId: 'container-shell-end',
                severityLevel: 'high',
                meta: {
                  user: summary.user,
                  shell: summary.id,
                  ...summary.target,
                  durationMs: summary.durationMs,
                  bytesIn: summary.bytesIn,
                  bytesOut: summary.bytesOut,
                  ...summary.exit,
                },
              })
              .then(e => e.success());
          },
          // the limits hold over every replica: the slot is taken in the database
          directory,
        );
        audit.meta.shell = id;
        return { id, ...target };
      },
    }),
    serviceRoute({
      ...inShell,
      method: 'get',
      path: `${BASE}/:id/output`,
      summary: "A shell's output from an offset, as it comes (NDJSON)",
      request: { params: shellParams, query: offsetQuery },
      response: {
        description: 'output, exit and ping lines',
        contentType: 'application/x-ndjson',
        errors: {
          409: 'the shell already has as many pages reading it as it may',
        },
      },
      handler: async ({ resource, credentials, params, query, req, res }) => {
        const { user, id } = ownShell(resource, credentials, params.id);
        const { offset } = query;
        res.status(200);
        res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
        res.setHeader('Cache-Control', 'no-cache, no-transform');
        res.setHeader('X-Accel-Buffering', 'no');
        let stop = () => {};
        const timer: { heartbeat?: NodeJS.Timeout } = {};
        // a reader that cannot keep up is dropped; the page reconnects from its offset
        const write = slowReaderGuard(res, MAX_UNREAD_OUTPUT_BYTES, () => {
          clearInterval(timer.heartbeat);
          stop();
        });
        timer.heartbeat = setInterval(
          () => write('{"type":"ping"}\n'),
          heartbeatMs,
        );
        const send = (event: ShellEvent) => {
          write(`${JSON.stringify(event)}\n`);
          if (event.type === 'exit') {
            clearInterval(timer.heartbeat);
            res.end();
          }
        };
        // the shell may not be this user's: that answers 404 before anything is streamed
        try {
          stop = sessions.follow(id, user, offset, send);
        } catch (error) {
          clearInterval(timer.heartbeat);
          res.removeHeader('Content-Type');
          throw error;
        }
        res.flushHeaders();
        req.on('close', () => {
          clearInterval(timer.heartbeat);
          stop();
        });
        return ANSWERED;
      },
    }),
    serviceRoute({
      ...inShell,
      method: 'post',
      path: `${BASE}/:id/input`,
      summary: 'Send keystrokes to a shell',
      request: { params: shellParams, body: shellInputSchema },
      response: {
        description: 'sent',
        errors: { 409: 'the shell has ended; the message says how' },
      },
      handler: async ({ resource, credentials, params, body }) => {
        const { user, id } = ownShell(resource, credentials, params.id);
        sessions.write(id, user, body.data);
      },
    }),
    serviceRoute({
      ...inShell,
      method: 'post',
      path: `${BASE}/:id/resize`,
      summary: "Change a shell's terminal size",
      request: { params: shellParams, body: shellResizeSchema },
      response: { description: 'resized' },
      handler: async ({ resource, credentials, params, body }) => {
        const { user, id } = ownShell(resource, credentials, params.id);
        sessions.resize(id, user, body.columns, body.rows);
      },
    }),
    serviceRoute({
      ...inShell,
      method: 'delete',
      path: `${BASE}/:id`,
      summary: 'Close a shell',
      request: { params: shellParams },
      response: { description: 'closed' },
      handler: async ({ resource, credentials, params }) => {
        const { user, id } = ownShell(resource, credentials, params.id);
        await sessions.close(id, user);
      },
    }),
  ];
}
