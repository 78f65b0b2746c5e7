import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
  LoggerService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { auditorServiceFactory } from '@backstage/backend-defaults/auditor';
import {
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import express from 'express';
import request from 'supertest';
import { AUDIT_TOPIC, AuditRecord } from './auditRecord';
import { containerCloudAuditorServiceFactory } from './containerCloudAuditorServiceFactory';

interface LogLine {
  fields: object;
  level: string;
  message: string;
  meta: unknown;
}

/** A logger that keeps every line with the fields of its children, for comparing outputs. */
function capturingLogger(lines: LogLine[]) {
  const make = (fields: object): LoggerService => {
    const at =
      (level: string) =>
      (message: string, meta?: unknown): void => {
        lines.push({
          fields,
          level,
          message,
          meta:
            meta instanceof Error
              ? { error: meta.message }
              : JSON.parse(JSON.stringify(meta ?? null)),
        });
      };
    return {
      child: (more: object) => make({ ...fields, ...more }),
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
    };
  };
  return createServiceFactory({
    service: coreServices.logger,
    deps: { plugin: coreServices.pluginMetadata },
    factory: ({ plugin }) => make({ plugin: plugin.getId() }),
  });
}

/** A plugin whose one route records an audit event, succeeding or failing as asked. */
function auditingPlugin(pluginId: string) {
  return createBackendPlugin({
    pluginId,
    register(env) {
      env.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          auditor: coreServices.auditor,
        },
        async init({ httpRouter, auditor }) {
          const router = express.Router();
          router.post('/act', async (req, res) => {
            const event = await auditor.createEvent({
              eventId: 'thing-act',
              severityLevel: 'medium',
              request: req,
              meta: {
                entityRef: 'component:default/Shop',
                request: {
                  cluster: 'local-a',
                  namespace: 'shop-ns',
                  password: 'hunter2',
                },
              },
            });
            if (req.query.fail) {
              await event.fail({ error: new Error('it broke') });
            } else {
              await event.success({ meta: { result: { replicas: 2 } } });
            }
            res.json({});
          });
          httpRouter.use(router);
        },
      });
    },
  });
}

/** Subscribes to the audit topic from another plugin, as the audit log's store does. */
function auditListener(records: AuditRecord[]) {
  return createBackendPlugin({
    pluginId: 'listener',
    register(env) {
      env.registerInit({
        deps: { events: eventsServiceRef },
        async init({ events }) {
          await events.subscribe({
            id: 'audit-test',
            topics: [AUDIT_TOPIC],
            onEvent: async ({ eventPayload }) => {
              records.push(eventPayload as AuditRecord);
            },
          });
        },
      });
    },
  });
}

async function run(
  auditor: ServiceFactory,
  pluginId: string,
  headers: Record<string, string> = {},
) {
  const lines: LogLine[] = [];
  const records: AuditRecord[] = [];
  const backend = await startTestBackend({
    features: [
      auditingPlugin(pluginId),
      auditListener(records),
      auditor,
      capturingLogger(lines),
      eventsServiceFactory,
      mockServices.rootConfig.factory({
        data: { events: { useEventBus: 'never' } },
      }),
    ],
  });
  for (const fail of [false, true]) {
    await request(backend.server)
      .post(`/api/${pluginId}/act${fail ? '?fail=1' : ''}`)
      .set({
        Authorization: mockCredentials.user.header('user:default/alice'),
        ...headers,
      })
      .expect(200);
  }
  await backend.stop();
  return { lines: lines.filter(l => 'isAuditEvent' in l.fields), records };
}

describe('containerCloudAuditorServiceFactory', () => {
  it("writes Backstage's audit output unchanged", async () => {
    const theirs = await run(auditorServiceFactory, 'services');
    const ours = await run(containerCloudAuditorServiceFactory, 'services');
    // initiated, succeeded, initiated, failed: each at the medium severity's level
    expect(theirs.lines.map(l => [l.level, l.message])).toEqual(
      Array(4).fill(['info', 'services.thing-act']),
    );
    expect(JSON.stringify(theirs.lines)).toContain('it broke');
    expect(ours.lines).toEqual(theirs.lines);
  });

  it('publishes each outcome of a suite plugin, with its entity, cluster and namespace, secrets left out', async () => {
    const { records } = await run(
      containerCloudAuditorServiceFactory,
      'services',
      { 'x-request-id': 'req-42' },
    );
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      plugin: 'services',
      eventId: 'thing-act',
      severity: 'medium',
      outcome: 'succeeded',
      actor: 'user:default/alice',
      entityRef: 'component:default/shop',
      cluster: 'local-a',
      namespace: 'shop-ns',
      requestId: 'req-42',
      method: 'POST',
      path: '/api/services/act',
      error: null,
      meta: {
        request: { password: '***', cluster: 'local-a' },
        result: { replicas: 2 },
      },
    });
    expect(JSON.stringify(records)).not.toContain('hunter2');
    expect(records[1]).toMatchObject({
      outcome: 'failed',
      error: 'it broke',
    });
  });

  it('gives each request its own id when none came with it', async () => {
    const { records } = await run(containerCloudAuditorServiceFactory, 'nginx');
    expect(records).toHaveLength(2);
    expect(records[0].requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(records[1].requestId).not.toBe(records[0].requestId);
  });

  it("publishes nothing for a plugin outside containerCloud.audit.plugins (the catalog's reads)", async () => {
    const { records, lines } = await run(
      containerCloudAuditorServiceFactory,
      'catalog',
    );
    expect(lines).toHaveLength(4);
    expect(records).toEqual([]);
  });
});
