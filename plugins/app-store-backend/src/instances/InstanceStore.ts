/**
 * The app_store_instances table: the record the suite trusts about an instance (who owns it,
 * where it runs, when it expires). One live row per (cluster, namespace, name): `live_key` is
 * unique while the instance lives, so of two concurrent installs of one name one insert wins and
 * the other gets a ConflictError carrying the winner. Shared by every backend replica.
 */
import { ConflictError } from '@backstage/errors';
import type { Knex } from 'knex';
import {
  APP_STORE_ENVIRONMENTS,
  INSTANCE_PHASES,
} from '@internal/plugin-container-cloud-common';

const TABLE = 'app_store_instances';

/** @public */
export type InstancePhase = (typeof INSTANCE_PHASES)[number];
/** @public */
export type InstanceEnvironment = (typeof APP_STORE_ENVIRONMENTS)[number];

/** Why an install or upgrade failed, as the instance page shows it. @public */
export interface InstanceFailure {
  resource?: string;
  reason: string;
  events: string[];
}

/** One row, as the backend reads it. @public */
export interface InstanceRecord {
  id: number;
  cluster: string;
  namespace: string;
  name: string;
  repository: string;
  chart: string;
  version: string;
  /** component:ns/name or group:ns/name */
  owner: string;
  environment: InstanceEnvironment;
  preset: string;
  phase: InstancePhase;
  failure?: InstanceFailure;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  /** undefined: production, never expires */
  expiresAt?: Date;
  notifiedAt?: Date;
  deletedAt?: Date;
  deletedReason?: string;
  deletedBy?: string;
  /** `<cluster>/<namespace>/<name>` while live */
  liveKey?: string;
}

/** What an insert needs. @public */
export type NewInstance = Pick<
  InstanceRecord,
  | 'cluster'
  | 'namespace'
  | 'name'
  | 'repository'
  | 'chart'
  | 'version'
  | 'owner'
  | 'environment'
  | 'preset'
  | 'createdBy'
> & { phase?: InstancePhase; expiresAt?: Date };

/** The list's filters (all optional) and page. @public */
export interface InstanceFilter {
  owner?: string;
  /** any of these owners */
  owners?: string[];
  cluster?: string;
  chart?: string;
  /** also the uninstalled and expired ones */
  includeDeleted?: boolean;
  /** live instances whose expires_at is at or before this */
  expiresBefore?: Date;
}

/** The changes `update` may make to a live row. @public */
export type InstanceChange = Partial<
  Pick<
    InstanceRecord,
    'version' | 'preset' | 'phase' | 'expiresAt' | 'notifiedAt'
  > & {
    failure: InstanceFailure | null;
    expiresAt: Date | null;
    notifiedAt: Date | null;
  }
>;

/** The live key of an instance. @public */
export function liveKeyOf(p: {
  cluster: string;
  namespace: string;
  name: string;
}): string {
  return `${p.cluster}/${p.namespace}/${p.name}`;
}

type Row = {
  id: number;
  cluster: string;
  namespace: string;
  name: string;
  repository: string;
  chart: string;
  version: string;
  owner: string;
  environment: string;
  preset: string;
  phase: string;
  failure: string | null;
  created_by: string;
  created_at: Date | string;
  updated_at: Date | string;
  expires_at: Date | string | null;
  notified_at: Date | string | null;
  deleted_at: Date | string | null;
  deleted_reason: string | null;
  deleted_by: string | null;
  live_key: string | null;
};

const date = (v: Date | string | null): Date | undefined =>
  v === null || v === undefined ? undefined : new Date(v);

function fromRow(row: Row): InstanceRecord {
  return {
    id: row.id,
    cluster: row.cluster,
    namespace: row.namespace,
    name: row.name,
    repository: row.repository,
    chart: row.chart,
    version: row.version,
    owner: row.owner,
    environment: row.environment as InstanceEnvironment,
    preset: row.preset,
    phase: row.phase as InstancePhase,
    failure: row.failure ? JSON.parse(row.failure) : undefined,
    createdBy: row.created_by,
    createdAt: date(row.created_at)!,
    updatedAt: date(row.updated_at)!,
    expiresAt: date(row.expires_at),
    notifiedAt: date(row.notified_at),
    deletedAt: date(row.deleted_at),
    deletedReason: row.deleted_reason ?? undefined,
    deletedBy: row.deleted_by ?? undefined,
    liveKey: row.live_key ?? undefined,
  };
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' || // PostgreSQL
    e?.code === 'SQLITE_CONSTRAINT' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed|duplicate key/i.test(e?.message ?? '')
  );
}

/**
 * A ConflictError (409) whose `current` is the instance that holds the name now (the pipeline
 * answers with it).
 * @public
 */
export class InstanceConflictError extends ConflictError {
  constructor(message: string, readonly current: unknown) {
    super(message);
  }
}

/**
 * The instances table. The interface the lifecycle part (expiry, admin, attach) builds on.
 * @public
 */
export class InstanceStore {
  constructor(
    private readonly knex: Knex,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Records a new live instance; an InstanceConflictError (409, `current` = the live record) when
   * the name is taken in that namespace.
   */
  async insert(instance: NewInstance): Promise<InstanceRecord> {
    const now = this.now();
    const liveKey = liveKeyOf(instance);
    try {
      await this.knex(TABLE).insert({
        cluster: instance.cluster,
        namespace: instance.namespace,
        name: instance.name,
        repository: instance.repository,
        chart: instance.chart,
        version: instance.version,
        owner: instance.owner,
        environment: instance.environment,
        preset: instance.preset,
        phase: instance.phase ?? 'installing',
        failure: null,
        created_by: instance.createdBy,
        created_at: now,
        updated_at: now,
        expires_at: instance.expiresAt ?? null,
        notified_at: null,
        deleted_at: null,
        deleted_reason: null,
        deleted_by: null,
        live_key: liveKey,
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const current = await this.get(instance);
      throw new InstanceConflictError(
        `an instance named '${instance.name}' already lives in ${instance.cluster}/${instance.namespace}`,
        current,
      );
    }
    return (await this.get(instance))!;
  }

  /** The live instance of that name, or undefined. */
  async get(p: {
    cluster: string;
    namespace: string;
    name: string;
  }): Promise<InstanceRecord | undefined> {
    const row = await this.knex<Row>(TABLE)
      .where('live_key', liveKeyOf(p))
      .first();
    return row ? fromRow(row) : undefined;
  }

  /** One record by its id, live or not. */
  async byId(id: number): Promise<InstanceRecord | undefined> {
    const row = await this.knex<Row>(TABLE).where('id', id).first();
    return row ? fromRow(row) : undefined;
  }

  private filtered(filter: InstanceFilter) {
    const q = this.knex<Row>(TABLE);
    if (!filter.includeDeleted) q.whereNull('deleted_at');
    if (filter.owner) q.where('owner', filter.owner.toLocaleLowerCase('en-US'));
    if (filter.owners) {
      q.whereIn(
        'owner',
        filter.owners.map(o => o.toLocaleLowerCase('en-US')),
      );
    }
    if (filter.cluster) q.where('cluster', filter.cluster);
    if (filter.chart) q.where('chart', filter.chart);
    if (filter.expiresBefore) {
      q.whereNotNull('expires_at').where(
        'expires_at',
        '<=',
        filter.expiresBefore,
      );
    }
    return q;
  }

  /** A page of records (newest first) and how many match. */
  async list(
    filter: InstanceFilter,
    page: { offset: number; limit: number } = { offset: 0, limit: 50 },
  ): Promise<{ items: InstanceRecord[]; totalCount: number }> {
    const [{ count }] = await this.filtered(filter).count({ count: '*' });
    const rows = await this.filtered(filter)
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .offset(page.offset)
      .limit(page.limit);
    return { items: (rows as Row[]).map(fromRow), totalCount: Number(count) };
  }

  /** Changes a live record; false when there is none. */
  async update(
    p: { cluster: string; namespace: string; name: string },
    change: InstanceChange,
  ): Promise<boolean> {
    const patch: Record<string, unknown> = { updated_at: this.now() };
    if (change.version !== undefined) patch.version = change.version;
    if (change.preset !== undefined) patch.preset = change.preset;
    if (change.phase !== undefined) patch.phase = change.phase;
    if (change.failure !== undefined) {
      patch.failure = change.failure ? JSON.stringify(change.failure) : null;
    }
    if (change.expiresAt !== undefined) patch.expires_at = change.expiresAt;
    if (change.notifiedAt !== undefined) patch.notified_at = change.notifiedAt;
    const n = await this.knex(TABLE)
      .where('live_key', liveKeyOf(p))
      .update(patch);
    return n > 0;
  }

  /**
   * Ends a live record (`uninstalled` or `expired`): it keeps its row, the name is free again.
   * False when there was no live record.
   */
  async markDeleted(
    p: { cluster: string; namespace: string; name: string },
    reason: 'uninstalled' | 'expired',
    by: string,
  ): Promise<boolean> {
    const now = this.now();
    const n = await this.knex(TABLE)
      .where('live_key', liveKeyOf(p))
      .update({
        deleted_at: now,
        deleted_reason: reason,
        deleted_by: by,
        updated_at: now,
        phase: reason === 'expired' ? 'expired' : 'deleted',
        live_key: null,
      });
    return n > 0;
  }

  /** Removes a record outright: only for an install that never reached Helm (dry runs, refusals). */
  async forget(id: number): Promise<void> {
    await this.knex(TABLE).where('id', id).delete();
  }
}
