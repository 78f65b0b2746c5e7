import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';
import { HumanDuration } from '@backstage/types';

/** Where each field lives in a CMDB record: dotted paths into its JSON (`owner.id`). */
interface CmdbFieldsConfig {
  /** The record's CMDB id. @visibility backend */
  id?: string;
  /** The record's name; becomes the entity name (made valid if it must be). @visibility backend */
  name?: string;
  /** Display name (teams and people). @visibility backend */
  displayName?: string;
  /** @visibility backend */
  description?: string;
  /** @visibility backend */
  email?: string;
  /** CMDB id of the owning team or person. @visibility backend */
  owner?: string;
  /** CMDB id of the business line (projects), project (services) or parent team (teams). @visibility backend */
  parent?: string;
  /** CMDB ids of the services a service depends on (an array, or comma-separated). @visibility backend */
  dependsOn?: string;
  /** CMDB ids of the teams a person belongs to. @visibility backend */
  memberOf?: string;
  /** A service's lifecycle (defaults.lifecycle when empty). @visibility backend */
  lifecycle?: string;
  /** Overrides the backstage.io/kubernetes-id of a service (default: its entity name). @visibility backend */
  kubernetesId?: string;
  /** A link to the record in the CMDB's UI. @visibility backend */
  viewUrl?: string;
}

/** One record kind's source. */
interface CmdbRecordSourceConfig {
  /** false: do not read this kind. @visibility backend */
  enabled?: boolean;
  /** Generic adapter: path under baseUrl of the list, e.g. /services. @visibility backend */
  path?: string;
  /** ServiceNow adapter: the table (defaults: business_unit, cmdb_ci_business_app, cmdb_ci_service, sys_user_group, sys_user). @visibility backend */
  table?: string;
  /** ServiceNow adapter: an encoded query ANDed to every read. @visibility backend */
  query?: string;
  /** Where each field lives; for ServiceNow, overrides of the defaults. */
  fields?: CmdbFieldsConfig;
  /** The record counts as deleted (its entity is removed) when `field` has one of `values`. */
  deletedWhen?: {
    /** @visibility backend */
    field: string;
    /** @visibility backend */
    values: string[];
  };
  /** Link back to the record when no viewUrl field is mapped; `{id}` is replaced. @visibility backend */
  viewUrlTemplate?: string;
}

/** A ServiceNow table of relations. */
interface CmdbLinkTableConfig {
  /** false: do not read relations from this table. @visibility backend */
  enabled?: boolean;
  /** @visibility backend */
  table?: string;
  /** @visibility backend */
  query?: string;
  /** Reference field of the member / the dependent service. @visibility backend */
  from?: string;
  /** Reference field of the team / the service depended on. @visibility backend */
  to?: string;
}

export interface Config {
  catalog?: {
    providers?: {
      /** CMDB entity providers, by id (the id names the provider: cmdb-provider:<id>). */
      cmdb?: {
        [id: string]: {
          /** generic (JSON over HTTP, mapping from config) or servicenow (Table API). @visibility backend */
          adapter: 'generic' | 'servicenow';
          /** The CMDB's base URL, e.g. https://acme.service-now.com. @visibility backend */
          baseUrl: string;
          /** How to authenticate; none when unset. */
          auth?:
            | {
                /** @visibility backend */
                type: 'bearer';
                /** @visibility secret */
                token: string;
              }
            | {
                /** @visibility backend */
                type: 'basic';
                /** @visibility backend */
                username: string;
                /** @visibility secret */
                password: string;
              }
            | {
                /** @visibility backend */
                type: 'none';
              };
          /** When full syncs run (a full mutation). */
          schedule: SchedulerServiceTaskScheduleDefinitionConfig;
          /** When delta syncs (records updated since the last sync) run between full ones; none when unset. */
          deltaSchedule?: SchedulerServiceTaskScheduleDefinitionConfig;
          removalGuard?: {
            /** A run that would remove more than this share (0–1) of the provider's entities is refused. Default 0.2. @visibility backend */
            maxRemovalShare?: number;
          };
          /** Records per page. Default 500. @visibility backend */
          pageSize?: number;
          /**
           * A full sync that brings more new entities than batchSize (the first load into an
           * empty catalog, typically) hands them to the catalog as delta mutations of batchSize
           * entities, each once the catalog serves the batch before the previous one, and closes
           * with the full mutation (which removes whatever the CMDB no longer has). Processing then
           * overlaps the load, the catalog's queue stays short, and a delta sync asked for meanwhile
           * runs between two batches, so a changed record shows in seconds during a first load too.
           */
          firstLoad?: {
            /** Entities per delta mutation; 0 sends one full mutation. Default 100. @visibility backend */
            batchSize?: number;
            /** When the catalog makes no progress on a batch for this long (an entity it cannot process never shows), the next one is sent anyway. Default 30 seconds. @visibility backend */
            stallTimeout?: HumanDuration | string;
          };
          http?: {
            /** A request slower than this fails (and is retried). Default 30 s. @visibility backend */
            requestTimeout?: HumanDuration | string;
            /** Tries per request before the sync fails and the catalog keeps its entities. Default 4. @visibility backend */
            attempts?: number;
            /** Wait before the second try, doubled before each further one. Default 2 s. @visibility backend */
            retryDelay?: HumanDuration | string;
          };
          /** Namespace of the entities. Default default. @visibility backend */
          namespace?: string;
          defaults?: {
            /** Lifecycle of services whose record has none. Default production. @visibility backend */
            lifecycle?: string;
            /** Entity ref owning business lines, projects and services whose record names no owner; without it such records are skipped. @visibility backend */
            owner?: string;
          };
          /** Generic adapter: how lists are paged. Default page+size. */
          pagination?: {
            /** @visibility backend */
            type: 'page' | 'offset' | 'cursor';
            /** page: page number parameter (default page). @visibility backend */
            pageParam?: string;
            /** page, cursor: page size parameter (default size for page, limit for cursor). @visibility backend */
            sizeParam?: string;
            /** page: number of the first page (default 1). @visibility backend */
            firstPage?: number;
            /** offset: offset parameter (default offset). @visibility backend */
            offsetParam?: string;
            /** offset: limit parameter (default limit). @visibility backend */
            limitParam?: string;
            /** cursor: cursor parameter (default cursor). @visibility backend */
            cursorParam?: string;
            /** cursor: where the next cursor is in a response (default next). @visibility backend */
            nextCursorPath?: string;
          };
          /** Generic adapter: where the records array is in a response (default items; '' for a bare array). @visibility backend */
          itemsPath?: string;
          /** Generic adapter: query parameter for "updated since" (ISO 8601) in delta syncs. @visibility backend */
          updatedSinceParam?: string;
          /** Sources per record kind. Generic: only the kinds listed are read. ServiceNow: overrides of the default tables. */
          records?: {
            businessLine?: CmdbRecordSourceConfig;
            project?: CmdbRecordSourceConfig;
            service?: CmdbRecordSourceConfig;
            team?: CmdbRecordSourceConfig;
            person?: CmdbRecordSourceConfig;
          };
          /** ServiceNow: group memberships (default sys_user_grmember, user → group); read in full syncs. */
          memberships?: CmdbLinkTableConfig;
          /** ServiceNow: service dependencies (default cmdb_rel_ci of type Depends on::Used by, parent → child); read in full syncs. */
          dependencies?: CmdbLinkTableConfig;
        };
      };
    };
  };
}
