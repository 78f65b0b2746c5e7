import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  Domain,
  domainSchema,
  DomainView,
  KubernetesSource,
  NginxClusterSummary,
  PublishResult,
  RenderedDomain,
  RollbackResult,
  UpstreamMembersChange,
  UpstreamMembersResult,
  Version,
  VersionDiff,
  VersionSummary,
} from '@internal/plugin-container-cloud-common';
import { parseInput } from '@internal/plugin-container-cloud-node';
import type { NginxStore } from '../database/NginxStore';
import { domainFileName, EndpointLookup, renderDomain } from '../render';
import { deliver as deliverToCluster } from './Delivery';
import { ClusterIndex } from './ClusterIndex';
import { findConflicts } from './domainConflicts';
import { diffFiles } from './lineDiff';
import type { NginxCluster, NginxConfig } from './NginxClusterConfig';
import { NginxCheckFailure, NginxValidator } from './NginxValidator';

/** Where the members of an upstream's Kubernetes sources come from. */
export interface EndpointSource {
  /** Throws an InputError when a source names a Kubernetes cluster that is not configured. */
  check(sources: KubernetesSource[]): void;
  /** The ready endpoints of these sources, once their clusters have been listed. */
  lookup(sources: KubernetesSource[]): Promise<EndpointLookup>;
}

/** Without Kubernetes clusters: every Kubernetes source is refused. */
export const noKubernetes: EndpointSource = {
  check(sources) {
    if (sources.length > 0) {
      throw new InputError(
        `no Kubernetes cluster named '${sources[0].cluster}' is configured`,
      );
    }
  },
  async lookup() {
    return () => [];
  },
};

export function kubernetesSources(domains: Domain[]): KubernetesSource[] {
  return domains.flatMap(d => d.upstreams.flatMap(u => u.kubernetes ?? []));
}

/**
 * A save or member update made from a version of the domain that is no longer its saved one (or
 * of a domain that is gone): a 409 carrying the domain as it is now (null when there is none).
 */
export class DomainConflictError extends ConflictError {
  constructor(message: string, readonly current: DomainView | null) {
    super(message);
  }
}

function conflict(
  cluster: string,
  name: string,
  expected: number,
  current: DomainView | undefined,
): DomainConflictError {
  if (!current) {
    return new DomainConflictError(
      expected === 0
        ? `domain '${name}' of nginx cluster '${cluster}' was saved by someone else meanwhile`
        : `domain '${name}' of nginx cluster '${cluster}' no longer exists`,
      null,
    );
  }
  return new DomainConflictError(
    expected === 0
      ? `domain '${name}' already exists in nginx cluster '${cluster}' (version ${current.version}): reload it and edit that`
      : `domain '${name}' of nginx cluster '${cluster}' was changed by someone else: you edited version ${expected}, it is now version ${current.version}; reload it and make your change again`,
    current,
  );
}

/** How a version's files reach a cluster's nodes (`Delivery.deliver`; tests replace it). */
export type DeliverFiles = typeof deliverToCluster;

export interface NginxServiceOptions {
  deliver?: DeliverFiles;
}

interface Rendered {
  files: Record<string, string>;
  lineFields: Record<string, Array<string | undefined>>;
}

/** Domains, publishing, versions and rollback for the configured nginx clusters. */
export class NginxService {
  private readonly validator: NginxValidator;
  /** one publish at a time per cluster: versions follow each other (see serialized) */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly publishListeners = new Set<(cluster: string) => void>();
  /** the names the saved domains of each cluster hold, for checking edits */
  private readonly index: ClusterIndex;

  private readonly deliver: DeliverFiles;

  constructor(
    private readonly config: NginxConfig,
    private readonly store: NginxStore,
    private readonly endpoints: EndpointSource = noKubernetes,
    options: NginxServiceOptions = {},
  ) {
    this.deliver = options.deliver ?? deliverToCluster;
    this.validator = new NginxValidator(
      config.binary,
      (config.checkTimeoutSeconds ?? 120) * 1000,
    );
    this.index = new ClusterIndex(cluster => this.store.listDomains(cluster));
  }

  get clusterNames(): string[] {
    return this.config.clusters.map(c => c.name);
  }

  /** Called after each version is recorded (so watchers can follow what it references). */
  onPublish(listener: (cluster: string) => void): () => void {
    this.publishListeners.add(listener);
    return () => this.publishListeners.delete(listener);
  }

  async listClusters(): Promise<NginxClusterSummary[]> {
    return Promise.all(
      this.config.clusters.map(async c => {
        const versions = await this.store.listVersions(c.name, 1);
        const latest = versions[0];
        return {
          name: c.name,
          environment: c.environment,
          currentVersion: latest?.id ?? null,
          nodes: c.nodes.map(node => {
            const result = latest?.delivery?.find(r => r.node === node.name);
            return {
              name: node.name,
              confDir: node.confDir,
              // a node that failed its last delivery still runs an older version
              lastDelivery: result ?? null,
            };
          }),
        };
      }),
    );
  }

  cluster(name: string): NginxCluster {
    const cluster = this.config.clusters.find(c => c.name === name);
    if (!cluster) throw new NotFoundError(`no nginx cluster named '${name}'`);
    return cluster;
  }

  listDomains(cluster?: string) {
    if (cluster) this.cluster(cluster);
    return this.store.listDomains(cluster);
  }

  /** The saved domains with their versions (what the API answers). */
  listDomainViews(cluster?: string): Promise<DomainView[]> {
    if (cluster) this.cluster(cluster);
    return this.store.listDomainViews(cluster);
  }

  async getDomain(cluster: string, name: string): Promise<Domain> {
    const { version: _version, ...domain } = await this.getDomainView(
      cluster,
      name,
    );
    return domain;
  }

  /** A saved domain with its version. */
  async getDomainView(cluster: string, name: string): Promise<DomainView> {
    this.cluster(cluster);
    const domain = await this.store.getDomainView(cluster, name);
    if (!domain) {
      throw new NotFoundError(
        `no domain '${name}' in nginx cluster '${cluster}'`,
      );
    }
    return domain;
  }

  /** The domains a catalog entity owns, in every cluster. */
  async domainsOwnedBy(entityRef: string): Promise<DomainView[]> {
    const ref = entityRef.toLocaleLowerCase('en-US');
    return (await this.store.listDomainViews()).filter(
      d => d.owner?.toLocaleLowerCase('en-US') === ref,
    );
  }

  /**
   * Saves a domain as a draft for the next publish; shows the text it renders to now. `expected` is
   * the version the edit was made from (0 for a new domain): when the saved domain has another,
   * nothing is saved and a DomainConflictError carries it. Without `expected` the save is
   * unconditional (the backend's own writers).
   */
  async saveDomain(
    domain: Domain,
    by: string,
    expected?: number,
  ): Promise<RenderedDomain> {
    this.cluster(domain.cluster);
    this.endpoints.check(kubernetesSources([domain]));
    const lookup = await this.endpoints.lookup(kubernetesSources([domain]));
    const text = renderDomain(domain, lookup).text;
    // under the cluster's lock: a member update's check, publish and save see no save between
    const saved = await this.locked(domain.cluster, () =>
      this.store.saveDomain(domain, by, expected),
    );
    if (!saved.saved) {
      throw conflict(domain.cluster, domain.name, expected!, saved.current);
    }
    this.index.put(domain);
    return { domain: { ...domain, version: saved.version }, text };
  }

  /**
   * Replaces the members of some upstreams of a domain (what its owners may change). When the
   * domain is published, the change is published at once, on top of the published version: other
   * unpublished drafts stay drafts. A failed `nginx -t` changes nothing. `change.version` is the
   * version of the domain the change was made from: when the saved domain has another, nothing
   * changes and a DomainConflictError carries it.
   */
  async updateMembers(
    clusterName: string,
    name: string,
    change: UpstreamMembersChange,
    by: string,
  ): Promise<UpstreamMembersResult> {
    const { version: _version, ...draft } = await this.getDomainView(
      clusterName,
      name,
    );
    applyMembers(draft, change); // a 400 before waiting for the lock
    return this.serialized(clusterName, async () => {
      // read again under the lock: the version checked is the one the publish builds on
      const current = await this.store.getDomainView(clusterName, name);
      if (!current || current.version !== change.version) {
        throw conflict(clusterName, name, change.version, current);
      }
      const { version: _current, ...saved } = current;
      const updated = applyMembers(saved, change);
      this.endpoints.check(kubernetesSources([updated]));
      // the draft first, conditionally: of two edits of one version only one gets here, even
      // where no database lock serialises replicas; a failed publish puts the draft back
      const claimed = await this.store.saveDomain(updated, by, change.version);
      if (!claimed.saved) {
        throw conflict(clusterName, name, change.version, claimed.current);
      }
      let publish: PublishResult | undefined;
      try {
        const latest = await this.latestVersion(clusterName);
        const published = latest?.domains.find(d => d.name === name);
        if (latest && published) {
          const edited = applyMembers(published, change);
          // the edit alone first: a refusal costs one small nginx -t, whatever the cluster's size
          await this.checkInIsolation(edited, latest.domains);
          const domains = latest.domains.map(d =>
            d.name === name ? edited : d,
          );
          const upstreams = change.upstreams.map(u => u.name).join(', ');
          publish = await this.renderCheckRecord(
            this.cluster(clusterName),
            domains,
            `upstream members of ${name} (${upstreams}) edited`,
            by,
          );
        }
      } catch (error) {
        await this.store.restoreDomain(current, claimed.version);
        throw error;
      }
      this.index.put(updated);
      return {
        domain: { ...updated, version: claimed.version },
        ...(publish ? { publish } : {}),
      };
    });
  }

  /**
   * Publishes a change of some domains on top of the published version (other unpublished drafts
   * stay drafts), and saves the same change to the drafts. Publishes nothing when the change
   * leaves the published domains as they are.
   */
  async publishOnTop(
    clusterName: string,
    change: { save: Domain[]; remove: string[] },
    message: string,
    by: string,
  ): Promise<PublishResult | undefined> {
    const cluster = this.cluster(clusterName);
    this.endpoints.check(kubernetesSources(change.save));
    return this.serialized(clusterName, async () => {
      const latest = await this.latestVersion(clusterName);
      const before = latest?.domains ?? [];
      const touched = new Set([
        ...change.remove,
        ...change.save.map(d => d.name),
      ]);
      const domains = [
        ...before.filter(d => !touched.has(d.name)),
        ...change.save,
      ].sort((a, b) => a.name.localeCompare(b.name));
      for (const domain of change.save) {
        await this.checkInIsolation(domain, domains);
      }
      let result: PublishResult | undefined;
      const nameOrder = (a: Domain, b: Domain) => a.name.localeCompare(b.name);
      if (
        JSON.stringify(domains) !== JSON.stringify([...before].sort(nameOrder))
      ) {
        result = await this.renderCheckRecord(cluster, domains, message, by);
      }
      for (const domain of change.save) {
        await this.store.saveDomain(domain, by);
        this.index.put(domain);
      }
      for (const name of change.remove) {
        await this.store.deleteDomain(clusterName, name);
        this.index.delete(clusterName, name);
      }
      return result;
    });
  }

  /**
   * Checks an edit of one domain without parsing the whole cluster: the domain's own file with
   * `nginx -t` in a scratch prefix (the same http-level settings as the full check, no other
   * domain), and, in the backend, its names against the saved domains of its cluster (server
   * name on a listen address, upstream and variable names). Refuses (InputError) whatever the
   * full check of the cluster would refuse because of this domain, and collisions nginx would
   * only warn about. Saves nothing.
   */
  async validateDomain(domain: Domain): Promise<void> {
    this.cluster(domain.cluster);
    this.endpoints.check(kubernetesSources([domain]));
    refuseConflicts(domain, await this.index.conflicts(domain));
    const lookup = await this.endpoints.lookup(kubernetesSources([domain]));
    await this.checkAlone(renderOne(domain, lookup));
  }

  /** The isolated check of `domain` among `others` (the domain of the same name is replaced). */
  async checkInIsolation(
    domain: Domain,
    others: Domain[],
    lookup?: EndpointLookup,
  ): Promise<void> {
    const conflicts = findConflicts(domain, others);
    if (conflicts.length > 0) {
      throw new InputError(
        `domain '${
          domain.name
        }' collides with other domains of nginx cluster '${
          domain.cluster
        }': ${conflicts.join('; ')}`,
      );
    }
    await this.checkAlone(
      renderOne(
        domain,
        lookup ?? (await this.endpoints.lookup(kubernetesSources([domain]))),
      ),
    );
  }

  /** Renders every saved domain of a cluster, checks it with nginx -t, records and delivers. */
  async publish(clusterName: string, message: string, by: string) {
    const cluster = this.cluster(clusterName);
    return this.serialized(clusterName, async () =>
      this.renderCheckRecord(
        cluster,
        await this.store.listDomains(clusterName),
        message,
        by,
      ),
    );
  }

  /**
   * Renders the published domains again with the endpoints as they are now, and publishes only
   * when a file changed. Returns undefined when nothing changed or nothing was ever published.
   */
  async republish(
    clusterName: string,
    message: string,
    by: string,
  ): Promise<PublishResult | undefined> {
    const cluster = this.cluster(clusterName);
    return this.serialized(clusterName, async () => {
      const latest = await this.latestVersion(clusterName);
      if (!latest) return undefined;
      const rendered = await this.render(latest.domains);
      if (sameFiles(rendered.files, latest.files)) return undefined;
      await this.check(rendered);
      return this.record(cluster, {
        files: rendered.files,
        domains: latest.domains,
        message,
        by,
      });
    });
  }

  /**
   * Publishes the domains of an earlier version again, rendered with the Kubernetes endpoints as
   * they are now (a rollback restores definitions, not the pod addresses of its time), after
   * checking the whole cluster again. The saved domains the rollback changes become the old
   * definitions, except those with an unpublished draft (a saved domain that differs from the
   * published one): those drafts are kept as they are, on top, and named in `keptDrafts` (the
   * next publish publishes them). Drafts of domains the rollback does not change stay too.
   */
  async rollback(
    clusterName: string,
    versionId: number,
    message: string | undefined,
    by: string,
  ): Promise<RollbackResult> {
    const cluster = this.cluster(clusterName);
    const old = await this.getVersion(clusterName, versionId);
    return this.serialized(clusterName, async () => {
      const latest = await this.latestVersion(clusterName);
      const published = byName(latest?.domains ?? []);
      const target = byName(old.domains);
      const drafts = byName(await this.store.listDomains(clusterName));
      const save: Domain[] = [];
      const remove: string[] = [];
      const keptDrafts: string[] = [];
      for (const name of new Set([...published.keys(), ...target.keys()])) {
        const before = published.get(name);
        const after = target.get(name);
        if (sameDomain(before, after)) continue; // the rollback does not change it
        if (!sameDomain(drafts.get(name), before)) {
          keptDrafts.push(name);
        } else if (after) {
          save.push(after);
        } else if (drafts.has(name)) {
          remove.push(name);
        }
      }
      const rendered = await this.render(old.domains);
      await this.check(rendered);
      // the drafts first: a crash before the version is recorded leaves them as drafts of it
      await this.store.rewriteDomains(clusterName, { save, remove }, by);
      this.index.forget(clusterName);
      const result = await this.record(cluster, {
        files: rendered.files,
        domains: old.domains,
        message: message ?? `rollback to version ${versionId}`,
        by,
        rollbackOf: versionId,
      });
      return { ...result, keptDrafts: keptDrafts.sort() };
    });
  }

  /**
   * Delivers the newest version of a cluster when its delivery is still pending: its replica died
   * between recording and delivering it. Every publish does this first too; the scheduled task
   * does it for clusters nobody publishes. Returns the delivery, or undefined when none was due.
   */
  resumeDelivery(clusterName: string): Promise<PublishResult | undefined> {
    this.cluster(clusterName);
    return this.locked(clusterName, () => this.deliverPending(clusterName));
  }

  private async deliverPending(
    clusterName: string,
  ): Promise<PublishResult | undefined> {
    const id = await this.store.pendingDelivery(clusterName);
    if (id === undefined) return undefined;
    const version = await this.store.getVersion(id);
    if (!version) return undefined;
    return this.deliverVersion(this.cluster(clusterName), id, version.files);
  }

  async listVersions(cluster: string): Promise<VersionSummary[]> {
    this.cluster(cluster);
    return this.store.listVersions(cluster);
  }

  async getVersion(cluster: string, id: number): Promise<Version> {
    this.cluster(cluster);
    const version = await this.store.getVersion(id);
    if (!version || version.cluster !== cluster) {
      throw new NotFoundError(`no version ${id} of nginx cluster '${cluster}'`);
    }
    return version;
  }

  /** The newest version of a cluster, with its files and domains. */
  async latestVersion(cluster: string): Promise<Version | undefined> {
    const id = await this.store.latestVersionId(cluster);
    return id === undefined ? undefined : this.store.getVersion(id);
  }

  async diff(cluster: string, from: number, to: number): Promise<VersionDiff> {
    const [before, after] = await Promise.all([
      this.getVersion(cluster, from),
      this.getVersion(cluster, to),
    ]);
    return { cluster, from, to, files: diffFiles(before.files, after.files) };
  }

  /** The text files of a set of domains, with the endpoints as they are now. */
  async render(domains: Domain[]): Promise<Rendered> {
    const lookup = await this.endpoints.lookup(kubernetesSources(domains));
    const files: Record<string, string> = {};
    const lineFields: Record<string, Array<string | undefined>> = {};
    for (const domain of domains) {
      const rendered = renderDomain(domain, lookup);
      files[domainFileName(domain)] = rendered.text;
      lineFields[domainFileName(domain)] = rendered.lineFields;
    }
    return { files, lineFields };
  }

  private async deliverVersion(
    cluster: NginxCluster,
    version: number,
    files: Record<string, string>,
  ): Promise<PublishResult> {
    const delivery = await this.deliver(cluster, files);
    await this.store.setDelivery(version, delivery);
    for (const listener of this.publishListeners) listener(cluster.name);
    return { version, delivery, ok: delivery.every(node => node.ok) };
  }

  private async renderCheckRecord(
    cluster: NginxCluster,
    domains: Domain[],
    message: string,
    by: string,
  ) {
    const rendered = await this.render(domains);
    await this.check(rendered);
    return this.record(cluster, {
      files: rendered.files,
      domains,
      message,
      by,
    });
  }

  /**
   * One publish at a time per nginx cluster: in this process by a queue, across backend replicas
   * by the store's lock, so that each publish reads the version the previous one recorded (two
   * replicas republishing the same endpoint change then make one version, not two). A version
   * whose delivery is still pending (its replica died) is delivered first.
   */
  private serialized<T>(cluster: string, work: () => Promise<T>): Promise<T> {
    return this.locked(cluster, async () => {
      await this.deliverPending(cluster);
      return work();
    });
  }

  /** The queue and the store's lock of `serialized`, without the pending delivery. */
  private locked<T>(cluster: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(cluster) ?? Promise.resolve();
    const locked = () => this.store.withPublishLock(cluster, work);
    const next = previous.then(locked, locked);
    this.queues.set(
      cluster,
      next.catch(() => undefined),
    );
    return next;
  }

  /** `nginx -t` of one domain's file alone (the isolated check). */
  private async checkAlone(rendered: Rendered) {
    const [[name, text]] = Object.entries(rendered.files);
    const result = await this.validator.checkAlone(name, text);
    if (!result.ok) {
      throw new InputError(describeFailure(result, rendered.lineFields));
    }
  }

  private async check(rendered: Rendered) {
    const result = await this.validator.check(rendered.files);
    if (!result.ok) {
      throw new InputError(describeFailure(result, rendered.lineFields));
    }
  }

  private async record(
    cluster: NginxCluster,
    v: {
      files: Record<string, string>;
      domains: Domain[];
      message: string;
      by: string;
      rollbackOf?: number;
    },
  ): Promise<PublishResult> {
    const version = await this.store.addVersion({
      cluster: cluster.name,
      createdBy: v.by,
      message: v.message,
      files: v.files,
      domains: v.domains,
      rollbackOf: v.rollbackOf,
    });
    return this.deliverVersion(cluster, version, v.files);
  }
}

function refuseConflicts(domain: Domain, conflicts: string[]) {
  if (conflicts.length > 0) {
    throw new InputError(
      `domain '${domain.name}' collides with other domains of nginx cluster '${
        domain.cluster
      }': ${conflicts.join('; ')}`,
    );
  }
}

function renderOne(domain: Domain, lookup: EndpointLookup): Rendered {
  const rendered = renderDomain(domain, lookup);
  const file = domainFileName(domain);
  return {
    files: { [file]: rendered.text },
    lineFields: { [file]: rendered.lineFields },
  };
}

function byName(domains: Domain[]): Map<string, Domain> {
  return new Map(domains.map(d => [d.name, d]));
}

/** The same JSON whatever the order of the keys. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map(key => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

function sameDomain(a: Domain | undefined, b: Domain | undefined): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function sameFiles(a: Record<string, string>, b: Record<string, string>) {
  const names = Object.keys(a);
  return (
    names.length === Object.keys(b).length &&
    names.every(name => a[name] === b[name])
  );
}

/** A domain with some upstreams' members replaced; the upstreams must exist. */
export function applyMembers(
  domain: Domain,
  change: UpstreamMembersChange,
): Domain {
  const names = domain.upstreams.map(u => u.name);
  change.upstreams.forEach((u, i) => {
    if (!names.includes(u.name)) {
      throw new InputError(
        `invalid upstream members: upstreams.${i}.name: domain '${domain.name}' has no upstream named '${u.name}'`,
      );
    }
  });
  const updated: Domain = {
    ...domain,
    upstreams: domain.upstreams.map(upstream => {
      const replacement = change.upstreams.find(u => u.name === upstream.name);
      if (!replacement) return upstream;
      const { kubernetes, ...rest } = replacement;
      return kubernetes?.length ? { ...rest, kubernetes } : rest;
    }),
  };
  // the whole domain must still be valid, e.g. no upstream left without members
  return parseInput(domainSchema, updated, 'upstream members');
}

/** nginx's message, tied to the domain and field its line came from when that is known. */
export function describeFailure(
  failure: NginxCheckFailure,
  lineFields: Record<string, Array<string | undefined>>,
): string {
  if (!failure.file || !failure.line)
    return `nginx -t failed: ${failure.message}`;
  const domain = failure.file.replace(/\.conf$/, '');
  const field = lineFields[failure.file]?.[failure.line - 1];
  return `nginx -t failed for domain '${domain}'${
    field ? ` at ${field}` : ''
  }: ${failure.message}`;
}
