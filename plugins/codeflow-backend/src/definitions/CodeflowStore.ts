import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError } from '@backstage/errors';
import type {
  CodeflowDefinition,
  CodeflowView,
} from '@internal/plugin-container-cloud-common';
import type { Knex } from 'knex';

const TABLE = 'codeflows';

/** A codeflow as stored: its definition (no secret is part of it) and who changed it when. */
export interface StoredCodeflow {
  id: string;
  /** the Component it belongs to (lower case) */
  service: string;
  definition: CodeflowDefinition;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  /** set once deleted (the row stays for the runs' history) */
  deletedAt?: string;
}

/** A write that lost to another (a stale version, a taken name): 409 with the codeflow as it is. */
export class CodeflowConflictError extends ConflictError {
  constructor(message: string, readonly current: CodeflowView | null) {
    super(message);
  }
}

interface Row {
  id: string;
  entity_ref: string;
  name: string;
  live_key: string | null;
  definition: string;
  version: number;
  created_by: string;
  created_at: Date | string | number;
  updated_by: string;
  updated_at: Date | string | number;
  deleted_at: Date | string | number | null;
  deleted_by: string | null;
}

const key = (entityRef: string) => entityRef.toLocaleLowerCase('en-US');
const liveKey = (entityRef: string, name: string) =>
  `${key(entityRef)}/${name}`;

function iso(value: Date | string | number): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' || /^\d+$/.test(value)) {
    return new Date(Number(value)).toISOString();
  }
  return new Date(value).toISOString();
}

function codeflowOf(row: Row): StoredCodeflow {
  return {
    id: row.id,
    service: row.entity_ref,
    definition: JSON.parse(row.definition),
    version: row.version,
    createdBy: row.created_by,
    createdAt: iso(row.created_at),
    updatedBy: row.updated_by,
    updatedAt: iso(row.updated_at),
    ...(row.deleted_at ? { deletedAt: iso(row.deleted_at) } : {}),
  };
}

/** The API's view of a stored codeflow. */
export function codeflowView(stored: StoredCodeflow): CodeflowView {
  return {
    id: stored.id,
    service: stored.service,
    ...stored.definition,
    version: stored.version,
    createdBy: stored.createdBy,
    createdAt: stored.createdAt,
    updatedBy: stored.updatedBy,
    updatedAt: stored.updatedAt,
  };
}

/** A new codeflow id: `cf-` and 24 hex digits. */
export function newCodeflowId(): string {
  return `cf-${randomBytes(12).toString('hex')}`;
}

/**
 * The only place that knows the codeflows table. Every write is one conditional statement, so
 * two backend replicas saving at once cannot both win: a stale version or a taken name is a
 * CodeflowConflictError with the codeflow as it is now.
 */
export class CodeflowStore {
  constructor(private readonly knex: Knex) {}

  /** A service's live codeflows, by name. */
  async list(entityRef: string): Promise<StoredCodeflow[]> {
    const rows = await this.knex<Row>(TABLE)
      .where({ entity_ref: key(entityRef) })
      .whereNull('deleted_at')
      .orderBy('name');
    return rows.map(codeflowOf);
  }

  /**
   * A codeflow by id, whatever its service (e.g. for a webhook delivery, whose URL names only
   * the codeflow): undefined when there is none or it was deleted (unless `includeDeleted`).
   * Its webhook settings are `definition.triggers.webhook`; its owner service is `service`.
   */
  async get(
    id: string,
    options: { includeDeleted?: boolean } = {},
  ): Promise<StoredCodeflow | undefined> {
    const query = this.knex<Row>(TABLE).where({ id });
    if (!options.includeDeleted) query.whereNull('deleted_at');
    const row = await query.first();
    return row ? codeflowOf(row) : undefined;
  }

  /** A live codeflow of this service: NotFoundError (404) in words otherwise. */
  async getOf(entityRef: string, id: string): Promise<StoredCodeflow> {
    const found = await this.get(id);
    if (!found || found.service !== key(entityRef)) {
      throw new NotFoundError(`${entityRef} has no codeflow ${id}`);
    }
    return found;
  }

  private async byName(
    entityRef: string,
    name: string,
  ): Promise<StoredCodeflow | undefined> {
    const row = await this.knex<Row>(TABLE)
      .where({ live_key: liveKey(entityRef, name) })
      .first();
    return row ? codeflowOf(row) : undefined;
  }

  /** Creates a codeflow (version 1); a name the service already uses is a conflict. */
  async create(
    entityRef: string,
    definition: CodeflowDefinition,
    user: string,
    now = new Date(),
  ): Promise<StoredCodeflow> {
    const id = newCodeflowId();
    try {
      await this.knex<Row>(TABLE).insert({
        id,
        entity_ref: key(entityRef),
        name: definition.name,
        live_key: liveKey(entityRef, definition.name),
        definition: JSON.stringify(definition),
        version: 1,
        created_by: user,
        created_at: now,
        updated_by: user,
        updated_at: now,
        deleted_at: null,
        deleted_by: null,
      });
    } catch (error) {
      const existing = await this.byName(entityRef, definition.name);
      if (!existing) throw error;
      throw new CodeflowConflictError(
        `${entityRef} already has a codeflow named ${definition.name}`,
        codeflowView(existing),
      );
    }
    return (await this.get(id))!;
  }

  /**
   * Saves the definition edited from `fromVersion` as the next version. A stale version, or a
   * name another codeflow of the service has, saves nothing (CodeflowConflictError).
   */
  async update(
    entityRef: string,
    id: string,
    definition: CodeflowDefinition,
    fromVersion: number,
    user: string,
    now = new Date(),
  ): Promise<StoredCodeflow> {
    const before = await this.getOf(entityRef, id);
    let updated: number;
    try {
      updated = await this.knex<Row>(TABLE)
        .where({ id, version: fromVersion })
        .whereNull('deleted_at')
        .update({
          name: definition.name,
          live_key: liveKey(entityRef, definition.name),
          definition: JSON.stringify(definition),
          version: fromVersion + 1,
          updated_by: user,
          updated_at: now,
        });
    } catch (error) {
      const other = await this.byName(entityRef, definition.name);
      if (!other || other.id === id) throw error;
      throw new CodeflowConflictError(
        `${entityRef} already has a codeflow named ${definition.name}`,
        codeflowView(before),
      );
    }
    if (updated === 0) await this.conflict(entityRef, id, fromVersion);
    return (await this.get(id))!;
  }

  /**
   * Deletes a live codeflow (the row stays, without its name, for the history); with
   * `fromVersion`, only that version (a stale one deletes nothing: CodeflowConflictError).
   */
  async delete(
    entityRef: string,
    id: string,
    fromVersion: number | undefined,
    user: string,
    now = new Date(),
  ): Promise<StoredCodeflow> {
    const before = await this.getOf(entityRef, id);
    const query = this.knex<Row>(TABLE).where({ id }).whereNull('deleted_at');
    if (fromVersion !== undefined) query.where({ version: fromVersion });
    const updated = await query.update({
      live_key: null,
      deleted_at: now,
      deleted_by: user,
    });
    if (updated === 0) await this.conflict(entityRef, id, fromVersion ?? 0);
    return before;
  }

  private async conflict(
    entityRef: string,
    id: string,
    fromVersion: number,
  ): Promise<never> {
    const current = await this.get(id);
    if (!current || current.service !== key(entityRef)) {
      throw new NotFoundError(`${entityRef} has no codeflow ${id}`);
    }
    throw new CodeflowConflictError(
      `codeflow ${current.definition.name} changed since you loaded it (you edited version ${fromVersion}, it is at version ${current.version}, changed by ${current.updatedBy}): load it again and redo your change`,
      codeflowView(current),
    );
  }
}
