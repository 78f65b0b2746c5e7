import { InputError } from '@backstage/errors';
import type {
  V1Deployment,
  V1PersistentVolumeClaim,
} from '@kubernetes/client-node';
import {
  FailoverPreview,
  FailoverServicePlan,
  KUBERNETES_ID_LABEL,
  PLACEMENTS_ANNOTATION,
  STORAGE_TYPE_LABEL,
} from '@internal/plugin-container-cloud-common';
import type { ContainerCloudClustersService } from '@internal/plugin-container-cloud-node';
import type { ClusterInventory } from '../clusters/ClusterInventory';
import { addAmounts, podRequests, times } from '../clusters/quantities';
import type { ServiceClaims } from '../clusters/ServiceClaims';
import {
  serviceClaimsKind,
  serviceDeploymentsKind,
} from '../clusters/watchedKinds';
import {
  ClusterStorageType,
  claimOf,
  referencedClaims,
  referencedSecrets,
  SecretReference,
} from './carriedObjects';

/**
 * What a move carries into the target besides the Deployment and its ConfigMaps: the Secrets it
 * reads (names only: their content is read from the source when the service scales up) and the
 * claims to make there, of the target's storage type of the same name.
 */
export interface Carried {
  secrets: SecretReference[];
  claims: Array<{ type: ClusterStorageType; source: V1PersistentVolumeClaim }>;
}

/** A planned move with the source Deployment it copies. */
export interface PlannedMove extends FailoverServicePlan {
  source: V1Deployment;
  carried?: Carried;
}

/** A claim as the plan keeps it: what the target's copy is made from. */
function trimmedClaim(claim: V1PersistentVolumeClaim): V1PersistentVolumeClaim {
  return {
    metadata: {
      name: claim.metadata?.name,
      namespace: claim.metadata?.namespace,
      labels: claim.metadata?.labels,
      annotations: claim.metadata?.annotations,
    },
    spec: {
      accessModes: claim.spec?.accessModes,
      resources: claim.spec?.resources,
    },
  };
}

const statusOf = (error: unknown) =>
  (error as { code?: number })?.code ??
  (error as { statusCode?: number })?.statusCode;

export interface FailoverPlan extends Omit<FailoverPreview, 'services'> {
  services: PlannedMove[];
}

/** What to move: every service of `source`, or those named, to `target` or the freest cluster. */
export interface PlanRequest {
  source: string;
  target?: string;
  services?: string[];
}

/**
 * Plans a failover from the watch caches (so a source that is already unreachable can still be
 * evacuated from what was last known of it): which Deployments move with their replicas, which
 * are skipped and why (no catalog Component, a binding that is not bound, placements that do not
 * include the target), and the target's capacity before and after.
 */
export class FailoverPlanner {
  constructor(
    private readonly deps: {
      clusters: ContainerCloudClustersService;
      inventory: ClusterInventory;
      claims: ServiceClaims;
      /** the storage module's types per cluster (containerCloud.storage.volumes) */
      storageTypes: Map<string, Map<string, ClusterStorageType>>;
    },
  ) {}

  async plan(request: PlanRequest): Promise<FailoverPlan> {
    const { clusters, inventory, claims } = this.deps;
    this.known('source', request.source);
    if (request.target !== undefined) this.known('target', request.target);
    const target = request.target ?? this.freest(request.source);
    const warnings: string[] = [];
    const health = clusters.health();
    if (health[request.source]?.reachable) {
      warnings.push(
        `${request.source} is reachable: its services keep serving until each one is ready in ${target}`,
      );
    } else {
      warnings.push(
        `${request.source} is unreachable: the move uses its Deployments as last seen, and scales them down there once it answers again`,
      );
    }
    if (!health[target]?.reachable) {
      warnings.push(
        `${target} is unreachable now: a run cannot start until it answers`,
      );
    }
    const sourceObjects = clusters.watchKind(
      request.source,
      serviceDeploymentsKind,
    );
    const targetObjects = clusters.watchKind(target, serviceDeploymentsKind);
    if (!sourceObjects.isSynced) {
      warnings.push(
        `the watch of ${request.source} is not synced: the Deployments are those last seen`,
      );
    }
    const wanted = request.services ? new Set(request.services) : undefined;
    const deployments = sourceObjects
      .list()
      .filter(d => {
        const id = d.metadata?.labels?.[KUBERNETES_ID_LABEL];
        return id && (!wanted || wanted.has(id));
      })
      .slice()
      .sort((a, b) =>
        `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(
          `${b.metadata?.namespace}/${b.metadata?.name}`,
        ),
      );
    if (wanted) {
      const found = new Set(
        deployments.map(d => d.metadata!.labels![KUBERNETES_ID_LABEL]),
      );
      const missing = [...wanted].filter(id => !found.has(id));
      if (missing.length > 0) {
        throw new InputError(
          `services: ${request.source} runs no Deployment of ${missing.join(
            ', ',
          )}`,
        );
      }
    }
    const claimed = await claims.lookup(
      deployments.map(d => d.metadata!.labels![KUBERNETES_ID_LABEL]),
    );
    const sourceClaims = clusters.watchKind(request.source, serviceClaimsKind);
    const targetClaims = clusters.watchKind(target, serviceClaimsKind);
    if (!sourceClaims.isSynced || !targetClaims.isSynced) {
      warnings.push(
        `the claims of ${request.source} or ${target} are not all known yet: a service mounting a claim may be left out; preview again shortly`,
      );
    }
    const reachable = {
      source: Boolean(health[request.source]?.reachable),
      target: Boolean(health[target]?.reachable),
    };
    const services: PlannedMove[] = await Promise.all(
      deployments.map(async d => {
        const kubernetesId = d.metadata!.labels![KUBERNETES_ID_LABEL];
        const namespace = d.metadata?.namespace ?? '';
        const name = d.metadata?.name ?? '';
        const claim = claimed.get(kubernetesId);
        const there = targetObjects
          .list(namespace)
          .find(t => t.metadata?.name === name);
        const replicas = d.spec?.replicas ?? 1;
        const move: PlannedMove = {
          kubernetesId,
          entityRef: claim?.entityRef ?? null,
          namespace,
          deployment: name,
          replicas,
          targetReplicas: there?.spec?.replicas ?? 0,
          requestedPerReplica: podRequests(d.spec?.template?.spec),
          action: 'move',
          reason: null,
          source: d,
        };
        const skip = (reason: string): PlannedMove => ({
          ...move,
          action: 'skip',
          reason,
        });
        if (!claim) {
          return skip(
            `no catalog Component claims kubernetes id '${kubernetesId}'`,
          );
        }
        const { binding } = claim;
        if (binding.status.state !== 'bound')
          return skip(
            binding.status.message ??
              `the binding of ${claim.entityRef} is ${binding.status.state}`,
          );
        if (!binding.covers(request.source, namespace)) {
          return skip(
            `${claim.entityRef} does not control ${request.source}/${namespace}: its placements leave it out`,
          );
        }
        if (!binding.covers(target, namespace)) {
          return skip(
            `the placements of ${claim.entityRef} do not include ${target}/${namespace} (ops may add it: annotation ${PLACEMENTS_ANNOTATION} or containerCloud.binding.placements)`,
          );
        }
        if (
          there &&
          there.metadata?.labels?.[KUBERNETES_ID_LABEL] !== kubernetesId
        ) {
          return skip(
            `${target} has a Deployment ${namespace}/${name} of another service`,
          );
        }
        if (replicas === 0)
          return skip(`it runs no replicas in ${request.source}`);
        const carried = await this.carried(d, kubernetesId, {
          source: request.source,
          target,
          reachable,
        });
        if (typeof carried === 'string') return skip(carried);
        return { ...move, reason: carriedNote(carried), carried };
      }),
    );
    const before = inventory.allocation(target);
    const moved = addAmounts(
      ...services
        .filter(s => s.action === 'move')
        .map(s => times(s.requestedPerReplica, s.replicas)),
    );
    const after = {
      allocatable: before.allocatable,
      requested: addAmounts(before.requested, moved),
    };
    return {
      source: request.source,
      target,
      targetChosenBy:
        request.target === undefined ? 'free-capacity' : 'operator',
      services,
      targetBefore: before,
      targetAfter: after,
      fits:
        after.requested.cpuCores <= after.allocatable.cpuCores &&
        after.requested.memoryBytes <= after.allocatable.memoryBytes,
      warnings,
    };
  }

  /**
   * What the Deployment carries into the target, or why it cannot move whole: a claim the storage
   * module does not know, or whose storage type the target lacks, or a Secret that can be neither
   * read from an unreachable source nor found in the target. A service is moved whole or not at
   * all.
   */
  private async carried(
    deployment: V1Deployment,
    kubernetesId: string,
    where: {
      source: string;
      target: string;
      reachable: { source: boolean; target: boolean };
    },
  ): Promise<Carried | string> {
    const { clusters, storageTypes } = this.deps;
    const { source, target } = where;
    const namespace = deployment.metadata?.namespace ?? '';
    const sourceClaims = clusters.watchKind(source, serviceClaimsKind);
    const targetClaims = clusters.watchKind(target, serviceClaimsKind);
    const targetTypes = storageTypes.get(target) ?? new Map();
    const claims: Carried['claims'] = [];
    for (const name of referencedClaims(deployment)) {
      const named = (c: V1PersistentVolumeClaim) => c.metadata?.name === name;
      const there = targetClaims.list(namespace).find(named);
      if (there) {
        if (claimOf(there) !== kubernetesId) {
          return `${target} has a claim ${namespace}/${name} of another service (${claimOf(
            there,
          )})`;
        }
        continue; // the storage module made it in every cluster of the service
      }
      const here = sourceClaims.list(namespace).find(named);
      if (!here) {
        return `it mounts the claim ${name}, which the storage module does not know in ${source} (no claim ${namespace}/${name} labelled ${KUBERNETES_ID_LABEL}): its data cannot follow it`;
      }
      const typeName = here.metadata?.labels?.[STORAGE_TYPE_LABEL];
      if (!typeName) {
        return `the claim ${name} has no storage type (label ${STORAGE_TYPE_LABEL}): the storage module did not make it, so ${target} has no equivalent`;
      }
      const type = targetTypes.get(typeName);
      if (!type) {
        return `the claim ${name} is of storage type '${typeName}', which ${target} does not have (its types: ${
          [...targetTypes.keys()].join(', ') || 'none'
        }): nothing of the service moves`;
      }
      claims.push({ type, source: trimmedClaim(here) });
    }
    const secrets = referencedSecrets(deployment);
    if (!where.reachable.source && where.reachable.target) {
      // its Secrets cannot be read now: each one it needs must already be in the target
      const core = clusters.connection(target).core;
      for (const ref of secrets.filter(s => !s.optional)) {
        try {
          await core.readNamespacedSecret({ namespace, name: ref.name });
        } catch (error) {
          if (statusOf(error) !== 404) throw error;
          return `it reads the Secret ${ref.name}, which ${target} lacks, and ${source} is unreachable so it cannot be copied (create it in ${target}/${namespace}, then preview again)`;
        }
      }
    }
    return { secrets, claims };
  }

  /** The reachable cluster other than `source` with the most free CPU, then memory. */
  private freest(source: string): string {
    const { clusters, inventory } = this.deps;
    const health = clusters.health();
    const candidates = clusters.names
      .filter(name => name !== source && health[name]?.reachable)
      .map(name => {
        const { allocatable, requested } = inventory.allocation(name);
        return {
          name,
          cpu: allocatable.cpuCores - requested.cpuCores,
          memory: allocatable.memoryBytes - requested.memoryBytes,
        };
      })
      .sort(
        (a, b) =>
          b.cpu - a.cpu || b.memory - a.memory || a.name.localeCompare(b.name),
      );
    if (candidates.length === 0) {
      throw new InputError(
        `target: no other reachable cluster to move ${source}'s services to; name one`,
      );
    }
    return candidates[0].name;
  }

  private known(field: string, cluster: string) {
    if (!this.deps.clusters.names.includes(cluster)) {
      throw new InputError(
        `${field}: no cluster named '${cluster}' is configured (configured: ${this.deps.clusters.names.join(
          ', ',
        )})`,
      );
    }
  }
}

/** What a move carries, in words (its reason in the preview), or null for nothing. */
function carriedNote(carried: Carried): string | null {
  const parts: string[] = [];
  if (carried.secrets.length > 0) {
    parts.push(
      `Secret(s) ${carried.secrets.map(s => s.name).join(', ')} copied`,
    );
  }
  if (carried.claims.length > 0) {
    parts.push(
      `claim(s) ${carried.claims
        .map(c => `${c.source.metadata?.name} (${c.type.name})`)
        .join(', ')} made in the target (their data is not copied)`,
    );
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

/** A plan as the page shows it. */
export function previewOf(plan: FailoverPlan): FailoverPreview {
  return {
    ...plan,
    services: plan.services.map(({ source, carried, ...service }) => service),
  };
}
