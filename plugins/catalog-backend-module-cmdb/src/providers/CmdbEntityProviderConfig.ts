import {
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import { CmdbAuth, CmdbHttpOptions } from '../adapters/CmdbHttpClient';
import {
  SERVICENOW_DEFAULT_DEPENDENCIES,
  SERVICENOW_DEFAULT_MEMBERSHIPS,
  SERVICENOW_DEFAULT_TABLES,
  ServiceNowLinkTable,
  ServiceNowTable,
} from '../adapters/serviceNowDefaults';
import { CmdbFieldMapping, CmdbRecordMapping } from '../lib/recordMapping';
import { CMDB_RECORD_KINDS, CmdbRecordKind } from '../lib/types';

/** How the generic adapter walks through pages. @public */
export type CmdbPagination =
  | { type: 'page'; pageParam: string; sizeParam: string; firstPage: number }
  | { type: 'offset'; offsetParam: string; limitParam: string }
  | {
      type: 'cursor';
      cursorParam: string;
      sizeParam: string;
      /** Where the next page's cursor is in a response; empty or missing ends the list. */
      nextCursorPath: string;
    };

/** A record list of the generic adapter. @public */
export interface CmdbGenericSource extends CmdbRecordMapping {
  /** Path under `baseUrl`, e.g. `/services`. */
  path: string;
}

/** One configured CMDB (`catalog.providers.cmdb.<id>`), parsed. @public */
export interface CmdbEntityProviderConfig {
  id: string;
  baseUrl: string;
  auth: CmdbAuth;
  /** Full syncs. */
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** Delta syncs between full ones; none when unset. */
  deltaSchedule?: SchedulerServiceTaskScheduleDefinition;
  /** A run removing a larger share of the provider's entities is refused. */
  maxRemovalShare: number;
  pageSize: number;
  /**
   * A full sync bringing more new entities than `batchSize` (a first load) hands them to the
   * catalog as delta mutations of `batchSize`, paced by what the catalog serves, then closes with
   * the full mutation. 0: one full mutation.
   */
  firstLoad: { batchSize: number; stallTimeoutMs: number };
  http: CmdbHttpOptions;
  namespace: string;
  defaultLifecycle: string;
  defaultOwner?: string;
  source:
    | {
        adapter: 'generic';
        pagination: CmdbPagination;
        itemsPath: string;
        updatedSinceParam?: string;
        records: Partial<Record<CmdbRecordKind, CmdbGenericSource>>;
      }
    | {
        adapter: 'servicenow';
        tables: Partial<Record<CmdbRecordKind, ServiceNowTable>>;
        memberships?: ServiceNowLinkTable;
        dependencies?: ServiceNowLinkTable;
      };
}

const FIELD_KEYS: Array<keyof CmdbFieldMapping> = [
  'id',
  'name',
  'displayName',
  'description',
  'email',
  'owner',
  'parent',
  'dependsOn',
  'memberOf',
  'lifecycle',
  'kubernetesId',
  'viewUrl',
];

function readDurationMs(config: Config, key: string, fallbackMs: number) {
  return config.has(key)
    ? durationToMilliseconds(readDurationFromConfig(config, { key }))
    : fallbackMs;
}

function readAuth(config: Config | undefined): CmdbAuth {
  const type = config?.getOptionalString('type') ?? 'none';
  switch (type) {
    case 'bearer':
      return { type, token: config!.getString('token') };
    case 'basic':
      return {
        type,
        username: config!.getString('username'),
        password: config!.getString('password'),
      };
    case 'none':
      return { type };
    default:
      throw new InputError(
        `auth.type must be bearer, basic or none, not ${type}`,
      );
  }
}

function readMapping(
  config: Config | undefined,
  defaults: CmdbRecordMapping | undefined,
): CmdbRecordMapping {
  const fields = { ...defaults?.fields } as CmdbFieldMapping;
  for (const key of FIELD_KEYS) {
    const path = config?.getOptionalString(`fields.${key}`);
    if (path !== undefined) fields[key] = path;
  }
  if (!fields.id || !fields.name) {
    throw new InputError('fields.id and fields.name are required');
  }
  const deleted = config?.getOptionalConfig('deletedWhen');
  return {
    fields,
    deletedWhen: deleted
      ? {
          field: deleted.getString('field'),
          values: deleted.getStringArray('values'),
        }
      : defaults?.deletedWhen,
    viewUrlTemplate:
      config?.getOptionalString('viewUrlTemplate') ?? defaults?.viewUrlTemplate,
  };
}

function readPagination(config: Config | undefined): CmdbPagination {
  const type = config?.getOptionalString('type') ?? 'page';
  switch (type) {
    case 'page':
      return {
        type,
        pageParam: config?.getOptionalString('pageParam') ?? 'page',
        sizeParam: config?.getOptionalString('sizeParam') ?? 'size',
        firstPage: config?.getOptionalNumber('firstPage') ?? 1,
      };
    case 'offset':
      return {
        type,
        offsetParam: config?.getOptionalString('offsetParam') ?? 'offset',
        limitParam: config?.getOptionalString('limitParam') ?? 'limit',
      };
    case 'cursor':
      return {
        type,
        cursorParam: config?.getOptionalString('cursorParam') ?? 'cursor',
        sizeParam: config?.getOptionalString('sizeParam') ?? 'limit',
        nextCursorPath: config?.getOptionalString('nextCursorPath') ?? 'next',
      };
    default:
      throw new InputError(
        `pagination.type must be page, offset or cursor, not ${type}`,
      );
  }
}

function readLinkTable(
  config: Config,
  key: string,
  defaults: ServiceNowLinkTable,
): ServiceNowLinkTable | undefined {
  const link = config.getOptionalConfig(key);
  if (link?.getOptionalBoolean('enabled') === false) return undefined;
  return {
    table: link?.getOptionalString('table') ?? defaults.table,
    query: link?.getOptionalString('query') ?? defaults.query,
    from: link?.getOptionalString('from') ?? defaults.from,
    to: link?.getOptionalString('to') ?? defaults.to,
  };
}

function readSource(config: Config): CmdbEntityProviderConfig['source'] {
  const adapter = config.getString('adapter');
  const records = config.getOptionalConfig('records');
  if (adapter === 'generic') {
    const sources: Partial<Record<CmdbRecordKind, CmdbGenericSource>> = {};
    for (const kind of CMDB_RECORD_KINDS) {
      const source = records?.getOptionalConfig(kind);
      if (!source || source.getOptionalBoolean('enabled') === false) continue;
      sources[kind] = {
        path: source.getString('path'),
        ...readMapping(source, undefined),
      };
    }
    return {
      adapter,
      pagination: readPagination(config.getOptionalConfig('pagination')),
      itemsPath: config.getOptionalString('itemsPath') ?? 'items',
      updatedSinceParam: config.getOptionalString('updatedSinceParam'),
      records: sources,
    };
  }
  if (adapter === 'servicenow') {
    const tables: Partial<Record<CmdbRecordKind, ServiceNowTable>> = {};
    for (const kind of CMDB_RECORD_KINDS) {
      const source = records?.getOptionalConfig(kind);
      if (source?.getOptionalBoolean('enabled') === false) continue;
      const defaults = SERVICENOW_DEFAULT_TABLES[kind];
      const table = source?.getOptionalString('table') ?? defaults.table;
      tables[kind] = {
        table,
        query: source?.getOptionalString('query') ?? defaults.query,
        ...readMapping(source, {
          ...defaults,
          viewUrlTemplate: `${config
            .getString('baseUrl')
            .replace(/\/+$/, '')}/nav_to.do?uri=${table}.do%3Fsys_id%3D{id}`,
        }),
      };
    }
    return {
      adapter,
      tables,
      memberships: readLinkTable(
        config,
        'memberships',
        SERVICENOW_DEFAULT_MEMBERSHIPS,
      ),
      dependencies: readLinkTable(
        config,
        'dependencies',
        SERVICENOW_DEFAULT_DEPENDENCIES,
      ),
    };
  }
  throw new InputError(`adapter must be generic or servicenow, not ${adapter}`);
}

function readBatchSize(config: Config): number {
  const batchSize = config.getOptionalNumber('firstLoad.batchSize') ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 0) {
    throw new InputError(
      `firstLoad.batchSize must be a whole number of entities, 0 or more, not ${batchSize}`,
    );
  }
  return batchSize;
}

/** Parses one `catalog.providers.cmdb.<id>` block. @public */
export function readCmdbProviderConfig(
  id: string,
  config: Config,
): CmdbEntityProviderConfig {
  try {
    const maxRemovalShare =
      config.getOptionalNumber('removalGuard.maxRemovalShare') ?? 0.2;
    if (maxRemovalShare < 0 || maxRemovalShare > 1) {
      throw new InputError(
        'removalGuard.maxRemovalShare must be between 0 and 1',
      );
    }
    return {
      id,
      baseUrl: config.getString('baseUrl').replace(/\/+$/, ''),
      auth: readAuth(config.getOptionalConfig('auth')),
      schedule: readSchedulerServiceTaskScheduleDefinitionFromConfig(
        config.getConfig('schedule'),
      ),
      deltaSchedule: config.has('deltaSchedule')
        ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
            config.getConfig('deltaSchedule'),
          )
        : undefined,
      maxRemovalShare,
      pageSize: config.getOptionalNumber('pageSize') ?? 500,
      firstLoad: {
        batchSize: readBatchSize(config),
        stallTimeoutMs: readDurationMs(
          config,
          'firstLoad.stallTimeout',
          30_000,
        ),
      },
      http: {
        requestTimeoutMs: readDurationMs(config, 'http.requestTimeout', 30_000),
        attempts: config.getOptionalNumber('http.attempts') ?? 4,
        retryDelayMs: readDurationMs(config, 'http.retryDelay', 2_000),
      },
      namespace: config.getOptionalString('namespace') ?? 'default',
      defaultLifecycle:
        config.getOptionalString('defaults.lifecycle') ?? 'production',
      defaultOwner: config.getOptionalString('defaults.owner'),
      source: readSource(config),
    };
  } catch (error) {
    throw new InputError(
      `Invalid config at catalog.providers.cmdb.${id}: ${
        (error as Error).message
      }`,
    );
  }
}

/** Parses every configured CMDB under `catalog.providers.cmdb`. @public */
export function readCmdbProviderConfigs(
  config: Config,
): CmdbEntityProviderConfig[] {
  const providers = config.getOptionalConfig('catalog.providers.cmdb');
  return (providers?.keys() ?? []).map(id =>
    readCmdbProviderConfig(id, providers!.getConfig(id)),
  );
}
