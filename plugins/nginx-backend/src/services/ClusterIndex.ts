import type { Domain } from '@internal/plugin-container-cloud-common';
import { claimKeys, conflictsWith } from './domainConflicts';

interface Index {
  loadedAt: number;
  /** claim key → the domains that hold it (more than one only where saved domains collide) */
  owners: Map<string, Set<string>>;
  /** domain → its claim keys */
  claims: Map<string, string[]>;
}

/**
 * The names each saved domain of a cluster holds (server names per listen address, upstream and
 * variable names), kept in memory so that checking one edit does not read and parse every domain
 * of the cluster. Writes made through this process update it at once; writes made by other backend
 * replicas are picked up by reloading it from the store: in the background once it is older than
 * `refreshMs`, before answering once it is older than `maxAgeMs`. A server name it misses for that
 * reason reaches the publish, where nginx warns about it and serves the domain that comes first
 * (upstream names nginx refuses itself; the schema keeps them apart anyway).
 */
export class ClusterIndex {
  private readonly indexes = new Map<string, Index>();
  private readonly loading = new Map<string, Promise<Index>>();
  /** writes through this process, per cluster: a load that overlapped one is not trusted */
  private readonly writes = new Map<string, number>();

  constructor(
    private readonly load: (cluster: string) => Promise<Domain[]>,
    private readonly refreshMs = 2_000,
    private readonly maxAgeMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Where `domain` collides with the other saved domains of its cluster. */
  async conflicts(domain: Domain): Promise<string[]> {
    const index = await this.current(domain.cluster);
    return conflictsWith(domain, key => index.owners.get(key));
  }

  /** This process saved `domain`. */
  put(domain: Domain) {
    this.wrote(domain.cluster);
    const index = this.indexes.get(domain.cluster);
    if (!index) return;
    remove(index, domain.name);
    add(index, domain.name, claimKeys(domain));
  }

  /** This process deleted a domain. */
  delete(cluster: string, name: string) {
    this.wrote(cluster);
    const index = this.indexes.get(cluster);
    if (index) remove(index, name);
  }

  /** The cluster's domains were replaced as a whole: read them again at the next check. */
  forget(cluster: string) {
    this.wrote(cluster);
    this.indexes.delete(cluster);
  }

  private wrote(cluster: string) {
    this.writes.set(cluster, (this.writes.get(cluster) ?? 0) + 1);
  }

  private async current(cluster: string): Promise<Index> {
    const index = this.indexes.get(cluster);
    const age = index ? this.now() - index.loadedAt : Infinity;
    if (index && age <= this.refreshMs) return index;
    const reload = this.reload(cluster);
    if (index && age <= this.maxAgeMs) {
      reload.catch(() => undefined);
      return index;
    }
    return reload;
  }

  private reload(cluster: string): Promise<Index> {
    let pending = this.loading.get(cluster);
    if (!pending) {
      const startedAt = this.now();
      const writesBefore = this.writes.get(cluster) ?? 0;
      pending = this.load(cluster)
        .then(domains => {
          const index: Index = {
            // a write of this process during the load may be missing: answer with it once,
            // and read the store again before the next answer
            loadedAt:
              (this.writes.get(cluster) ?? 0) === writesBefore
                ? startedAt
                : -Infinity,
            owners: new Map(),
            claims: new Map(),
          };
          for (const domain of domains) {
            add(index, domain.name, claimKeys(domain));
          }
          this.indexes.set(cluster, index);
          return index;
        })
        .finally(() => this.loading.delete(cluster));
      this.loading.set(cluster, pending);
    }
    return pending;
  }
}

function add(index: Index, name: string, keys: string[]) {
  index.claims.set(name, keys);
  for (const key of keys) {
    const owners = index.owners.get(key) ?? new Set<string>();
    owners.add(name);
    index.owners.set(key, owners);
  }
}

function remove(index: Index, name: string) {
  for (const key of index.claims.get(name) ?? []) {
    const owners = index.owners.get(key);
    owners?.delete(name);
    if (owners?.size === 0) index.owners.delete(key);
  }
  index.claims.delete(name);
}
