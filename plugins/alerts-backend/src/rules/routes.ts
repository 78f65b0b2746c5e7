import type express from 'express';
import type { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  parseEntityRef,
  stringifyEntityRef,
  type Entity,
} from '@backstage/catalog-model';
import { z } from 'zod';
import {
  alertMetricListSchema,
  alertRuleCreateSchema,
  alertRuleDeleteQuerySchema,
  alertRuleDeliverySchema,
  alertRuleDiffQuerySchema,
  alertRuleDiffSchema,
  alertRuleListSchema,
  alertRuleParamsSchema,
  alertRuleRollbackSchema,
  alertRulesAdvancedPermission,
  alertRuleSetSchema,
  alertRulesEditPermission,
  alertRulesQuerySchema,
  alertRuleUpdateSchema,
  alertRuleVersionListSchema,
  alertRuleVersionParamsSchema,
  alertRuleVersionSchema,
  alertServiceParamsSchema,
  alertsReadAllPermission,
  AlertRuleSet,
  serviceReadPermission,
} from '@internal/plugin-container-cloud-common';
import {
  AuditMeta,
  defineRoute,
  RouteGroup,
  RoutePermission,
  RouteSpec,
  ServiceBinding,
  serviceEntityOf,
} from '@internal/plugin-container-cloud-node';
import type { AlertsDeps } from '../deps';
import { readRulesConfig } from './rulesConfig';
import { RuleOwner, RuleService } from './RuleService';
import { RuleStore, StoredRuleSet } from './RuleStore';

/** One route of the rules API; its resource is the service of `/services/:namespace/:name`. */
export type RuleRoute = RouteSpec<RuleOwner>;
const route = defineRoute<RuleOwner>();

/** The path of every route about a service's rules. */
export const RULES_PATH = '/services/:namespace/:name/rules';
const RULE_PATH = `${RULES_PATH}/:rule`;

const EDIT_ERRORS = {
  409: 'the rules changed since they were loaded (body: `current`, the rules as they are now)',
};

function actorOf(credentials: BackstageCredentials): string {
  return (
    (credentials.principal as { userEntityRef?: string }).userEntityRef ??
    'unknown'
  );
}

/** What an audit event records of a change: the version, and where each Prometheus stands. */
function savedMeta(set: AlertRuleSet): AuditMeta {
  return {
    version: set.version,
    rules: set.rules.length,
    delivery: set.delivery.map(
      d => `${d.prometheus}: ${d.state} (${d.message.slice(0, 200)})`,
    ),
  };
}

/** The routes of a service's alert rules and the admin list, as data. */
export function ruleRouteTable(
  service: RuleService,
  store: RuleStore,
): RuleRoute[] {
  const serviceParams = {
    params: alertServiceParamsSchema,
    names: { params: 'service' },
  };
  const ruleParams = {
    params: alertRuleParamsSchema,
    names: { params: 'rule' },
  };
  return [
    route({
      method: 'get',
      path: '/metrics',
      summary:
        'The metrics a rule may watch, and whether each Prometheus has their series',
      access: 'read',
      resource: false,
      response: { description: 'the catalogue', schema: alertMetricListSchema },
      handler: async () => service.metrics(),
    }),
    route({
      method: 'get',
      path: '/rules',
      summary:
        'Every service’s rules (ops admins), by severity, team and cluster, paged',
      access: 'read',
      resource: false,
      permission: alertsReadAllPermission,
      refusal: () =>
        'you may not list every service’s alert rules: only ops admins may',
      request: { query: alertRulesQuerySchema, names: { query: 'query' } },
      response: { description: 'a page of rules', schema: alertRuleListSchema },
      handler: async ({ query }) => store.listRules(query),
    }),
    route({
      method: 'get',
      path: RULES_PATH,
      summary:
        'A service’s alert rules, their version, what they watch and where each Prometheus stands',
      access: 'read',
      permission: serviceReadPermission,
      request: serviceParams,
      response: { description: 'the rules', schema: alertRuleSetSchema },
      handler: async ({ resource }) => service.view(resource),
    }),
    route({
      method: 'get',
      path: `${RULES_PATH}/delivery`,
      summary:
        'Where each Prometheus stands with the service’s rules, read back from its rules API now',
      access: 'read',
      permission: serviceReadPermission,
      request: serviceParams,
      response: {
        description: 'per Prometheus',
        schema: z.object({ items: z.array(alertRuleDeliverySchema) }),
      },
      handler: async ({ resource }) => ({
        items: await service.refreshDelivery(resource),
      }),
    }),
    route({
      method: 'post',
      path: RULES_PATH,
      summary:
        'Add a rule: checked, rendered, checked by promtool, saved as a new version and delivered to every Prometheus',
      description:
        'The body carries the version the editor loaded (0 before the first rule). A rule promtool refuses is a 400 naming the field, and nothing is saved or written. PromQL (metric `promql`) and the Nginx metrics need container-cloud.alerts.rules.advanced (ops admins).',
      access: 'operate',
      permission: alertRulesEditPermission,
      ask: [alertRulesAdvancedPermission],
      audit: { eventId: 'alert-rule-create' },
      request: {
        ...serviceParams,
        body: alertRuleCreateSchema,
        names: { ...serviceParams.names, body: 'rule' },
      },
      response: {
        status: 201,
        description: 'the rules, with the new one, and their delivery',
        schema: alertRuleSetSchema,
        errors: EDIT_ERRORS,
      },
      handler: async ({ resource, credentials, body, asked, audit }) => {
        const result = await service.create(
          resource,
          actorOf(credentials),
          body,
          {
            advanced: asked[0],
          },
        );
        Object.assign(audit.meta, savedMeta(result));
        return result;
      },
    }),
    route({
      method: 'put',
      path: RULE_PATH,
      summary:
        'Change a rule (a new version), on the version the editor loaded',
      access: 'operate',
      permission: alertRulesEditPermission,
      ask: [alertRulesAdvancedPermission],
      audit: { eventId: 'alert-rule-update' },
      request: {
        ...ruleParams,
        body: alertRuleUpdateSchema,
        names: { ...ruleParams.names, body: 'rule' },
      },
      response: {
        description: 'the rules and their delivery',
        schema: alertRuleSetSchema,
        errors: EDIT_ERRORS,
      },
      handler: async ({
        resource,
        credentials,
        params,
        body,
        asked,
        audit,
      }) => {
        const result = await service.update(
          resource,
          actorOf(credentials),
          params.rule,
          body,
          { advanced: asked[0] },
        );
        Object.assign(audit.meta, savedMeta(result));
        return result;
      },
    }),
    route({
      method: 'delete',
      path: RULE_PATH,
      summary:
        'Delete a rule (a new version), on the version the editor loaded',
      access: 'operate',
      permission: alertRulesEditPermission,
      ask: [alertRulesAdvancedPermission],
      audit: { eventId: 'alert-rule-delete' },
      request: {
        ...ruleParams,
        query: alertRuleDeleteQuerySchema,
        names: { ...ruleParams.names, query: 'query' },
      },
      response: {
        description: 'the rules left and their delivery',
        schema: alertRuleSetSchema,
        errors: EDIT_ERRORS,
      },
      handler: async ({
        resource,
        credentials,
        params,
        query,
        asked,
        audit,
      }) => {
        const result = await service.remove(
          resource,
          actorOf(credentials),
          params.rule,
          query.baseVersion,
          { advanced: asked[0] },
        );
        Object.assign(audit.meta, savedMeta(result));
        return result;
      },
    }),
    route({
      method: 'get',
      path: `${RULES_PATH}/versions`,
      summary:
        'The versions of a service’s rules, newest first (who, when, why)',
      access: 'read',
      permission: serviceReadPermission,
      request: serviceParams,
      response: {
        description: 'the versions',
        schema: alertRuleVersionListSchema,
      },
      handler: async ({ resource }) => service.versions(resource),
    }),
    route({
      method: 'get',
      path: `${RULES_PATH}/versions/:version`,
      summary: 'One version of a service’s rules',
      access: 'read',
      permission: serviceReadPermission,
      request: {
        params: alertRuleVersionParamsSchema,
        names: { params: 'version' },
      },
      response: { description: 'the version', schema: alertRuleVersionSchema },
      handler: async ({ resource, params }) =>
        service.version(resource, params.version),
    }),
    route({
      method: 'get',
      path: `${RULES_PATH}/diff`,
      summary: 'What changed in a service’s rules from one version to another',
      access: 'read',
      permission: serviceReadPermission,
      request: {
        ...serviceParams,
        query: alertRuleDiffQuerySchema,
        names: { ...serviceParams.names, query: 'query' },
      },
      response: { description: 'line by line', schema: alertRuleDiffSchema },
      handler: async ({ resource, query }) =>
        service.diff(resource, query.from, query.to),
    }),
    route({
      method: 'post',
      path: `${RULES_PATH}/rollback`,
      summary:
        'Make an old version’s rules the current ones (a new version) and deliver them',
      access: 'operate',
      permission: alertRulesEditPermission,
      ask: [alertRulesAdvancedPermission],
      audit: { eventId: 'alert-rule-rollback' },
      request: {
        ...serviceParams,
        body: alertRuleRollbackSchema,
        names: { ...serviceParams.names, body: 'rollback' },
      },
      response: {
        description: 'the rules and their delivery',
        schema: alertRuleSetSchema,
        errors: EDIT_ERRORS,
      },
      handler: async ({ resource, credentials, body, asked, audit }) => {
        const result = await service.rollback(
          resource,
          actorOf(credentials),
          body,
          {
            advanced: asked[0],
          },
        );
        Object.assign(audit.meta, savedMeta(result));
        return result;
      },
    }),
  ];
}

/** The owner ref of an entity (spec.owner, a group unless it says otherwise). */
function ownerOf(entity: Entity): string {
  const owner = (entity.spec as { owner?: unknown } | undefined)?.owner;
  if (typeof owner !== 'string' || owner === '') return 'unknown';
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    );
  } catch {
    return owner;
  }
}

/** The service behind `/services/:namespace/:name/...`, read with the caller's own rights. */
function lookupService(deps: AlertsDeps) {
  return async (
    req: express.Request,
    credentials: BackstageCredentials,
  ): Promise<RuleOwner> => {
    const { entity } = await serviceEntityOf(
      deps.catalog,
      req.params,
      credentials,
    );
    // not the label alone: where the entity comes from, who else claims the id, its placements
    return {
      entityRef: stringifyEntityRef(entity),
      owner: ownerOf(entity),
      binding: await deps.bindings.resolve(entity),
    };
  };
}

/** The bindings of the services that have rules, read as the plugin (the scheduled task). */
function bindingsReader(deps: AlertsDeps) {
  return async (sets: StoredRuleSet[]) => {
    const credentials = await deps.auth.getOwnServiceCredentials();
    const { items } = await deps.catalog.getEntitiesByRefs(
      { entityRefs: sets.map(s => s.entityRef) },
      { credentials },
    );
    const entities = items.filter((e): e is Entity => !!e);
    const bindings = await deps.bindings.resolveMany(entities);
    return new Map<string, ServiceBinding>(bindings.map(b => [b.entityRef, b]));
  };
}

/** The service that backs the routes, from the plugin's parts. */
export function ruleService(deps: AlertsDeps) {
  const config = readRulesConfig(deps.config);
  const store = new RuleStore(deps.knex);
  return {
    config,
    store,
    service: new RuleService(
      store,
      deps.clusters,
      config,
      deps.logger.child({ part: 'alert-rules' }),
    ),
  };
}

/** The rules part of the alerts API: alert rules: their versions, promtool checks and delivery to each Prometheus. */
export async function ruleRoutes(deps: AlertsDeps): Promise<RouteGroup> {
  const { config, store, service } = ruleService(deps);
  const readBindings = bindingsReader(deps);
  await deps.scheduler.scheduleTask({
    id: 'alerts-rules-redelivery',
    frequency: { seconds: config.redeliverySeconds },
    timeout: { minutes: 10 },
    initialDelay: { seconds: 5 },
    fn: async () => {
      const result = await service.redeliver(readBindings);
      if (result.failed > 0) {
        deps.logger.warn(
          `alert rules: ${result.failed} service(s) not delivered to every Prometheus; retried in ${config.redeliverySeconds}s`,
        );
      }
    },
  });
  return {
    routes: ruleRouteTable(service, store),
    lookup: lookupService(deps),
    resourceRef: owner => owner.entityRef,
    auditMeta: owner => ({ entityRef: owner.entityRef }),
    auditContext: req => {
      const rule = (req.params as Record<string, string | undefined>).rule;
      return rule ? { rule: rule.slice(0, 40) } : {};
    },
    refusal: (permission: RoutePermission, entityRef?: string) =>
      `you may not ${permission.name.replace(
        'container-cloud.alerts.',
        '',
      )} of ${entityRef}: only its owners and ops admins may`,
  };
}
