import { createApiRef } from '@backstage/frontend-plugin-api';
import { BackendApis, fetchJson } from '@internal/plugin-container-cloud-react';
import type {
  AdminInstanceList,
  ChartDetail,
  ChartList,
  InstallTargets,
  InstanceAttachResult,
  InstanceBulkResult,
  InstanceDetail,
  InstanceInstall,
  InstanceList,
  InstanceSummary,
  InstanceUpgrade,
} from '@internal/plugin-container-cloud-common';

/** One instance: the Helm release's cluster, namespace and name. @public */
export interface InstanceRef {
  cluster: string;
  namespace: string;
  name: string;
}

/** The list's filters and page. @public */
export interface InstanceQuery {
  owner?: string;
  cluster?: string;
  chart?: string;
  offset?: number;
  limit?: number;
}

/** The admin list's filters: the list's, and live instances expiring within some hours. @public */
export interface AdminInstanceQuery extends InstanceQuery {
  expiringWithinHours?: number;
}

/** The app store backend, as the pages use it. @public */
export interface AppStoreApi {
  /** the catalogue, with the repositories that could not be read */
  charts(): Promise<ChartList>;
  /** one chart version: README, values schema, default values */
  chart(
    repository: string,
    chart: string,
    version: string,
  ): Promise<ChartDetail>;
  /** where the user may install: owner, cluster, namespace */
  targets(): Promise<InstallTargets>;
  /** the user's instances (their entities' and teams') */
  instances(query: InstanceQuery): Promise<InstanceList>;
  install(request: InstanceInstall): Promise<InstanceSummary>;
  instance(ref: InstanceRef): Promise<InstanceDetail>;
  upgrade(ref: InstanceRef, request: InstanceUpgrade): Promise<InstanceSummary>;
  rollback(ref: InstanceRef, revision: number): Promise<InstanceSummary>;
  extend(ref: InstanceRef, days: number): Promise<InstanceSummary>;
  /** the password; every reveal is audited */
  reveal(ref: InstanceRef): Promise<{ password: string }>;
  attach(
    ref: InstanceRef,
    request: { service: string; prefix: string },
  ): Promise<InstanceAttachResult>;
  remove(ref: InstanceRef): Promise<unknown>;
  /** every instance in every cluster (ops) */
  adminInstances(query: AdminInstanceQuery): Promise<AdminInstanceList>;
  adminExtend(
    instances: InstanceRef[],
    days: number,
  ): Promise<InstanceBulkResult>;
  adminDelete(instances: InstanceRef[]): Promise<InstanceBulkResult>;
}

/** @public */
export const appStoreApiRef = createApiRef<AppStoreApi>({
  id: 'plugin.app-store',
});

const PLUGIN = 'app-store';

function instancePath(ref: InstanceRef, rest = ''): string {
  return `/instances/${[ref.cluster, ref.namespace, ref.name]
    .map(encodeURIComponent)
    .join('/')}${rest}`;
}

function bulkBody(instances: InstanceRef[]) {
  return instances.map(({ cluster, namespace, name }) => ({
    cluster,
    namespace,
    name,
  }));
}

/** The app store API over HTTP (plugins/app-store-backend). @public */
export class AppStoreClient implements AppStoreApi {
  constructor(private readonly deps: BackendApis) {}

  charts() {
    return fetchJson<ChartList>(this.deps, PLUGIN, '/charts');
  }

  chart(repository: string, chart: string, version: string) {
    return fetchJson<ChartDetail>(
      this.deps,
      PLUGIN,
      `/charts/${[repository, chart, 'versions', version]
        .map(encodeURIComponent)
        .join('/')}`,
    );
  }

  targets() {
    return fetchJson<InstallTargets>(this.deps, PLUGIN, '/targets');
  }

  instances(query: InstanceQuery) {
    return fetchJson<InstanceList>(this.deps, PLUGIN, '/instances', {
      query: { ...query },
    });
  }

  install(request: InstanceInstall) {
    return fetchJson<InstanceSummary>(this.deps, PLUGIN, '/instances', {
      method: 'POST',
      body: request,
    });
  }

  instance(ref: InstanceRef) {
    return fetchJson<InstanceDetail>(this.deps, PLUGIN, instancePath(ref));
  }

  upgrade(ref: InstanceRef, request: InstanceUpgrade) {
    return fetchJson<InstanceSummary>(
      this.deps,
      PLUGIN,
      instancePath(ref, '/upgrade'),
      { method: 'POST', body: request },
    );
  }

  rollback(ref: InstanceRef, revision: number) {
    return fetchJson<InstanceSummary>(
      this.deps,
      PLUGIN,
      instancePath(ref, '/rollback'),
      { method: 'POST', body: { revision } },
    );
  }

  extend(ref: InstanceRef, days: number) {
    return fetchJson<InstanceSummary>(
      this.deps,
      PLUGIN,
      instancePath(ref, '/extend'),
      { method: 'POST', body: { days } },
    );
  }

  reveal(ref: InstanceRef) {
    return fetchJson<{ password: string }>(
      this.deps,
      PLUGIN,
      instancePath(ref, '/reveal'),
      { method: 'POST' },
    );
  }

  attach(ref: InstanceRef, request: { service: string; prefix: string }) {
    return fetchJson<InstanceAttachResult>(
      this.deps,
      PLUGIN,
      instancePath(ref, '/attach'),
      { method: 'POST', body: request },
    );
  }

  remove(ref: InstanceRef) {
    return fetchJson<unknown>(this.deps, PLUGIN, instancePath(ref), {
      method: 'DELETE',
    });
  }

  adminInstances(query: AdminInstanceQuery) {
    return fetchJson<AdminInstanceList>(this.deps, PLUGIN, '/admin/instances', {
      query: { ...query },
    });
  }

  adminExtend(instances: InstanceRef[], days: number) {
    return fetchJson<InstanceBulkResult>(
      this.deps,
      PLUGIN,
      '/admin/instances/extend',
      { method: 'POST', body: { instances: bulkBody(instances), days } },
    );
  }

  adminDelete(instances: InstanceRef[]) {
    return fetchJson<InstanceBulkResult>(
      this.deps,
      PLUGIN,
      '/admin/instances/delete',
      { method: 'POST', body: { instances: bulkBody(instances) } },
    );
  }
}

/**
 * Ties a 400's words to the install or upgrade form's fields. The backend names fields as paths
 * (`invalid request: name: at most 40 characters; values.auth.user: …`); returns field → message,
 * with `values.x.y` kept whole so the chart values form can show it under its own field, and what
 * names no field under `_`.
 */
export function fieldErrors(message: string): Record<string, string> {
  const errors: Record<string, string> = {};
  const add = (field: string, text: string) => {
    errors[field] = errors[field] ? `${errors[field]}; ${text}` : text;
  };
  const invalid =
    /^(?:invalid [a-z ]+|the chart refuses these values): (.*)$/s.exec(message);
  if (!invalid) {
    add('_', message);
    return errors;
  }
  for (const problem of invalid[1].split('; ')) {
    const values = /^values\.([^:\s]+)(?:: (.*)| (is required))$/s.exec(
      problem,
    );
    const required = /^([A-Za-z]+) is required$/.exec(problem);
    const at = /^([A-Za-z]+)(?:\.[^:\s]*)?: (.*)$/s.exec(problem);
    if (values) add(`values.${values[1]}`, values[2] ?? values[3]);
    else if (required) add(required[1], 'required');
    else if (at) add(at[1], at[2]);
    else add('_', problem);
  }
  return errors;
}
