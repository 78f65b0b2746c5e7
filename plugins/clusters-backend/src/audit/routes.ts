import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import {
  auditEventPageSchema,
  auditFacetsSchema,
  auditSearchPermission,
  auditSearchQuerySchema,
  entityAuditParamsSchema,
  entityAuditQuerySchema,
  entityAuditReadPermission,
} from '@internal/plugin-container-cloud-common';
import {
  defineRoute,
  parseInput,
  RouteGroup,
  RouteSpec,
} from '@internal/plugin-container-cloud-node';
import type { Request } from 'express';
import type { ClustersDeps } from '../deps';
import { AuditStore } from './AuditStore';
import {
  auditRetentionDays,
  scheduleAuditRetention,
  subscribeAuditStore,
} from './auditLog';

/** The catalog entity whose trail a route reads (`/audit/entities/:kind/:namespace/:name`). */
export interface AuditedEntity {
  entityRef: string;
}

const route = defineRoute<AuditedEntity>();
const ENTITY_PATH = '/audit/entities/:kind/:namespace/:name';

const dateOf = (value: string | undefined) =>
  value === undefined ? undefined : new Date(value);

/**
 * The audit log's routes: the whole log for ops, one entity's trail for its owners. Reads only:
 * no route changes or deletes an event.
 */
export function auditRouteTable(store: AuditStore): RouteSpec<AuditedEntity>[] {
  return [
    route({
      method: 'get',
      path: '/audit/events',
      summary: 'Search the audit log, newest first',
      description:
        'Filters by actor, entity, action (eventId), outcome, plugin, cluster and time range; `nextCursor` pages on.',
      access: 'read',
      usersOnly: true,
      resource: false,
      permission: auditSearchPermission,
      refusal: () => 'you may not search the audit log: only ops admins may',
      request: { query: auditSearchQuerySchema, names: { query: 'search' } },
      response: {
        description: 'a page of events',
        schema: auditEventPageSchema,
      },
      handler: async ({ query }) =>
        store.search({
          actor: query.actor,
          entityRef: query.entityRef,
          eventId: query.eventId,
          outcome: query.outcome,
          plugin: query.plugin,
          cluster: query.cluster,
          from: dateOf(query.from),
          to: dateOf(query.to),
          before: query.cursor,
          limit: query.limit,
        }),
    }),
    route({
      method: 'get',
      path: '/audit/facets',
      summary: 'The plugins and actions the audit log holds',
      access: 'read',
      usersOnly: true,
      resource: false,
      permission: auditSearchPermission,
      refusal: () => 'you may not search the audit log: only ops admins may',
      response: { description: 'the choices', schema: auditFacetsSchema },
      handler: async () => store.facets(),
    }),
    route({
      method: 'get',
      path: ENTITY_PATH,
      summary: "One catalog entity's audit trail, newest first",
      access: 'read',
      usersOnly: true,
      permission: entityAuditReadPermission,
      refusal: (_permission, _entity, entityRef) =>
        `you may not read the audit trail of ${entityRef}: only its owners and ops admins may`,
      request: {
        params: entityAuditParamsSchema,
        query: entityAuditQuerySchema,
        names: { params: 'entity', query: 'search' },
      },
      response: {
        description: 'a page of events',
        schema: auditEventPageSchema,
      },
      handler: async ({ resource, query }) =>
        store.search({
          entityRef: resource.entityRef,
          eventId: query.eventId,
          outcome: query.outcome,
          from: dateOf(query.from),
          to: dateOf(query.to),
          before: query.cursor,
          limit: query.limit,
        }),
    }),
  ];
}

/**
 * The audit log part of the clusters plugin: the store fed from the events bus, its retention
 * task, and its routes.
 */
export async function auditRoutes(deps: ClustersDeps): Promise<RouteGroup> {
  const store = new AuditStore(deps.knex);
  await subscribeAuditStore({
    events: deps.events,
    store,
    logger: deps.logger,
  });
  await scheduleAuditRetention({
    scheduler: deps.scheduler,
    store,
    logger: deps.logger,
    retentionDays: auditRetentionDays(deps.config),
  });
  return {
    routes: auditRouteTable(store),
    /** the entity, read with the caller's own rights: one they may not see is a 404 */
    async lookup(req: Request, credentials: BackstageCredentials) {
      const params = parseInput(entityAuditParamsSchema, req.params, 'entity');
      const entityRef = stringifyEntityRef(params);
      const entity = await deps.catalog.getEntityByRef(entityRef, {
        credentials,
      });
      if (!entity)
        throw new NotFoundError(`no entity ${entityRef} in the catalog`);
      return { entityRef: stringifyEntityRef(entity) };
    },
    resourceRef: entity => entity.entityRef,
  };
}
