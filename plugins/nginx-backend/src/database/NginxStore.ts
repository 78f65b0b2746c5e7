import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type {
  Domain,
  NodeResult,
  Version,
  VersionSummary,
} from '@internal/plugin-container-cloud-common';

const DOMAINS = 'nginx_domains';
const VERSIONS = 'nginx_versions';

export interface NewVersion {
  cluster: string;
  createdBy: string;
  message: string;
  files: Record<string, string>;
  domains: Domain[];
  rollbackOf?: number;
}

function toDate(value: unknown): string {
  return new Date(value as string | number | Date).toISOString();
}

/** The only place that knows the plugin's tables. */
export class NginxStore {
  static async create(database: DatabaseService): Promise<NginxStore> {
    const knex = await database.getClient();
    if (!database.migrations?.skip) {
      await knex.migrate.latest({
        directory: resolvePackagePath(
          '@internal/plugin-nginx-backend',
          'migrations',
        ),
      });
    }
    return new NginxStore(knex);
  }

  constructor(private readonly knex: Knex) {}

  /**
   * Runs `work` while holding the publish lock of one nginx cluster, across every backend replica
   * on this database: on PostgreSQL a transaction-scoped advisory lock, held on a connection of
   * its own until `work` ends. SQLite serves one process, whose own queue already serialises.
   */
  async withPublishLock<T>(
    cluster: string,
    work: () => Promise<T>,
  ): Promise<T> {
    if (this.knex.client.config.client !== 'pg') return work();
    return this.knex.transaction(async tx => {
      await tx.raw('select pg_advisory_xact_lock(hashtext(?))', [
        `nginx-publish:${cluster}`,
      ]);
      return work();
    });
  }

  async saveDomain(domain: Domain, updatedBy: string): Promise<void> {
    await this.knex(DOMAINS)
      .insert({
        cluster: domain.cluster,
        name: domain.name,
        spec: JSON.stringify(domain),
        updated_by: updatedBy,
        updated_at: new Date(),
      })
      .onConflict(['cluster', 'name'])
      .merge(['spec', 'updated_by', 'updated_at']);
  }

  async getDomain(cluster: string, name: string): Promise<Domain | undefined> {
    const row = await this.knex(DOMAINS)
      .select('spec')
      .where({ cluster, name })
      .first();
    return row ? JSON.parse(row.spec) : undefined;
  }

  async deleteDomain(cluster: string, name: string): Promise<void> {
    await this.knex(DOMAINS).where({ cluster, name }).delete();
  }

  async listDomains(cluster?: string): Promise<Domain[]> {
    const query = this.knex(DOMAINS)
      .select('spec')
      .orderBy(['cluster', 'name']);
    if (cluster) query.where({ cluster });
    const rows = await query;
    return rows.map(row => JSON.parse(row.spec));
  }

  /** Makes a cluster's saved domains exactly `domains` (a rollback restores them). */
  async replaceDomains(
    cluster: string,
    domains: Domain[],
    updatedBy: string,
  ): Promise<void> {
    await this.knex.transaction(async tx => {
      await tx(DOMAINS).where({ cluster }).delete();
      if (domains.length === 0) return;
      await tx.batchInsert(
        DOMAINS,
        domains.map(domain => ({
          cluster,
          name: domain.name,
          spec: JSON.stringify(domain),
          updated_by: updatedBy,
          updated_at: new Date(),
        })),
        200,
      );
    });
  }

  async addVersion(version: NewVersion): Promise<number> {
    const [row] = await this.knex(VERSIONS)
      .insert({
        cluster: version.cluster,
        created_by: version.createdBy,
        created_at: new Date(),
        message: version.message,
        files: JSON.stringify(version.files),
        domains: JSON.stringify(version.domains),
        rollback_of: version.rollbackOf ?? null,
      })
      .returning('id');
    return typeof row === 'object' ? row.id : row;
  }

  async setDelivery(id: number, delivery: NodeResult[]): Promise<void> {
    await this.knex(VERSIONS)
      .where({ id })
      .update({ delivery: JSON.stringify(delivery) });
  }

  /** Newest first, without the file texts. */
  async listVersions(cluster: string, limit = 100): Promise<VersionSummary[]> {
    const rows = await this.knex(VERSIONS)
      .select(
        'id',
        'cluster',
        'created_by',
        'created_at',
        'message',
        'rollback_of',
        'delivery',
      )
      .where({ cluster })
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(row => this.summary(row));
  }

  async latestVersionId(cluster: string): Promise<number | undefined> {
    const row = await this.knex(VERSIONS)
      .where({ cluster })
      .max({ id: 'id' })
      .first();
    return row?.id ?? undefined;
  }

  async getVersion(id: number): Promise<Version | undefined> {
    const row = await this.knex(VERSIONS).where({ id }).first();
    if (!row) return undefined;
    return {
      ...this.summary(row),
      files: JSON.parse(row.files),
      domains: JSON.parse(row.domains),
    };
  }

  private summary(row: any): VersionSummary {
    return {
      id: row.id,
      cluster: row.cluster,
      createdBy: row.created_by,
      createdAt: toDate(row.created_at),
      message: row.message,
      ...(row.rollback_of !== null && row.rollback_of !== undefined
        ? { rollbackOf: row.rollback_of }
        : {}),
      ...(row.delivery ? { delivery: JSON.parse(row.delivery) } : {}),
    };
  }
}
