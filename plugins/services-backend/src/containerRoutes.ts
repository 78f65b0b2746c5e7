import type express from 'express';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  containerLogsReadPermission,
  containerMetricsSchema,
  eventListSchema,
  eventsQuerySchema,
  logQuerySchema,
  metricsQuerySchema,
  serviceReadPermission,
} from '@internal/plugin-container-cloud-common';
import { ServiceUnavailableError } from '@backstage/errors';
import {
  ANSWERED,
  ContainerCloudClusters,
  containerUsage,
  PrometheusClient,
  RouteAudit,
  TooManyRequestsError,
} from '@internal/plugin-container-cloud-node';
import type { z } from 'zod';
import { LineSplitter, sseEvent } from './lib/sse';
import {
  LoadedService,
  SERVICE_PATH,
  ServiceRoute,
  serviceRoute,
} from './lib/serviceRoutes';
import type { FollowSlots } from './services/FollowLimiter';
import type { PodHistoryStore } from './database/PodHistoryStore';

export interface ContainerRoutesOptions {
  clusters: ContainerCloudClusters;
  /** the follows open at once: this process's (FollowLimiter) or every replica's (FollowDirectory) */
  followLimiter: FollowSlots;
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
 * Deployment. Reading logs is audited, successful or not.
 */
export function containerRoutes(
  options: ContainerRoutesOptions,
): ServiceRoute[] {
  const { clusters, followLimiter, history } = options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;

  /**
   * Opens the stream of the container's logs, recording a failure before it is thrown, so
   * reading logs is recorded, successful or not.
   */
  async function openLogs(
    resource: LoadedService,
    query: z.output<typeof logQuerySchema>,
    audit: RouteAudit,
    follow: boolean,
  ) {
    audit.meta.follow = follow;
    const kubernetesId = resource.binding.idIn(query.cluster, query.namespace);
    return clusters
      .podLogs(query.cluster)
      .open(
        { namespace: query.namespace, name: query.pod, kubernetesId },
        { ...query, follow },
      );
  }

  const logsAudit = {
    eventId: 'container-logs-read',
    severityLevel: 'low' as const,
  };

  return [
    serviceRoute({
      method: 'get',
      path: `${SERVICE_PATH}/containers/logs`,
      summary:
        "A container's last log lines (text; an attachment with download=true)",
      access: 'read',
      permission: containerLogsReadPermission,
      audit: logsAudit,
      request: { query: logQuerySchema },
      response: {
        description: 'the log lines',
        contentType: 'text/plain',
        errors: { 503: 'the cluster cannot be reached' },
      },
      handler: async ({ resource, query, audit, res }) => {
        const logs = await openLogs(resource, query, audit, false);
        try {
          await audit.success();
        } catch (error) {
          // the stream is open: an audit that fails must not leave it (and the apiserver's) open
          logs.close();
          throw error;
        }
        res.status(200).type('text/plain; charset=utf-8');
        if (query.download) {
          res.attachment(
            logFileName(query.pod, logs.container, query.previous),
          );
        }
        res.on('close', logs.close);
        logs.stream.pipe(res);
        return ANSWERED;
      },
    }),
    serviceRoute({
      method: 'get',
      path: `${SERVICE_PATH}/containers/logs/follow`,
      summary:
        "A container's log lines as they come (Server-Sent Events: open, lines, end)",
      access: 'read',
      permission: containerLogsReadPermission,
      audit: logsAudit,
      request: { query: logQuerySchema },
      response: {
        description: 'the stream of log lines',
        contentType: 'text/event-stream',
        errors: {
          429: 'the caller, or the whole portal, follows as many logs as it may; the message says how many',
          503: 'the cluster cannot be reached',
        },
      },
      handler: async ({ resource, query, audit, res, credentials }) => {
        const grant = await followLimiter.acquire(principalKey(credentials));
        if ('refusal' in grant) {
          audit.meta.follow = true;
          throw new TooManyRequestsError(grant.refusal);
        }
        return followLogs(res, {
          release: () => {
            grant.release();
          },
          open: () => openLogs(resource, query, audit, true),
          audit,
          cluster: query.cluster,
        });
      },
    }),
    serviceRoute({
      method: 'get',
      path: `${SERVICE_PATH}/events`,
      summary: 'The Kubernetes events of a pod or a Deployment, newest first',
      access: 'read',
      permission: serviceReadPermission,
      request: { query: eventsQuerySchema },
      response: {
        description: 'the events',
        schema: eventListSchema,
        errors: { 503: 'the cluster cannot be reached' },
      },
      handler: async ({ resource, query }) => {
        const kubernetesId = resource.binding.idIn(
          query.cluster,
          query.namespace,
        );
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
        return { cluster: query.cluster, items };
      },
    }),
    serviceRoute({
      method: 'get',
      path: `${SERVICE_PATH}/containers/metrics`,
      summary: "A container's CPU, memory and its pod's network over time",
      access: 'read',
      permission: serviceReadPermission,
      request: { query: metricsQuerySchema },
      response: {
        description: 'the series',
        schema: containerMetricsSchema,
        errors: { 503: 'no Prometheus is configured, or it cannot be reached' },
      },
      handler: async ({ resource, query }) => {
        const kubernetesId = resource.binding.idIn(
          query.cluster,
          query.namespace,
        );
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
        return containerUsage(options.prometheus, {
          cluster: query.cluster,
          namespace: query.namespace,
          pod: query.pod,
          container: query.container,
          start: end - query.minutes * 60,
          end,
          step: query.step,
        });
      },
    }),
  ];

  /**
   * Streams an open follow as Server-Sent Events. The slot is freed and the apiserver stream
   * closed whenever the browser leaves, the stream ends, or anything fails before streaming.
   */
  async function followLogs(
    res: express.Response,
    follow: {
      release: () => void;
      open: () => ReturnType<typeof openLogs>;
      audit: RouteAudit;
      cluster: string;
    },
  ): Promise<typeof ANSWERED> {
    const { release } = follow;
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
      logs = await follow.open();
    } catch (error) {
      release();
      throw error;
    }
    const opened = logs;
    // from here the apiserver stream is open: whatever throws before it is handed to the
    // response (the audit call included), it is closed and the slot freed, in `finally`
    let streaming = false;
    try {
      await follow.audit.success();
      if (closed) return ANSWERED;
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
          cluster: follow.cluster,
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
    const heartbeat = setInterval(() => send(': keep-alive\n\n'), heartbeatMs);
    cleanup = () => {
      clearInterval(heartbeat);
      opened.close();
      release();
    };
    return ANSWERED;
  }
}
