import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import type {
  Domain,
  DomainView,
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

  /**
   * Saves a domain; its version becomes one more. With `expected` (the version the change was made
   * from; 0 for a new domain) only when the saved domain still has that version: otherwise nothing
   * changes and the answer is `{ saved: false, current }` (undefined when there is none).
   */
  async saveDomain(
    domain: Domain,
    updatedBy: string,
    expected?: number,
  ): Promise<
    { saved: true; version: number } | { saved: false; current?: DomainView }
  > {
    const row = {
      spec: JSON.stringify(domain),
      updated_by: updatedBy,
      updated_at: new Date(),
    };
    const key = { cluster: domain.cluster, name: domain.name };
    if (expected === undefined) {
      const before = await this.knex(DOMAINS)
        .select('version')
        .where(key)
        .first();
      if (!before) {
        const inserted = await this.insertNew(domain, row);
        if (inserted) return { saved: true, version: 1 };
      }
      await this.knex(DOMAINS)
        .where(key)
        .update({ ...row, version: this.knex.raw('version + 1') });
      const after = await this.getDomainView(domain.cluster, domain.name);
      return { saved: true, version: after?.version ?? 1 };
    }
    if (expected === 0) {
      if (await this.insertNew(domain, row)) return { saved: true, version: 1 };
    } else {
      const updated = await this.knex(DOMAINS)
        .where({ ...key, version: expected })
        .update({ ...row, version: expected + 1 });
      if (updated === 1) return { saved: true, version: expected + 1 };
    }
    return {
      saved: false,
      current: await this.getDomainView(domain.cluster, domain.name),
    };
  }

  /**
   * Puts a saved domain back as it was (its definition and version) when it still has the
   * version `claimed` (a change that failed after saving it); otherwise leaves the newer one.
   */
  async restoreDomain(previous: DomainView, claimed: number): Promise<void> {
    const { version, ...domain } = previous;
    await this.knex(DOMAINS)
      .where({ cluster: domain.cluster, name: domain.name, version: claimed })
      .update({ spec: JSON.stringify(domain), version });
  }

  /** Inserts a domain that is not saved yet; false when one of that name already is. */
  private async insertNew(
    domain: Domain,
    row: { spec: string; updated_by: string; updated_at: Date },
  ): Promise<boolean> {
    const inserted = await this.knex(DOMAINS)
      .insert({
        cluster: domain.cluster,
        name: domain.name,
        ...row,
        version: 1,
      })
      .onConflict(['cluster', 'name'])
      .ignore()
      .returning(['name']);
    return inserted.length === 1;
  }

  async getDomain(cluster: string, name: string): Promise<Domain | undefined> {
    const view = await this.getDomainView(cluster, name);
    if (!view) return undefined;
    const { version: _version, ...domain } = view;
    return domain;
  }

  /** A saved domain with its version. */
  async getDomainView(
    cluster: string,
    name: string,
  ): Promise<DomainView | undefined> {
    const row = await this.knex(DOMAINS)
      .select('spec', 'version')
      .where({ cluster, name })
      .first();
    return row ? { ...JSON.parse(row.spec), version: row.version } : undefined;
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

  /** The saved domains with their versions. */
  async listDomainViews(cluster?: string): Promise<DomainView[]> {
    const query = this.knex(DOMAINS)
      .select('spec', 'version')
      .orderBy(['cluster', 'name']);
    if (cluster) query.where({ cluster });
    const rows = await query;
    return rows.map(row => ({ ...JSON.parse(row.spec), version: row.version }));
  }

  /**
   * Saves some domains of a cluster and deletes others, in one transaction; each saved one's
   * version becomes one more (a rollback restores domains this way).
   */
  async rewriteDomains(
    cluster: string,
    change: { save: Domain[]; remove: string[] },
    updatedBy: string,
  ): Promise<void> {
    await this.knex.transaction(async tx => {
      for (const name of change.remove) {
        await tx(DOMAINS).where({ cluster, name }).delete();
      }
      for (const domain of change.save) {
        const row = {
          spec: JSON.stringify(domain),
          updated_by: updatedBy,
          updated_at: new Date(),
        };
        const updated = await tx(DOMAINS)
          .where({ cluster, name: domain.name })
          .update({ ...row, version: tx.raw('version + 1') });
        if (updated === 0) {
          await tx(DOMAINS).insert({
            cluster,
            name: domain.name,
            ...row,
            version: 1,
          });
        }
      }
    });
  }

  /** Makes a cluster's saved domains exactly `domains` (each saved one's version one more). */
  async replaceDomains(
    cluster: string,
    domains: Domain[],
    updatedBy: string,
  ): Promise<void> {
    const keep = new Set(domains.map(d => d.name));
    const saved = await this.knex(DOMAINS).select('name').where({ cluster });
    await this.rewriteDomains(
      cluster,
      {
        save: domains,
        remove: saved.map(row => row.name).filter(name => !keep.has(name)),
      },
      updatedBy,
    );
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
        // the intent to deliver it, recorded with it: cleared when its delivery is recorded
        delivery_pending: true,
      })
      .returning('id');
    return typeof row === 'object' ? row.id : row;
  }

  /** Records how a version's delivery went; it (and any older one) is no longer pending. */
  async setDelivery(id: number, delivery: NodeResult[]): Promise<void> {
    await this.knex.transaction(async tx => {
      const row = await tx(VERSIONS).select('cluster').where({ id }).first();
      await tx(VERSIONS)
        .where({ id })
        .update({
          delivery: JSON.stringify(delivery),
          delivery_pending: false,
        });
      if (row) {
        await tx(VERSIONS)
          .where({ cluster: row.cluster, delivery_pending: true })
          .andWhere('id', '<', id)
          .update({ delivery_pending: false });
      }
    });
  }

  /**
   * The newest version of a cluster when its delivery is still pending (recorded, not delivered:
   * its replica died in between, or is delivering it now); undefined otherwise.
   */
  async pendingDelivery(cluster: string): Promise<number | undefined> {
    const row = await this.knex(VERSIONS)
      .select('id', 'delivery_pending')
      .where({ cluster })
      .orderBy('id', 'desc')
      .first();
    return row && (row.delivery_pending === true || row.delivery_pending === 1)
      ? row.id
      : undefined;
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
