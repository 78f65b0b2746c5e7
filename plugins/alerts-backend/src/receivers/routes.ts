import type express from 'express';
import type {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { z } from 'zod';
import {
  alertAdminQuerySchema,
  alertListSchema,
  alertReceiversAdminPermission,
  alertsReadAllPermission,
  alertSilencePermission,
  receiverChangeResultSchema,
  receiverCreateSchema,
  receiverDeleteQuerySchema,
  receiverHistorySchema,
  receiverListSchema,
  receiverParamsSchema,
  receiverUpdateSchema,
  receiverViewSchema,
  silenceCreateSchema,
  silenceListSchema,
  silenceParamsSchema,
  silenceViewSchema,
  alertmanagerConfigStatusSchema,
} from '@internal/plugin-container-cloud-common';
import {
  AuditMeta,
  defineRoute,
  RouteGroup,
  RoutePermission,
  RouteSpec,
  SecretBox,
  serviceEntityOf,
} from '@internal/plugin-container-cloud-node';
import type { AlertsDeps } from '../deps';
import { AlertmanagerClient } from './AlertmanagerClient';
import { AlertReader } from './AlertReader';
import { AlertSignals } from './AlertSignals';
import { ReceiverService } from './ReceiverService';
import { RECEIVER_KEY_CONFIG, ReceiverStore } from './ReceiverStore';
import { readReceiverSettings } from './settings';
import { SilenceService } from './SilenceService';

/** The service an alerts route is about (none on the admin and receiver routes). */
export interface AlertedService {
  entityRef: string;
  entity: Entity;
}

export type AlertRoute = RouteSpec<AlertedService>;
const route = defineRoute<AlertedService>();

const SERVICE_PATH = '/services/:namespace/:name';
const RECEIVER_PATH = '/receivers/:receiver';

const serviceParamsSchema = z.object({
  namespace: z.string(),
  name: z.string(),
});

const receiverNamesSchema = z.object({ items: z.array(z.string()) });

/** What the routes are built from. */
export interface AlertRouteParts {
  receivers: ReceiverService;
  reader: AlertReader;
  silences: SilenceService;
  /** the owners of these entities (read with the caller's rights), for the admin list */
  owners(
    entityRefs: string[],
    credentials: BackstageCredentials,
  ): Promise<Map<string, string>>;
}

function actorOf(credentials: BackstageCredentials): string {
  return (
    (credentials.principal as { userEntityRef?: string }).userEntityRef ??
    'unknown'
  );
}

function normalizeOwner(ref: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    );
  } catch {
    return ref;
  }
}

/** What an audit event keeps of a receiver request: everything but its secrets. */
export function auditedReceiverRequest(input: unknown): AuditMeta | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const copy = JSON.parse(JSON.stringify(input)) as Record<string, any>;
  const strip = (part: string, keys: string[]) => {
    const value = copy[part];
    if (!value || typeof value !== 'object') return;
    for (const key of keys) {
      if (key in value) value[key] = '(secret)';
    }
  };
  strip('email', ['authPassword']);
  strip('webhook', ['bearerToken']);
  strip('im', ['url']);
  return copy;
}

const OPS = 'only ops admins may';

/** The routes of receivers, alerts and silences, as data. */
export function alertRouteTable(parts: AlertRouteParts): AlertRoute[] {
  const { receivers, reader, silences } = parts;
  const receiverParams = {
    params: receiverParamsSchema,
    names: { params: 'receiver' },
  };
  return [
    route({
      method: 'get',
      path: `${SERVICE_PATH}/alerts`,
      summary:
        "A service's firing and pending alerts, from Alertmanager and every Prometheus",
      description:
        'A source that did not answer is listed in `sources` as unreachable: the alerts it holds are unknown, not zero.',
      access: 'read',
      request: { params: serviceParamsSchema },
      response: { description: 'its alerts', schema: alertListSchema },
      handler: async ({ resource }) => {
        const { alerts, sources } = await reader.read(resource.entityRef);
        return { items: alerts, total: alerts.length, sources };
      },
    }),
    route({
      method: 'get',
      path: `${SERVICE_PATH}/silences`,
      summary: "A service's silences (active, pending and expired)",
      access: 'read',
      request: { params: serviceParamsSchema },
      response: { description: 'its silences', schema: silenceListSchema },
      handler: async ({ resource }) => silences.list(resource.entityRef),
    }),
    route({
      method: 'post',
      path: `${SERVICE_PATH}/silences`,
      summary:
        "Silence a service's alerts for a while, with a reason (always limited to the service's own alerts)",
      access: 'operate',
      permission: alertSilencePermission,
      audit: { eventId: 'alerts-silence-create' },
      request: {
        params: serviceParamsSchema,
        body: silenceCreateSchema,
        names: { body: 'silence' },
      },
      response: {
        status: 201,
        description: 'the silence',
        schema: silenceViewSchema,
        errors: { 503: 'Alertmanager did not answer' },
      },
      handler: async ({ resource, body, credentials, audit }) => {
        const silence = await silences.create(
          resource.entityRef,
          body,
          actorOf(credentials),
        );
        audit.meta.silence = silence.id;
        return silence;
      },
    }),
    route({
      method: 'delete',
      path: `${SERVICE_PATH}/silences/:silence`,
      summary: 'Expire one of the service’s silences',
      access: 'operate',
      permission: alertSilencePermission,
      audit: { eventId: 'alerts-silence-expire' },
      request: { params: silenceParamsSchema, names: { params: 'silence' } },
      response: {
        description: 'the silence, expired',
        schema: silenceViewSchema,
        errors: { 503: 'Alertmanager did not answer' },
      },
      handler: async ({ resource, params }) =>
        silences.expire(resource.entityRef, params.silence),
    }),
    route({
      method: 'get',
      path: '/alerts',
      summary:
        'Every alert of every service (ops), filtered by severity, team, cluster and state, a page at a time',
      access: 'read',
      resource: false,
      permission: alertsReadAllPermission,
      refusal: () => `you may not see every alert: ${OPS}`,
      request: { query: alertAdminQuerySchema, names: { query: 'query' } },
      response: { description: 'a page of alerts', schema: alertListSchema },
      handler: async ({ query, credentials }) => {
        const { alerts, sources } = await reader.read();
        const owners = await parts.owners(
          [...new Set(alerts.flatMap(a => (a.entityRef ? [a.entityRef] : [])))],
          credentials,
        );
        const team = query.team ? normalizeOwner(query.team) : undefined;
        const matching = alerts
          .map(a => ({
            ...a,
            owner: a.entityRef ? owners.get(a.entityRef) : undefined,
          }))
          .filter(
            a =>
              (!query.severity || a.severity === query.severity) &&
              (!query.cluster || a.cluster === query.cluster) &&
              (!query.state || a.state === query.state) &&
              (!team || a.owner === team),
          );
        return {
          items: matching.slice(query.offset, query.offset + query.limit),
          total: matching.length,
          sources,
        };
      },
    }),
    route({
      method: 'get',
      path: '/receiver-names',
      summary: 'The names of the receivers, for a rule to send its alerts to',
      access: 'read',
      resource: false,
      response: { description: 'the names', schema: receiverNamesSchema },
      handler: async () => ({
        items: (await receivers.list()).items.map(r => r.name),
      }),
    }),
    route({
      method: 'get',
      path: '/receivers',
      summary:
        'The receivers (secrets never shown), and whether Alertmanager runs their configuration',
      access: 'read',
      resource: false,
      permission: alertReceiversAdminPermission,
      refusal: () => `you may not manage receivers: ${OPS}`,
      response: { description: 'the receivers', schema: receiverListSchema },
      handler: async () => receivers.list(),
    }),
    route({
      method: 'post',
      path: '/receivers',
      summary:
        'Create a receiver: checked by amtool with every other receiver, written, Alertmanager reloaded',
      description:
        'A configuration amtool refuses is a 400 naming the field, and nothing is saved or written.',
      access: 'operate',
      resource: false,
      permission: alertReceiversAdminPermission,
      refusal: () => `you may not manage receivers: ${OPS}`,
      audit: { eventId: 'alerts-receiver-create' },
      request: { body: receiverCreateSchema, names: { body: 'receiver' } },
      response: {
        status: 201,
        description: 'the receiver, and what Alertmanager runs',
        schema: receiverChangeResultSchema,
        errors: {
          409: 'a receiver of that name exists',
          503: 'receivers are not managed here (no configFile)',
        },
      },
      handler: async ({ body, credentials, audit }) => {
        const result = await receivers.create(body, actorOf(credentials));
        audit.meta.configVersion = result.alertmanager.version;
        return result;
      },
    }),
    route({
      method: 'get',
      path: RECEIVER_PATH,
      summary: 'One receiver (secrets never shown)',
      access: 'read',
      resource: false,
      permission: alertReceiversAdminPermission,
      refusal: () => `you may not manage receivers: ${OPS}`,
      request: receiverParams,
      response: { description: 'the receiver', schema: receiverViewSchema },
      handler: async ({ params }) => receivers.get(params.receiver),
    }),
    route({
      method: 'put',
      path: RECEIVER_PATH,
      summary:
        'Change a receiver, from the version the editor loaded (secrets left out are kept)',
      access: 'operate',
      resource: false,
      permission: alertReceiversAdminPermission,
      refusal: () => `you may not manage receivers: ${OPS}`,
      audit: { eventId: 'alerts-receiver-update' },
      request: {
        ...receiverParams,
        body: receiverUpdateSchema,
        names: { ...receiverParams.names, body: 'receiver' },
      },
      response: {
        description: 'the receiver, and what Alertmanager runs',
        schema: receiverChangeResultSchema,
        errors: {
          409: 'the receiver changed since it was loaded (`current`: as it is now)',
          503: 'receivers are not managed here (no configFile)',
        },
      },
      handler: async ({ params, body, credentials, audit }) => {
        const result = await receivers.update(
          params.receiver,
          body,
          actorOf(credentials),
        );
        audit.meta.configVersion = result.alertmanager.version;
        return result;
      },
    }),
    route({
      method: 'delete',
      path: RECEIVER_PATH,
      summary:
        'Delete a receiver (rules that name it then send to the others), from the version the editor loaded',
      access: 'operate',
      resource: false,
      permission: alertReceiversAdminPermission,
      refusal: () => `you may not manage receivers: ${OPS}`,
      audit: { eventId: 'alerts-receiver-delete' },
      request: {
        ...receiverParams,
        query: receiverDeleteQuerySchema,
        names: { ...receiverParams.names, query: 'query' },
      },
      response: {
        description: 'what Alertmanager runs',
        schema: receiverChangeResultSchema,
        errors: {
          409: 'the receiver changed since it was loaded (`current`: as it is now)',
        },
      },
      handler: async ({ params, query, credentials, audit }) => {
        const result = await receivers.remove(
          params.receiver,
          query.version,
          actorOf(credentials),
        );
        audit.meta.configVersion = result.alertmanager.version;
        return result;
      },
    }),
    route({
      method: 'get',
      path: `${RECEIVER_PATH}/history`,
      summary:
        'Who changed a receiver, when, and to which configuration version',
      access: 'read',
      resource: false,
      permission: alertReceiversAdminPermission,
      refusal: () => `you may not manage receivers: ${OPS}`,
      request: receiverParams,
      response: { description: 'its changes', schema: receiverHistorySchema },
      handler: async ({ params }) => ({
        items: await receivers.history(params.receiver),
      }),
    }),
    route({
      method: 'post',
      path: '/receivers/deliver',
      summary:
        "Write the database's Alertmanager configuration again and reload Alertmanager",
      access: 'operate',
      resource: false,
      permission: alertReceiversAdminPermission,
      refusal: () => `you may not manage receivers: ${OPS}`,
      audit: { eventId: 'alerts-receivers-deliver' },
      response: {
        description: 'what Alertmanager runs',
        schema: alertmanagerConfigStatusSchema,
        errors: { 503: 'receivers are not managed here (no configFile)' },
      },
      handler: async ({ audit }) => {
        const status = await receivers.deliver({ force: true });
        audit.meta.configVersion = status.version;
        return status;
      },
    }),
  ];
}

/** The service behind `/services/:namespace/:name/...`, read with the caller's own rights. */
function lookupService(deps: AlertsDeps) {
  return async (
    req: express.Request,
    credentials: BackstageCredentials,
  ): Promise<AlertedService> => {
    const { entityRef, entity } = await serviceEntityOf(
      deps.catalog,
      req.params,
      credentials,
    );
    return { entityRef, entity };
  };
}

/** The parts of the receivers and alerts API, from the plugin's services. */
export function alertRouteParts(deps: AlertsDeps) {
  const settings = readReceiverSettings(deps.config);
  const am = settings.alertmanager;
  const client = am ? new AlertmanagerClient(am.url, am.timeoutMs) : undefined;
  const store = new ReceiverStore(
    deps.knex,
    SecretBox.fromConfig(deps.config, RECEIVER_KEY_CONFIG),
  );
  const receivers = new ReceiverService(
    store,
    am,
    deps.logger.child({ part: 'receivers' }),
  );
  const reader = new AlertReader(
    client,
    settings.prometheus,
    am?.timeoutMs ?? 10_000,
  );
  const parts: AlertRouteParts = {
    receivers,
    reader,
    silences: new SilenceService(client),
    async owners(entityRefs, credentials) {
      const owners = new Map<string, string>();
      if (entityRefs.length === 0) return owners;
      const { items } = await deps.catalog.getEntitiesByRefs(
        {
          entityRefs,
          fields: ['kind', 'metadata.name', 'metadata.namespace', 'spec.owner'],
        },
        { credentials },
      );
      items.forEach((entity, i) => {
        const owner = (entity?.spec as { owner?: unknown } | undefined)?.owner;
        if (typeof owner === 'string') {
          owners.set(entityRefs[i], normalizeOwner(owner));
        }
      });
      return owners;
    },
  };
  return { settings, parts, store };
}

/**
 * Encrypts the secrets of receivers saved before they were encrypted; says which receivers still
 * hold plain secrets when no key is configured.
 */
async function sealPlainSecrets(store: ReceiverStore, logger: LoggerService) {
  const { sealed, plain } = await store.sealPlainSecrets();
  if (sealed.length) {
    logger.info(`encrypted the secrets of receivers ${sealed.join(', ')}`);
  }
  if (plain.length) {
    logger.warn(
      `receivers ${plain.join(
        ', ',
      )} hold secrets in plain text: set ${RECEIVER_KEY_CONFIG} to encrypt them`,
    );
  }
}

/** The receivers part of the alerts API: receivers (Alertmanager's configuration), firing and pending alerts, and silences. */
export async function alertRoutes(deps: AlertsDeps): Promise<RouteGroup> {
  const { settings, parts, store } = alertRouteParts(deps);
  const am = settings.alertmanager;
  const logger = deps.logger.child({ part: 'receivers' });
  await sealPlainSecrets(store, logger);
  if (am?.configFile) {
    // the file follows the database on every replica's watch: one replica at a time
    await deps.scheduler.scheduleTask({
      id: 'alerts-alertmanager-config-sync',
      frequency: { seconds: am.syncIntervalSeconds },
      timeout: { minutes: 2 },
      initialDelay: { seconds: 5 },
      fn: async () => {
        // rows a replica without the key (or an older version) saved are encrypted here
        await sealPlainSecrets(store, logger);
        await parts.receivers.deliver({ force: false });
      },
    });
  }
  if (am) {
    const signals = new AlertSignals(
      parts.reader,
      deps.signals,
      deps.logger.child({ part: 'alert-signals' }),
    );
    await deps.scheduler.scheduleTask({
      id: 'alerts-signal-poller',
      frequency: { seconds: am.pollIntervalSeconds },
      timeout: { minutes: 1 },
      initialDelay: { seconds: 5 },
      fn: async () => {
        await signals.poll();
      },
    });
  }
  return {
    routes: alertRouteTable(parts),
    lookup: lookupService(deps),
    resourceRef: service => service.entityRef,
    auditMeta: service => ({ entityRef: service.entityRef }),
    auditedRequest: auditedReceiverRequest,
    auditContext: req => {
      const params = req.params as Record<string, string | undefined>;
      const context: AuditMeta = {};
      if (params.receiver) context.receiver = params.receiver.slice(0, 63);
      if (params.silence) context.silence = params.silence.slice(0, 64);
      return context;
    },
    refusal: (permission: RoutePermission, entityRef?: string) =>
      `you may not ${permission.name.replace(
        'container-cloud.alerts.',
        '',
      )} alerts of ${entityRef}: only its owners and ops admins may`,
  };
}
