import type express from 'express';
import type { ServiceRouteContext } from './lib/serviceRoutes';
import type {
  AuditorService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  containerLogsReadPermission,
  EventList,
  eventsQuerySchema,
  logQuerySchema,
  metricsQuerySchema,
  serviceReadPermission,
} from '@internal/plugin-container-cloud-common';
import { ServiceUnavailableError } from '@backstage/errors';
import {
  ContainerCloudClusters,
  containerUsage,
  PrometheusClient,
} from '@internal/plugin-container-cloud-node';
import { LineSplitter, sseEvent } from './lib/sse';
import { parseBody } from './lib/validation';
import { FollowLimiter } from './services/FollowLimiter';
import type { PodHistoryStore } from './database/PodHistoryStore';

export type { LoadedService } from './lib/serviceRoutes';

export interface ContainerRoutesOptions extends ServiceRouteContext {
  clusters: ContainerCloudClusters;
  auditor: AuditorService;
  followLimiter: FollowLimiter;
  /** the pods the service had: their metrics can still be charted after they are gone */
  history: PodHistoryStore;
  /** where the containers' metrics are; without it the metrics route answers 503 */
  prometheus?: PrometheusClient;
  /** how often an idle follow sends a comment, so proxies keep it open; default 15 s */
  heartbeatMs?: number;
}

function principalKey(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    userEntityRef?: string;
    subject?: string;
  };
  return principal.userEntityRef ?? principal.subject ?? 'unknown';
}

/** A file name for the download: pod, container, "previous" when it is, and `.log`. */
export function logFileName(
  pod: string,
  container: string,
  previous: boolean,
): string {
  return `${pod}_${container}${previous ? '_previous' : ''}.log`;
}

/**
 * Read-only routes about one container: its logs (tail, previous instance, download, live
 * follow as Server-Sent Events), its CPU and memory over time, and the events of a pod or a
 * Deployment.
 */
export function addContainerRoutes(
  router: express.Router,
  options: ContainerRoutesOptions,
) {
  const { clusters, auditor, followLimiter, history, loadService, authorize } =
    options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;

  /**
   * Checks and parses a log request and records it; `open` then opens the stream, recording a
   * failure before it is thrown, so reading logs is recorded, successful or not.
   */
  async function openLogs(req: express.Request, follow: boolean) {
    const { credentials, entityRef, binding } = await loadService(req, 'read');
    await authorize(containerLogsReadPermission, entityRef, credentials);
    const query = parseBody(logQuerySchema, req.query);
    const event = await auditor.createEvent({
      eventId: 'container-logs-read',
      severityLevel: 'low',
      request: req,
      meta: {
        entityRef,
        cluster: query.cluster,
        namespace: query.namespace,
        pod: query.pod,
        container: query.container,
        previous: query.previous,
        follow,
      },
    });
    let kubernetesId: string;
    try {
      kubernetesId = binding.idIn(query.cluster, query.namespace);
    } catch (error) {
      await event.fail({ error: error as Error });
      throw error;
    }
    const open = async () => {
      try {
        return await clusters
          .podLogs(query.cluster)
          .open(
            { namespace: query.namespace, name: query.pod, kubernetesId },
            { ...query, follow },
          );
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
    };
    return { credentials, query, event, open };
  }

  router.get('/services/:namespace/:name/containers/logs', async (req, res) => {
    const { query, event, open } = await openLogs(req, false);
    const logs = await open();
    try {
      await event.success();
    } catch (error) {
      // the stream is open: an audit that fails must not leave it (and the apiserver's) open
      logs.close();
      throw error;
    }
    res.status(200).type('text/plain; charset=utf-8');
    if (query.download) {
      res.attachment(logFileName(query.pod, logs.container, query.previous));
    }
    res.on('close', logs.close);
    logs.stream.pipe(res);
  });

  router.get(
    '/services/:namespace/:name/containers/logs/follow',
    async (req, res) => {
      const { credentials, query, event, open } = await openLogs(req, true);
      const release = followLimiter.acquire(principalKey(credentials));
      if (!release) {
        const message = `you already follow ${followLimiter.maxPerUser} logs; close one first (containerCloud.services.logs.maxFollowsPerUser)`;
        await event.fail({ error: new Error(message) });
        // shaped as Backstage's error handler answers, so clients read it the same way
        res.status(429).json({
          error: { name: 'TooManyRequestsError', message },
          request: { method: req.method, url: req.originalUrl },
          response: { statusCode: 429 },
        });
        return;
      }
      // the browser may leave while the stream is being opened: remember it, so the
      // apiserver stream is closed and the slot freed whenever that happens
      let closed = false;
      let cleanup = () => release();
      res.on('close', () => {
        closed = true;
        cleanup();
      });
      let logs;
      try {
        logs = await open();
      } catch (error) {
        release();
        throw error;
      }
      const opened = logs;
      // from here the apiserver stream is open: whatever throws before it is handed to the
      // response (the audit call included), it is closed and the slot freed, in `finally`
      let streaming = false;
      try {
        await event.success();
        if (closed) return;
        streaming = true;
      } finally {
        if (!streaming) {
          opened.close();
          release();
        }
      }
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        // no-transform keeps the compression middleware from buffering the stream
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.write(
        sseEvent(
          JSON.stringify({
            container: opened.container,
            cluster: query.cluster,
          }),
          'open',
        ),
      );
      const lines = opened.stream.pipe(new LineSplitter());
      let paused = false;
      const send = (text: string) => {
        if (!res.write(text) && !paused) {
          // a slow browser: stop reading the apiserver until it caught up
          paused = true;
          lines.pause();
          res.once('drain', () => {
            paused = false;
            lines.resume();
          });
        }
      };
      lines.on('data', (line: string) => send(sseEvent(line)));
      lines.on('end', () => {
        // the container's stream ended (it stopped, or the pod is gone)
        send(sseEvent('', 'end'));
        res.end();
      });
      const heartbeat = setInterval(
        () => send(': keep-alive\n\n'),
        heartbeatMs,
      );
      cleanup = () => {
        clearInterval(heartbeat);
        opened.close();
        release();
      };
    },
  );

  router.get('/services/:namespace/:name/events', async (req, res) => {
    const { credentials, entityRef, binding } = await loadService(req, 'read');
    await authorize(serviceReadPermission, entityRef, credentials);
    const query = parseBody(eventsQuerySchema, req.query);
    const kubernetesId = binding.idIn(query.cluster, query.namespace);
    const events = clusters.events(query.cluster);
    const items = query.pod
      ? await events.ofPod({
          namespace: query.namespace,
          name: query.pod,
          kubernetesId,
        })
      : await events.ofDeployment({
          namespace: query.namespace,
          name: query.deployment!,
          kubernetesId,
        });
    const body: EventList = { cluster: query.cluster, items };
    res.json(body);
  });

  router.get(
    '/services/:namespace/:name/containers/metrics',
    async (req, res) => {
      const { credentials, entityRef, binding } = await loadService(
        req,
        'read',
      );
      await authorize(serviceReadPermission, entityRef, credentials);
      const query = parseBody(metricsQuerySchema, req.query);
      const kubernetesId = binding.idIn(query.cluster, query.namespace);
      if (!options.prometheus) {
        throw new ServiceUnavailableError(
          'no Prometheus is configured for container metrics (containerCloud.prometheus.url)',
        );
      }
      // only the service's own pods, running or in its history (their metrics outlive them);
      // another service's is answered as absent
      const target = {
        kubernetesId,
        cluster: query.cluster,
        namespace: query.namespace,
        pod: query.pod,
      };
      const known = await history.find(target);
      if (!known) {
        await clusters.podOperations(query.cluster).get({
          namespace: query.namespace,
          name: query.pod,
          kubernetesId,
        });
      }
      // a pod that is gone: the window ends when it ended
      const until = known?.endedAt ? Date.parse(known.endedAt) : Date.now();
      const round = known?.endedAt ? Math.ceil : Math.floor;
      const end = round(until / 1000 / query.step) * query.step;
      res.json(
        await containerUsage(options.prometheus, {
          cluster: query.cluster,
          namespace: query.namespace,
          pod: query.pod,
          container: query.container,
          start: end - query.minutes * 60,
          end,
          step: query.step,
        }),
      );
    },
  );
}
