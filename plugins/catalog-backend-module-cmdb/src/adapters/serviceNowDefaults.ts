import { CmdbRecordKind } from '../lib/types';
import { CmdbRecordMapping } from '../lib/recordMapping';

/** A ServiceNow table read through the Table API. @public */
export interface ServiceNowTable extends CmdbRecordMapping {
  table: string;
  /** An encoded query ANDed to every read, e.g. `operational_status=1`. */
  query?: string;
}

/** A ServiceNow table holding relations (`from` and `to` are reference fields). @public */
export interface ServiceNowLinkTable {
  table: string;
  query?: string;
  from: string;
  to: string;
}

/**
 * Where records live in a ServiceNow instance unless the config says otherwise. Reference fields
 * are read as plain sys_ids (`sysparm_exclude_reference_link=true`). The project and business-line
 * references of a service are instance-specific (custom `u_` fields); override them in config.
 */
export const SERVICENOW_DEFAULT_TABLES: Record<
  CmdbRecordKind,
  ServiceNowTable
> = {
  businessLine: {
    table: 'business_unit',
    fields: {
      id: 'sys_id',
      name: 'name',
      description: 'description',
      owner: 'bu_head',
    },
  },
  project: {
    table: 'cmdb_ci_business_app',
    fields: {
      id: 'sys_id',
      name: 'name',
      description: 'short_description',
      owner: 'managed_by_group',
      parent: 'u_business_unit',
    },
    deletedWhen: { field: 'install_status', values: ['7'] },
  },
  service: {
    table: 'cmdb_ci_service',
    fields: {
      id: 'sys_id',
      name: 'name',
      description: 'short_description',
      owner: 'support_group',
      parent: 'u_business_application',
      lifecycle: 'u_lifecycle',
      kubernetesId: 'u_kubernetes_id',
    },
    deletedWhen: { field: 'install_status', values: ['7'] },
  },
  team: {
    table: 'sys_user_group',
    fields: {
      id: 'sys_id',
      name: 'name',
      description: 'description',
      email: 'email',
      parent: 'parent',
    },
    deletedWhen: { field: 'active', values: ['false'] },
  },
  person: {
    table: 'sys_user',
    fields: {
      id: 'sys_id',
      name: 'user_name',
      displayName: 'name',
      email: 'email',
    },
    deletedWhen: { field: 'active', values: ['false'] },
  },
};

export const SERVICENOW_DEFAULT_MEMBERSHIPS: ServiceNowLinkTable = {
  table: 'sys_user_grmember',
  from: 'user',
  to: 'group',
};

export const SERVICENOW_DEFAULT_DEPENDENCIES: ServiceNowLinkTable = {
  table: 'cmdb_rel_ci',
  query: 'type.name=Depends on::Used by',
  from: 'parent',
  to: 'child',
};
