import { createApiRef } from '@backstage/frontend-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  AlertMetric,
  AlertRuleDelivery,
  AlertRuleDiff,
  AlertRuleInput,
  AlertRuleList,
  AlertRuleSet,
  AlertRulesQuery,
  AlertRuleVersion,
  AlertRuleVersionSummary,
} from '@internal/plugin-container-cloud-common';
import { BackendApis, fetchJson } from '@internal/plugin-container-cloud-react';

/** The rules part of the alerts backend, as the pages use it. */
export interface RulesApi {
  ruleSet(entity: CompoundEntityRef): Promise<AlertRuleSet>;
  /** where each Prometheus stands, read back from it now */
  delivery(entity: CompoundEntityRef): Promise<AlertRuleDelivery[]>;
  metrics(): Promise<AlertMetric[]>;
  createRule(
    entity: CompoundEntityRef,
    baseVersion: number,
    rule: AlertRuleInput,
  ): Promise<AlertRuleSet>;
  updateRule(
    entity: CompoundEntityRef,
    ruleId: string,
    baseVersion: number,
    rule: AlertRuleInput,
  ): Promise<AlertRuleSet>;
  deleteRule(
    entity: CompoundEntityRef,
    ruleId: string,
    baseVersion: number,
  ): Promise<AlertRuleSet>;
  versions(entity: CompoundEntityRef): Promise<AlertRuleVersionSummary[]>;
  version(
    entity: CompoundEntityRef,
    version: number,
  ): Promise<AlertRuleVersion>;
  diff(
    entity: CompoundEntityRef,
    from: number,
    to: number,
  ): Promise<AlertRuleDiff>;
  rollback(
    entity: CompoundEntityRef,
    version: number,
    baseVersion: number,
  ): Promise<AlertRuleSet>;
  /** every service's rules (ops admins) */
  allRules(query: AlertRulesQuery): Promise<AlertRuleList>;
}

/** @public */
export const rulesApiRef = createApiRef<RulesApi>({
  id: 'plugin.alerts.rules',
});

const rulesPath = (entity: CompoundEntityRef, rest = '') =>
  `/services/${encodeURIComponent(entity.namespace)}/${encodeURIComponent(
    entity.name,
  )}/rules${rest}`;

/** The rules API over HTTP (plugins/alerts-backend). */
export class RulesClient implements RulesApi {
  constructor(private readonly deps: BackendApis) {}

  private call<T>(path: string, request?: Parameters<typeof fetchJson>[3]) {
    return fetchJson<T>(this.deps, 'alerts', path, request);
  }

  ruleSet(entity: CompoundEntityRef) {
    return this.call<AlertRuleSet>(rulesPath(entity));
  }

  async delivery(entity: CompoundEntityRef) {
    return (
      await this.call<{ items: AlertRuleDelivery[] }>(
        rulesPath(entity, '/delivery'),
      )
    ).items;
  }

  async metrics() {
    return (await this.call<{ items: AlertMetric[] }>('/metrics')).items;
  }

  createRule(
    entity: CompoundEntityRef,
    baseVersion: number,
    rule: AlertRuleInput,
  ) {
    return this.call<AlertRuleSet>(rulesPath(entity), {
      method: 'POST',
      body: { baseVersion, rule },
    });
  }

  updateRule(
    entity: CompoundEntityRef,
    ruleId: string,
    baseVersion: number,
    rule: AlertRuleInput,
  ) {
    return this.call<AlertRuleSet>(
      rulesPath(entity, `/${encodeURIComponent(ruleId)}`),
      { method: 'PUT', body: { baseVersion, rule } },
    );
  }

  deleteRule(entity: CompoundEntityRef, ruleId: string, baseVersion: number) {
    return this.call<AlertRuleSet>(
      rulesPath(entity, `/${encodeURIComponent(ruleId)}`),
      { method: 'DELETE', query: { baseVersion } },
    );
  }

  async versions(entity: CompoundEntityRef) {
    return (
      await this.call<{ items: AlertRuleVersionSummary[] }>(
        rulesPath(entity, '/versions'),
      )
    ).items;
  }

  version(entity: CompoundEntityRef, version: number) {
    return this.call<AlertRuleVersion>(
      rulesPath(entity, `/versions/${version}`),
    );
  }

  diff(entity: CompoundEntityRef, from: number, to: number) {
    return this.call<AlertRuleDiff>(rulesPath(entity, '/diff'), {
      query: { from, to },
    });
  }

  rollback(entity: CompoundEntityRef, version: number, baseVersion: number) {
    return this.call<AlertRuleSet>(rulesPath(entity, '/rollback'), {
      method: 'POST',
      body: { version, baseVersion },
    });
  }

  allRules(query: AlertRulesQuery) {
    return this.call<AlertRuleList>('/rules', {
      query: query as Record<string, string | number | undefined>,
    });
  }
}

/**
 * The problems of a refused rule by field (`rule.threshold: ...; rule.labels.team: ...` in the
 * backend's 400), for the form to show each under its field; `''` holds what names no field.
 */
export function fieldErrors(message: string): Record<string, string> {
  const errors: Record<string, string> = {};
  const text = message.replace(/^invalid rule:\s*/, '');
  for (const part of text.split(/;\s+(?=rule\.)/)) {
    const match = /^rule\.([a-zA-Z]+)(?:\.[^:]*)?:\s*([\s\S]*)$/.exec(part);
    if (match) {
      errors[match[1]] = errors[match[1]]
        ? `${errors[match[1]]}; ${match[2]}`
        : match[2];
    } else {
      errors[''] = errors[''] ? `${errors['']}; ${part}` : part;
    }
  }
  return errors;
}
