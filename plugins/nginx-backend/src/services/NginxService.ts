import { InputError, NotFoundError } from '@backstage/errors';
import {
  Domain,
  domainSchema,
  KubernetesSource,
  NginxClusterSummary,
  PublishResult,
  RenderedDomain,
  UpstreamMembersChange,
  UpstreamMembersResult,
  Version,
  VersionDiff,
  VersionSummary,
} from '@internal/plugin-container-cloud-common';
import { parseInput } from '@internal/plugin-container-cloud-node';
import type { NginxStore } from '../database/NginxStore';
import { domainFileName, EndpointLookup, renderDomain } from '../render';
import { deliver } from './Delivery';
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

  constructor(
    private readonly config: NginxConfig,
    private readonly store: NginxStore,
    private readonly endpoints: EndpointSource = noKubernetes,
  ) {
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

  async getDomain(cluster: string, name: string): Promise<Domain> {
    this.cluster(cluster);
    const domain = await this.store.getDomain(cluster, name);
    if (!domain) {
      throw new NotFoundError(
        `no domain '${name}' in nginx cluster '${cluster}'`,
      );
    }
    return domain;
  }

  /** The domains a catalog entity owns, in every cluster. */
  async domainsOwnedBy(entityRef: string): Promise<Domain[]> {
    const ref = entityRef.toLocaleLowerCase('en-US');
    return (await this.store.listDomains()).filter(
      d => d.owner?.toLocaleLowerCase('en-US') === ref,
    );
  }

  /** Saves a domain as a draft for the next publish; shows the text it renders to now. */
  async saveDomain(domain: Domain, by: string): Promise<RenderedDomain> {
    this.cluster(domain.cluster);
    this.endpoints.check(kubernetesSources([domain]));
    const lookup = await this.endpoints.lookup(kubernetesSources([domain]));
    const text = renderDomain(domain, lookup).text;
    await this.store.saveDomain(domain, by);
    this.index.put(domain);
    return { domain, text };
  }

  /**
   * Replaces the members of some upstreams of a domain (what its owners may change). When the
   * domain is published, the change is published at once, on top of the published version: other
   * unpublished drafts stay drafts. A failed `nginx -t` changes nothing.
   */
  async updateMembers(
    clusterName: string,
    name: string,
    change: UpstreamMembersChange,
    by: string,
  ): Promise<UpstreamMembersResult> {
    const draft = await this.getDomain(clusterName, name);
    const updated = applyMembers(draft, change);
    this.endpoints.check(kubernetesSources([updated]));
    return this.serialized(clusterName, async () => {
      const latest = await this.latestVersion(clusterName);
      const published = latest?.domains.find(d => d.name === name);
      let publish: PublishResult | undefined;
      if (latest && published) {
        const edited = applyMembers(published, change);
        // the edit alone first: a refusal costs one small nginx -t, whatever the cluster's size
        await this.checkInIsolation(edited, latest.domains);
        const domains = latest.domains.map(d => (d.name === name ? edited : d));
        const upstreams = change.upstreams.map(u => u.name).join(', ');
        publish = await this.renderCheckRecord(
          this.cluster(clusterName),
          domains,
          `upstream members of ${name} (${upstreams}) edited`,
          by,
        );
      }
      await this.store.saveDomain(updated, by);
      this.index.put(updated);
      return { domain: updated, ...(publish ? { publish } : {}) };
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
      const byName = (a: Domain, b: Domain) => a.name.localeCompare(b.name);
      if (
        JSON.stringify(domains) !== JSON.stringify([...before].sort(byName))
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

  /** Publishes the files of an earlier version again, after checking them again. */
  async rollback(
    clusterName: string,
    versionId: number,
    message: string | undefined,
    by: string,
  ) {
    const cluster = this.cluster(clusterName);
    const old = await this.getVersion(clusterName, versionId);
    return this.serialized(clusterName, async () => {
      await this.check({ files: old.files, lineFields: {} });
      const result = await this.record(cluster, {
        files: old.files,
        domains: old.domains,
        message: message ?? `rollback to version ${versionId}`,
        by,
        rollbackOf: versionId,
      });
      await this.store.replaceDomains(clusterName, old.domains, by);
      this.index.forget(clusterName);
      return result;
    });
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
   * replicas republishing the same endpoint change then make one version, not two).
   */
  private serialized<T>(cluster: string, work: () => Promise<T>): Promise<T> {
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
    const delivery = await deliver(cluster, v.files);
    await this.store.setDelivery(version, delivery);
    for (const listener of this.publishListeners) listener(cluster.name);
    return { version, delivery, ok: delivery.every(node => node.ok) };
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
