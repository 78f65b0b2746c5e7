import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import {
  AdminVolumeList,
  KUBERNETES_ID_LABEL,
  quantityBytes,
  reportedQuantityBytes,
  STORAGE_TYPE_LABEL,
  VolumeChangeResult,
  VolumeClusterOutcome,
  VolumeCreateRequest,
  VolumeDeleteResult,
  VolumeList,
  VolumeMountRequest,
  VolumeUnmountRequest,
  VolumeView,
} from '@internal/plugin-container-cloud-common';
import {
  ClusterWriteError,
  describeKubeError,
  FIELD_MANAGER,
} from '@internal/plugin-container-cloud-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import {
  mountInEveryCluster,
  MountResult,
  throwUnlessApplied,
  unmountInEveryCluster,
  workloadLabel,
} from '../mounts';
import {
  claimObjects,
  workloadsUsingClaim,
  podVolumeName,
  reclaimMeaning,
  staticVolumeName,
} from './claims';
import { ClaimWriter, CreatedClaim, errorBody } from './ClaimWriter';
import type { StorageType } from './storageTypes';
import { LoadedService, Place, VolumeDeps, VolumeReader } from './VolumeReader';

export type { LoadedService } from './VolumeReader';

/** A volume in use: 409 naming the workloads, with the volume as it is. */
export class VolumeInUseError extends ConflictError {
  constructor(message: string, readonly current: VolumeView) {
    super(message);
  }
}

/**
 * A service's volumes in every cluster it runs in: creating, mounting, unmounting, resizing and
 * deleting them, so that a change holds in every cluster or the answer says where it does not.
 */
export class VolumeService {
  private readonly reader: VolumeReader;
  private readonly writer: ClaimWriter;

  constructor(private readonly options: VolumeDeps) {
    this.reader = new VolumeReader(options);
    this.writer = new ClaimWriter(options.clusters, options.logger);
  }

  private get clusters() {
    return this.options.clusters;
  }

  list(service: LoadedService): Promise<VolumeList> {
    return this.reader.list(service);
  }

  adminList(now?: Date): Promise<AdminVolumeList> {
    return this.reader.adminList(now);
  }

  /** The type's settings in each cluster, or a 400 naming what is missing. */
  private checkType(
    places: Place[],
    type: string,
    accessMode: string,
  ): Map<string, StorageType> {
    const result = new Map<string, StorageType>();
    for (const place of places) {
      const t = this.reader.typeIn(place.cluster, type);
      if (!t) {
        const offered = this.options.types.types
          .filter(x => x.cluster === place.cluster)
          .map(x => x.name);
        throw new InputError(
          `invalid volume: type: cluster ${
            place.cluster
          } offers no storage type '${type}' (it offers: ${
            offered.join(', ') || 'none; see containerCloud.storage.volumes'
          })`,
        );
      }
      if (!t.accessModes.includes(accessMode)) {
        throw new InputError(
          `invalid volume: accessMode: type '${type}' in cluster ${
            place.cluster
          } offers ${t.accessModes.join(', ')}`,
        );
      }
      result.set(place.cluster, t);
    }
    return result;
  }

  /** Creates the volume in every cluster the service runs in, or in none. */
  async create(
    service: LoadedService,
    request: VolumeCreateRequest,
    user: string,
  ): Promise<VolumeChangeResult> {
    const places = await this.reader.places(service.binding);
    if (places.length === 0) {
      throw new InputError(
        `${service.entityRef} runs in no cluster yet: a volume is made in the clusters its Deployments run in`,
      );
    }
    const types = this.checkType(places, request.type, request.accessMode);
    for (const place of places) {
      service.binding.idIn(place.cluster, place.namespace);
      if (await this.writer.readClaim(place, request.name)) {
        throw new ConflictError(
          `a claim named '${request.name}' exists already in ${place.namespace} of cluster ${place.cluster}; choose another name`,
        );
      }
    }
    const outcomes: VolumeClusterOutcome[] = [];
    const created: CreatedClaim[] = [];
    let failure: Error | undefined;
    for (const place of places) {
      if (failure) {
        outcomes.push({ ...place, state: 'not-attempted' });
        continue;
      }
      const objects = claimObjects({
        ...request,
        namespace: place.namespace,
        kubernetesId: service.binding.kubernetesId,
        type: types.get(place.cluster)!,
        createdBy: user,
      });
      try {
        await this.writer.createIn(place, objects);
        created.push({
          place,
          name: request.name,
          staticPv: objects.volume?.metadata?.name,
          index: outcomes.length,
        });
        outcomes.push({ ...place, state: 'created' });
      } catch (error) {
        failure = error as Error;
        outcomes.push({ ...place, state: 'failed', error: errorBody(error) });
      }
    }
    if (failure) {
      await this.writer.rollBackCreated(created, outcomes);
      if (!outcomes.some(o => o.state === 'left-applied')) {
        failure.message = `${failure.message}; nothing was created`;
        throw failure;
      }
      return {
        ok: false,
        outcomes,
        message: `volume ${request.name} was not created everywhere, and could not be removed everywhere: see each cluster`,
      };
    }
    return {
      ok: true,
      outcomes,
      volume: await this.reader.get(service, request.name),
      message: `volume ${request.name} created in ${places
        .map(p => p.cluster)
        .join(', ')}`,
    };
  }

  /**
   * Mounts the volume into every Deployment of the service: its claim is made first in each
   * cluster that lacks it (same type, size and access mode), then each Deployment is patched.
   * When a Deployment refuses, the others are put back and the claims made here removed.
   */
  async mount(
    service: LoadedService,
    name: string,
    request: VolumeMountRequest,
    user: string,
  ): Promise<{ result: VolumeChangeResult; status: number }> {
    const { binding } = service;
    const places = await this.reader.places(binding);
    const existing = await Promise.all(
      places.map(async place => ({
        place,
        claim: await this.writer.readClaim(place, name),
      })),
    );
    const model = existing.find(e => e.claim)?.claim;
    if (!model) {
      throw new NotFoundError(`${service.entityRef} has no volume '${name}'`);
    }
    for (const { claim, place } of existing) {
      if (
        claim &&
        claim.metadata?.labels?.[KUBERNETES_ID_LABEL] !== binding.kubernetesId
      ) {
        throw new ConflictError(
          `the claim '${name}' in ${place.namespace} of cluster ${place.cluster} belongs to no one or another service (label ${KUBERNETES_ID_LABEL}); it is not this service's to mount`,
        );
      }
    }
    // the claims missing in some clusters, made like the one that exists
    const missing = existing.filter(e => !e.claim).map(e => e.place);
    const typeName = model.metadata?.labels?.[STORAGE_TYPE_LABEL];
    const accessMode = model.spec?.accessModes?.[0] ?? 'ReadWriteOnce';
    const size = model.spec?.resources?.requests?.storage ?? '1Gi';
    if (missing.length > 0 && !typeName) {
      throw new InputError(
        `volume '${name}' has no ${STORAGE_TYPE_LABEL} label, so it cannot be made in ${missing
          .map(p => p.cluster)
          .join(', ')}`,
      );
    }
    const types = missing.length
      ? this.checkType(missing, typeName!, accessMode)
      : new Map<string, StorageType>();
    const claimOutcomes: VolumeClusterOutcome[] = [];
    const created: CreatedClaim[] = [];
    for (const place of missing) {
      const objects = claimObjects({
        name,
        namespace: place.namespace,
        kubernetesId: binding.kubernetesId,
        type: types.get(place.cluster)!,
        size,
        accessMode,
        createdBy: user,
      });
      try {
        await this.writer.createIn(place, objects);
        created.push({
          place,
          name,
          staticPv: objects.volume?.metadata?.name,
          index: claimOutcomes.length,
        });
        claimOutcomes.push({ ...place, state: 'created' });
      } catch (error) {
        claimOutcomes.push({
          ...place,
          state: 'failed',
          error: errorBody(error),
        });
        await this.writer.rollBackCreated(created, claimOutcomes);
        if (claimOutcomes.some(o => o.state === 'left-applied')) {
          return this.halfway(name, claimOutcomes, 'mount');
        }
        throw error;
      }
    }
    let result: MountResult;
    try {
      result = await mountInEveryCluster(this.clusters, binding, {
        volume: {
          name: podVolumeName(name),
          source: {
            persistentVolumeClaim: {
              claimName: name,
              ...(request.readOnly ? { readOnly: true } : {}),
            },
          },
        },
        mount: {
          path: request.path,
          subPath: request.subPath,
          readOnly: request.readOnly,
          containers: request.containers,
        },
        expected: request.expected,
      });
    } catch (error) {
      // refused before any Deployment changed: the claims made for it go too
      await this.writer.rollBackCreated(created, claimOutcomes);
      throw error;
    }
    if (!result.ok) {
      const deploymentsBack = !result.outcomes.some(
        o => o.state === 'left-applied',
      );
      if (deploymentsBack)
        await this.writer.rollBackCreated(created, claimOutcomes);
      if (
        deploymentsBack &&
        !claimOutcomes.some(o => o.state === 'left-applied')
      ) {
        throwUnlessApplied(result);
      }
      return this.halfway(
        name,
        [...claimOutcomes, ...result.outcomes],
        'mount',
      );
    }
    await this.writer.markMounted(places, name, true);
    return {
      status: 200,
      result: {
        ok: true,
        outcomes: [...claimOutcomes, ...result.outcomes],
        volume: await this.reader.get(service, name),
        message: `volume ${name} mounted at ${request.path} in ${result.outcomes
          .map(o => `${o.cluster}/${o.deployment}`)
          .join(', ')}`,
      },
    };
  }

  private halfway(
    name: string,
    outcomes: VolumeClusterOutcome[],
    what: string,
  ): { result: VolumeChangeResult; status: number } {
    return {
      status: 207,
      result: {
        ok: false,
        outcomes,
        message: `the ${what} of volume ${name} failed in one cluster and could not be undone in another: each cluster's outcome says what it holds now`,
      },
    };
  }

  /** Removes the volume from every Deployment of the service. */
  async unmount(
    service: LoadedService,
    name: string,
    request: VolumeUnmountRequest,
  ): Promise<{ result: VolumeChangeResult; status: number }> {
    const volume = await this.reader.get(service, name);
    const result = await unmountInEveryCluster(this.clusters, service.binding, {
      volumeName: d =>
        d.spec?.template?.spec?.volumes?.find(
          v => v.persistentVolumeClaim?.claimName === name,
        )?.name,
      expected: request.expected,
    });
    if (!result.ok) {
      throwUnlessApplied(result);
      return this.halfway(name, result.outcomes, 'unmount');
    }
    await this.writer.markMounted(
      volume.claims.map(c => ({ cluster: c.cluster, namespace: c.namespace })),
      name,
      false,
    );
    return {
      status: 200,
      result: {
        ok: true,
        outcomes: result.outcomes,
        volume: await this.reader.get(service, name),
        message: `volume ${name} unmounted from ${
          result.outcomes
            .filter(o => o.state === 'unmounted')
            .map(o => `${o.cluster}/${o.deployment}`)
            .join(', ') || 'no Deployment (none mounted it)'
        }`,
      },
    };
  }

  /** Grows the volume in every cluster; a 400 when a class does not allow it. */
  async resize(
    service: LoadedService,
    name: string,
    size: string,
  ): Promise<{ result: VolumeChangeResult; status: number }> {
    const volume = await this.reader.get(service, name);
    const bytes = quantityBytes(size)!;
    for (const claim of volume.claims) {
      if (!claim.storageClass) {
        throw new InputError(
          `invalid resize: volume '${name}' in cluster ${
            claim.cluster
          } is on a static export (type ${
            volume.type ?? 'unknown'
          }): its size is fixed by the export, it cannot be resized here`,
        );
      }
      const sc = await this.reader
        .storage(claim.cluster)
        .readStorageClass({ name: claim.storageClass })
        .catch(() => undefined);
      if (!sc?.allowVolumeExpansion) {
        throw new InputError(
          `invalid resize: the StorageClass ${claim.storageClass} of cluster ${claim.cluster} does not allow volume expansion (allowVolumeExpansion is not true)`,
        );
      }
      const current = reportedQuantityBytes(claim.requested) ?? 0;
      if (bytes <= current) {
        throw new InputError(
          `invalid resize: size: ${size} is not larger than ${claim.requested} (cluster ${claim.cluster}); volumes only grow`,
        );
      }
      if (claim.phase !== 'Bound') {
        throw new InputError(
          `invalid resize: volume '${name}' is ${claim.phase} in cluster ${claim.cluster}; only a Bound volume can grow`,
        );
      }
    }
    const outcomes: VolumeClusterOutcome[] = [];
    let failure: Error | undefined;
    for (const claim of volume.claims) {
      const place = { cluster: claim.cluster, namespace: claim.namespace };
      if (failure) {
        outcomes.push({ ...place, state: 'not-attempted' });
        continue;
      }
      try {
        await this.clusters
          .connection(claim.cluster)
          .core.patchNamespacedPersistentVolumeClaim(
            {
              namespace: claim.namespace,
              name,
              body: { spec: { resources: { requests: { storage: size } } } },
              fieldManager: FIELD_MANAGER,
            },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          );
        outcomes.push({ ...place, state: 'resized' });
      } catch (error) {
        failure = new ClusterWriteError(
          claim.cluster,
          describeKubeError(error),
          error,
        );
        outcomes.push({ ...place, state: 'failed', error: errorBody(failure) });
      }
    }
    if (failure) {
      // a claim never shrinks: the clusters done keep the new size
      if (!outcomes.some(o => o.state === 'resized')) throw failure;
      return {
        status: 207,
        result: {
          ok: false,
          outcomes,
          message: `volume ${name} grew to ${size} in ${outcomes
            .filter(o => o.state === 'resized')
            .map(o => o.cluster)
            .join(
              ', ',
            )} only (volumes cannot shrink back): retry for the others`,
        },
      };
    }
    return {
      status: 200,
      result: {
        ok: true,
        outcomes,
        volume: await this.reader.get(service, name),
        message: `volume ${name} grows to ${size}; the capacity follows once the provisioner has resized it`,
      },
    };
  }

  /** Deletes the volume everywhere, unless a workload in any cluster mounts it (409). */
  async delete(
    service: LoadedService,
    name: string,
  ): Promise<{ result: VolumeDeleteResult; status: number }> {
    const volume = await this.reader.get(service, name);
    const users: string[] = [];
    const states = await Promise.all(
      volume.claims.map(c =>
        this.reader.readPlace(
          { cluster: c.cluster, namespace: c.namespace },
          service.binding.kubernetesId,
        ),
      ),
    );
    // every kind of workload that can mount it, in every cluster: Deployments, StatefulSets,
    // DaemonSets, CronJobs and the ReplicaSets, Jobs and Pods of no controller
    for (const state of states) {
      users.push(
        ...workloadsUsingClaim(name, state.workloads).map(workloadLabel),
      );
    }
    if (users.length > 0) {
      throw new VolumeInUseError(
        `volume '${name}' is mounted by ${users.join(
          ', ',
        )}: unmount it first, nothing was deleted`,
        volume,
      );
    }
    const reclaimPolicy: VolumeDeleteResult['reclaimPolicy'] = [];
    const outcomes: VolumeClusterOutcome[] = [];
    for (const state of states) {
      const place = { cluster: state.cluster, namespace: state.namespace };
      const claim = state.claims.find(c => c.metadata?.name === name);
      const pv = state.volumes.get(`${state.namespace}/${name}`);
      const policy =
        pv?.spec?.persistentVolumeReclaimPolicy ??
        (claim?.spec?.storageClassName
          ? state.classPolicy.get(claim.spec.storageClassName)
          : undefined);
      reclaimPolicy.push({
        cluster: state.cluster,
        policy: policy ?? 'none',
        meaning: reclaimMeaning(policy, pv),
      });
      // the PersistentVolume of a static export is the backend's own, made for this claim
      const ours =
        pv?.metadata?.name === staticVolumeName(state.namespace, name)
          ? pv.metadata.name
          : undefined;
      try {
        await this.writer.deleteIn(place, name, ours);
        outcomes.push({ ...place, state: 'deleted' });
      } catch (error) {
        outcomes.push({ ...place, state: 'failed', error: errorBody(error) });
      }
    }
    const ok = outcomes.every(o => o.state === 'deleted');
    return {
      status: ok ? 200 : 207,
      result: {
        ok,
        outcomes,
        reclaimPolicy,
        message: ok
          ? `volume ${name} deleted in ${outcomes
              .map(o => o.cluster)
              .join(', ')}`
          : `volume ${name} could not be deleted in ${outcomes
              .filter(o => o.state !== 'deleted')
              .map(o => o.cluster)
              .join(', ')}: retry`,
      },
    };
  }
}
