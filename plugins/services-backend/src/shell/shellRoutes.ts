import type express from 'express';
import { once } from 'node:events';
import type { ServiceRouteContext } from '../lib/serviceRoutes';
import type {
  AuditorService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  containerExecPermission,
  openShellSchema,
  shellIdSchema as sessionId,
  shellInputSchema,
  shellOutputQuerySchema as offsetQuery,
  shellResizeSchema,
} from '@internal/plugin-container-cloud-common';
import type { ContainerCloudClusters } from '@internal/plugin-container-cloud-node';
import { parseBody } from '../lib/validation';
import { requireOrigin } from './origin';
import { ShellEvent, ShellSessions } from './ShellSessions';
import { ShellDirectory, ShellLocation } from './ShellDirectory';
import { NonRootUser, shellCommand } from './shellCommand';
import { MAX_UNREAD_OUTPUT_BYTES, slowReaderGuard } from './slowReader';

export interface ShellRoutesOptions extends ServiceRouteContext {
  clusters: ContainerCloudClusters;
  auditor: AuditorService;
  sessions: ShellSessions;
  /**
   * Where the shells of the other backend replicas are (the plugin's database). Without it every
   * shell is this backend's own, as with one replica.
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

/**
 * Web shells into a service's containers, over plain HTTP so Backstage's auth and proxies apply:
 * POST opens one (exec permission, audited), the output streams as NDJSON lines from an offset,
 * keystrokes and resizes are POSTed, DELETE closes it. Each shell belongs to the user who opened
 * it; its end (exit code, duration, bytes both ways) is a second audit event.
 */
export function addShellRoutes(
  router: express.Router,
  options: ShellRoutesOptions,
) {
  const { clusters, auditor, sessions, directory, loadService, authorize } =
    options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const base = '/services/:namespace/:name/shells';
  router.use(`${base}`, requireOrigin(options.allowedOrigins));

  /** The caller, allowed to exec into this service's containers. */
  async function shellUser(req: express.Request) {
    const service = await loadService(req, 'operate');
    const user = userOf(service.credentials);
    await authorize(
      containerExecPermission,
      service.entityRef,
      service.credentials,
    );
    return { ...service, user };
  }

  /**
   * The caller's shell `id`, when it is a shell into this service: exec was checked on the URL's
   * service, so a shell into another one (a service the caller may no longer exec into) is
   * answered as absent, 404.
   */
  async function ownShell(req: express.Request) {
    const { user, entityRef, binding } = await shellUser(req);
    const id = parseBody(sessionId, req.params.id);
    const target = sessions.targetOf(id, user);
    if (target.entityRef !== entityRef) {
      throw new NotFoundError(`no shell ${id} of yours is open`);
    }
    // the binding may have changed since it opened (a second claim, placements narrowed)
    binding.idIn(target.cluster, target.namespace);
    return { user, id };
  }

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
    const { user, entityRef } = await shellUser(req);
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

  router.post(base, async (req, res) => {
    const service = await loadService(req, 'operate');
    const event = await auditor.createEvent({
      eventId: 'container-shell',
      severityLevel: 'high',
      request: req,
      meta: { entityRef: service.entityRef, request: req.body },
    });
    try {
      const user = userOf(service.credentials);
      await authorize(
        containerExecPermission,
        service.entityRef,
        service.credentials,
      );
      const body = parseBody(openShellSchema, req.body);
      const kubernetesId = service.binding.idIn(body.cluster, body.namespace);
      const target = {
        entityRef: service.entityRef,
        cluster: body.cluster,
        namespace: body.namespace,
        pod: body.pod,
        container: body.container,
      };
      const podExec = clusters.podExec(body.cluster);
      const elsewhere = await directory?.countElsewhere(user);
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
        elsewhere,
      );
      await directory?.register({ id, user, entityRef: service.entityRef });
      await event.success({ meta: { shell: id } });
      res.status(201).json({ id, ...target });
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
  });

  router.get(`${base}/:id/output`, async (req, res) => {
    const { user, id } = await ownShell(req);
    const { offset } = parseBody(offsetQuery, req.query);
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
  });

  router.post(`${base}/:id/input`, async (req, res) => {
    const { user, id } = await ownShell(req);
    const { data } = parseBody(shellInputSchema, req.body);
    sessions.write(id, user, data);
    res.status(204).end();
  });

  router.post(`${base}/:id/resize`, async (req, res) => {
    const { user, id } = await ownShell(req);
    const { columns, rows } = parseBody(shellResizeSchema, req.body);
    sessions.resize(id, user, columns, rows);
    res.status(204).end();
  });

  router.delete(`${base}/:id`, async (req, res) => {
    const { user, id } = await ownShell(req);
    sessions.close(id, user);
    res.status(204).end();
  });
}
