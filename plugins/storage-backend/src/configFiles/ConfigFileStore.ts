import { ConflictError } from '@backstage/errors';
import type {
  ConfigFileInfo,
  ConfigFileVersionSummary,
} from '@internal/plugin-container-cloud-common';
import type { Knex } from 'knex';

const SETS = 'config_file_sets';
const VERSIONS = 'config_file_versions';

/** A file set as the database holds it. */
export interface StoredSet {
  id: number;
  kubernetesId: string;
  name: string;
  secret: boolean;
  currentVersion: number;
}

/** A version's row with its files' text as stored (JSON, or sealed for secret sets). */
export interface StoredVersion extends ConfigFileVersionSummary {
  filesText: string;
}

/** What a new version records. */
export interface NewVersion {
  createdBy: string;
  message: string;
  checksum: string;
  fileInfos: ConfigFileInfo[];
  filesText: string;
  rollbackOf?: number;
  origin?: 'saved' | 'cluster';
}

/** The save was based on an older version than the current one. */
export class StaleVersionError extends ConflictError {
  constructor(readonly currentVersion: number, baseVersion: number) {
    super(
      `the file set changed since it was loaded: you edited version ${baseVersion}, the current version is ${currentVersion}; reload it and apply your change again`,
    );
  }
}

function toIso(value: unknown): string {
  return new Date(value as string | number | Date).toISOString();
}

const SUMMARY_COLUMNS = [
  'version',
  'created_by',
  'created_at',
  'message',
  'checksum',
  'file_infos',
  'rollback_of',
  'origin',
];

function summaryOf(row: Record<string, any>): ConfigFileVersionSummary {
  return {
    version: Number(row.version),
    createdBy: row.created_by,
    createdAt: toIso(row.created_at),
    message: row.message,
    checksum: row.checksum,
    files: JSON.parse(row.file_infos),
    rollbackOf: row.rollback_of === null ? null : Number(row.rollback_of),
    origin: row.origin,
  };
}

function setOf(row: Record<string, any>): StoredSet {
  return {
    id: Number(row.id),
    kubernetesId: row.kubernetes_id,
    name: row.name,
    secret: Boolean(row.secret),
    currentVersion: Number(row.current_version),
  };
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(e?.message ?? '')
  );
}

/** The only place that knows the config file tables. */
export class ConfigFileStore {
  constructor(private readonly knex: Knex) {}

  async getSet(
    kubernetesId: string,
    name: string,
  ): Promise<StoredSet | undefined> {
    const row = await this.knex(SETS)
      .where({ kubernetes_id: kubernetesId, name })
      .first();
    return row ? setOf(row) : undefined;
  }

  /** Every set of a service with its current version's summary (no text). */
  async listSets(
    kubernetesId: string,
  ): Promise<Array<{ set: StoredSet; current: ConfigFileVersionSummary }>> {
    const rows = await this.knex(SETS)
      .join(VERSIONS, join =>
        join
          .on(`${VERSIONS}.set_id`, '=', `${SETS}.id`)
          .andOn(`${VERSIONS}.version`, '=', `${SETS}.current_version`),
      )
      .where(`${SETS}.kubernetes_id`, kubernetesId)
      .orderBy(`${SETS}.name`)
      .select(
        `${SETS}.id`,
        `${SETS}.kubernetes_id`,
        `${SETS}.name`,
        `${SETS}.secret`,
        `${SETS}.current_version`,
        ...SUMMARY_COLUMNS.map(c => `${VERSIONS}.${c}`),
      );
    return rows.map(row => ({ set: setOf(row), current: summaryOf(row) }));
  }

  /**
   * A new set with its version 1; undefined when a set of that name exists already (created
   * meanwhile, e.g. by another replica adopting the same ConfigMap).
   */
  async createSet(
    kubernetesId: string,
    name: string,
    secret: boolean,
    first: NewVersion,
  ): Promise<StoredSet | undefined> {
    try {
      return await this.knex.transaction(async tx => {
        const now = new Date();
        const [inserted] = await tx(SETS)
          .insert({
            kubernetes_id: kubernetesId,
            name,
            secret,
            current_version: 1,
            created_by: first.createdBy,
            created_at: now,
          })
          .returning('id');
        const id = Number(
          typeof inserted === 'object' ? inserted.id : inserted,
        );
        await tx(VERSIONS).insert(versionRow(id, 1, first, now));
        return { id, kubernetesId, name, secret, currentVersion: 1 };
      });
    } catch (error) {
      if (isUniqueViolation(error)) return undefined;
      throw error;
    }
  }

  /**
   * Records version `baseVersion + 1`, when `baseVersion` is still the current one (else a
   * StaleVersionError with the current version). Two replicas saving at once: one wins.
   */
  async addVersion(
    set: StoredSet,
    baseVersion: number,
    next: NewVersion,
  ): Promise<number> {
    const version = baseVersion + 1;
    try {
      await this.knex.transaction(async tx => {
        const updated = await tx(SETS)
          .where({ id: set.id, current_version: baseVersion })
          .update({ current_version: version });
        if (updated !== 1) throw new StaleVersionError(-1, baseVersion);
        await tx(VERSIONS).insert(
          versionRow(set.id, version, next, new Date()),
        );
      });
    } catch (error) {
      if (error instanceof StaleVersionError || isUniqueViolation(error)) {
        const current = await this.getSet(set.kubernetesId, set.name);
        throw new StaleVersionError(current?.currentVersion ?? -1, baseVersion);
      }
      throw error;
    }
    return version;
  }

  /**
   * Undoes `addVersion` when no cluster took the new version: the set is back at `version - 1`,
   * unless a later save already moved it on (then nothing changes and false comes back).
   */
  async dropVersion(set: StoredSet, version: number): Promise<boolean> {
    return this.knex.transaction(async tx => {
      const updated = await tx(SETS)
        .where({ id: set.id, current_version: version })
        .update({ current_version: version - 1 });
      if (updated !== 1) return false;
      await tx(VERSIONS).where({ set_id: set.id, version }).delete();
      return true;
    });
  }

  /** A page of versions, newest first, without their text. */
  async listVersions(
    setId: number,
    options: { before?: number; limit: number },
  ): Promise<{ items: ConfigFileVersionSummary[]; total: number }> {
    const query = this.knex(VERSIONS).where({ set_id: setId });
    if (options.before !== undefined)
      query.where('version', '<', options.before);
    const rows = await query
      .orderBy('version', 'desc')
      .limit(options.limit)
      .select(SUMMARY_COLUMNS);
    const [{ count }] = await this.knex(VERSIONS)
      .where({ set_id: setId })
      .count({ count: '*' });
    return { items: rows.map(summaryOf), total: Number(count) };
  }

  async getVersion(
    setId: number,
    version: number,
  ): Promise<StoredVersion | undefined> {
    const row = await this.knex(VERSIONS)
      .where({ set_id: setId, version })
      .first([...SUMMARY_COLUMNS, 'files']);
    return row ? { ...summaryOf(row), filesText: row.files } : undefined;
  }

  async deleteSet(setId: number): Promise<void> {
    await this.knex.transaction(async tx => {
      await tx(VERSIONS).where({ set_id: setId }).delete();
      await tx(SETS).where({ id: setId }).delete();
    });
  }
}

function versionRow(setId: number, version: number, v: NewVersion, now: Date) {
  return {
    set_id: setId,
    version,
    created_by: v.createdBy,
    created_at: now,
    message: v.message,
    checksum: v.checksum,
    file_infos: JSON.stringify(v.fileInfos),
    files: v.filesText,
    rollback_of: v.rollbackOf ?? null,
    origin: v.origin ?? 'saved',
  };
}
