/**
 * Catalog backend module: business lines, projects, services, teams and people from the company
 * CMDB (any JSON-over-HTTP CMDB, or ServiceNow's Table API).
 *
 * @packageDocumentation
 */

export { catalogModuleCmdbEntityProvider as default } from './module/catalogModuleCmdbEntityProvider';
export {
  CmdbEntityProvider,
  type CmdbCatalogProgress,
  type CmdbKnownEntitiesLoader,
} from './providers/CmdbEntityProvider';
export {
  readCmdbProviderConfig,
  readCmdbProviderConfigs,
  type CmdbEntityProviderConfig,
  type CmdbGenericSource,
  type CmdbPagination,
} from './providers/CmdbEntityProviderConfig';
export type { CmdbAuth, CmdbHttpOptions } from './adapters/CmdbHttpClient';
export type {
  ServiceNowLinkTable,
  ServiceNowTable,
} from './adapters/serviceNowDefaults';
export type { CmdbFieldMapping, CmdbRecordMapping } from './lib/recordMapping';
export type {
  CmdbAdapter,
  CmdbItem,
  CmdbLink,
  CmdbRecord,
  CmdbRecordKind,
  CmdbSkippedRecord,
  CmdbSyncReport,
} from './lib/types';
