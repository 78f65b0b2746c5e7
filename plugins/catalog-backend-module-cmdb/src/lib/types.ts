/**
 * The kinds of CMDB record the provider understands, each becoming one catalog kind:
 * business line → Domain, project → System, service → Component, team → Group, person → User.
 * @public
 */
export type CmdbRecordKind =
  | 'businessLine'
  | 'project'
  | 'service'
  | 'team'
  | 'person';

/** @public */
export const CMDB_RECORD_KINDS: readonly CmdbRecordKind[] = [
  'businessLine',
  'project',
  'service',
  'team',
  'person',
];

/**
 * One CMDB record after the adapter has read it, independent of the CMDB's dialect. References
 * to other records (owner, parent, dependsOn, memberOf) are CMDB ids, not names.
 * @public
 */
export interface CmdbRecord {
  kind: CmdbRecordKind;
  /** The CMDB's id of the record; empty when the record had none (it is then skipped). */
  id: string;
  name?: string;
  displayName?: string;
  description?: string;
  email?: string;
  /** Id of the owning team or person. */
  owner?: string;
  /** Business line of a project, project of a service, parent team of a team. */
  parent?: string;
  /** Ids of services this service depends on. */
  dependsOn?: string[];
  /** Ids of teams a person belongs to. */
  memberOf?: string[];
  lifecycle?: string;
  /** Overrides the `backstage.io/kubernetes-id` annotation of a service. */
  kubernetesId?: string;
  /** Link back to the record in the CMDB. */
  viewUrl?: string;
  /** The CMDB says the record is retired or deleted; a delta sync removes its entity. */
  deleted?: boolean;
}

/**
 * A relation that a CMDB keeps in a table of its own (ServiceNow's `sys_user_grmember` and
 * `cmdb_rel_ci`): person `from` is a member of team `to`, or service `from` depends on service `to`.
 * @public
 */
export interface CmdbLink {
  kind: 'membership' | 'dependency';
  from: string;
  to: string;
}

/** @public */
export type CmdbItem = CmdbRecord | CmdbLink;

/** @public */
export function isCmdbLink(item: CmdbItem): item is CmdbLink {
  return item.kind === 'membership' || item.kind === 'dependency';
}

/**
 * Reads records from a CMDB, page by page. Implementations fetch the next page only when the
 * consumer has taken the current one, so at most one page is held at a time.
 * @public
 */
export interface CmdbAdapter {
  /**
   * All records (`since` unset) or the records changed since a point in time. Link tables are
   * read only when `since` is unset.
   */
  read(options: {
    since?: Date;
    signal?: AbortSignal;
  }): AsyncIterable<CmdbItem>;
}

/** A record the provider did not turn into an entity, and why. @public */
export interface CmdbSkippedRecord {
  kind: CmdbRecordKind;
  id: string;
  problem:
    | 'missing-field'
    | 'duplicate-id'
    | 'duplicate-name'
    | 'cycle'
    | 'missing-parent'
    | 'missing-owner';
  /** Human-readable, with the ids involved. */
  reason: string;
}

/** What one sync did. @public */
export interface CmdbSyncReport {
  type: 'full' | 'delta';
  /** `applied` – the catalog got a mutation; `refused` – the removal guard held it back; `failed` – the CMDB could not be read. */
  outcome: 'applied' | 'refused' | 'failed';
  recordsRead: number;
  entitiesEmitted: number;
  entitiesRemoved: number;
  skipped: CmdbSkippedRecord[];
  durationMs: number;
  /** Why the run was refused or failed. */
  message?: string;
}
