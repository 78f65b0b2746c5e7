import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ApiException,
  PatchStrategy,
  setHeaderOptions,
  StorageV1Api,
  V1Deployment,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
} from '@kubernetes/client-node';
import {
  AdminVolume,
  AdminVolumeList,
  KUBERNETES_ID_LABEL,
  quantityBytes,
  reportedQuantityBytes,
  StorageTypeView,
  VolumeChangeResult,
  VolumeClaimView,
  VolumeClusterOutcome,
  VolumeCreateRequest,
  VolumeDeleteResult,
  VolumeList,
  VolumeMountRequest,
  VolumeUnmountRequest,
  VolumeView,
} from '@internal/plugin-container-cloud-common';
import {
  claimedKubernetesId,
  ClusterWriteError,
  ContainerCloudClustersService,
  describeKubeError,
  FIELD_MANAGER,
  PrometheusClient,
  promString,
  ServiceBinding,
} from '@internal/plugin-container-cloud-node';
import {
  mountInEveryCluster,
  MountResult,
  podMounts,
  serviceDeployments,
  throwUnlessApplied,
  unmountInEveryCluster,
} from '../mounts';
import {
  claimObjects,
  claimView,
  deploymentsUsingClaim,
  mountsOfClaim,
  pendingReason,
  podVolumeName,
  reclaimMeaning,
  staticVolumeName,
  STORAGE_TYPE_LABEL,
  UNMOUNTED_AT_ANNOTATION,
} from './claims';
import type { StorageType, StorageTypesConfig } from './storageTypes';

/** A service as the volume routes see it: its catalog entity and what it controls. */
export interface LoadedService {
  entityRef: string;
  binding: ServiceBinding;
}

/** A (cluster, namespace) a service runs in. */
interface Place {
  cluster: string;
  namespace: string;
}

/** A volume in use: 409 naming the Deployments, with the volume as it is. */
export class VolumeInUseError extends ConflictError {
  constructor(message: string, readonly current: VolumeView) {
    super(message);
  }
}

const statusOf = (error: unknown) =>
  error instanceof ApiException ? error.code : undefined;

const errorBody = (error: unknown) => ({
  name: (error as Error).name ?? 'Error',
  message: (error as Error).message ?? String(error),
});

/** What one cluster holds of the service's volumes. */
interface PlaceState extends Place {
  claims: V1PersistentVolumeClaim[];
  deployments: V1Deployment[];
  volumes: Map<string, V1PersistentVolume>;
  reasons: Map<string, string>;
  expandable: Map<string, boolean>;
  classPolicy: Map<string, string>;
}

/**
 * A service's volumes in every cluster it runs in: PersistentVolumeClaims labelled with its
 * kubernetes id in the namespaces its binding covers, and the Deployments that mount them.
 */
export class VolumeService {
  private readonly storageApis = new Map<string, StorageV1Api>();

  constructor(
    private readonly options: {
      clusters: ContainerCloudClustersService;
      types: StorageTypesConfig;
      prometheus?: PrometheusClient;
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
    },
  ) {}

  private get clusters() {
    return this.options.clusters;
  }

  private storage(cluster: string): StorageV1Api {
    let api = this.storageApis.get(cluster);
    if (!api) {
      api = this.clusters
        .connection(cluster)
        .kubeConfig.makeApiClient(StorageV1Api);
      this.storageApis.set(cluster, api);
    }
    return api;
  }

  /** Where the service runs: the namespaces of its Deployments, inside its binding. */
  async places(binding: ServiceBinding): Promise<Place[]> {
    // the watch caches say where each service runs: the first request waits for their list
    await this.clusters.start();
    const seen = new Map<string, Place>();
    for (const t of serviceDeployments(this.clusters, binding)) {
      seen.set(`${t.cluster}/${t.namespace}`, {
        cluster: t.cluster,
        namespace: t.namespace,
      });
    }
    return [...seen.values()];
  }

  typeIn(cluster: string, name: string): StorageType | undefined {
    return this.options.types.types.find(
      t => t.cluster === cluster && t.name === name,
    );
  }

  /** The types offered in every one of the clusters (a volume lives in all of them). */
  async typeViews(clusters: string[]): Promise<StorageTypeView[]> {
    const names = [...new Set(this.options.types.types.map(t => t.name))];
    const views: StorageTypeView[] = [];
    for (const name of names) {
      const inEach = clusters.map(c => this.typeIn(c, name));
      if (clusters.length === 0 || inEach.some(t => !t)) continue;
      const types = inEach as StorageType[];
      const expandable = await Promise.all(
        types.map(t => this.expandable(t).catch(() => false)),
      );
      views.push({
        name,
        title: types[0].title,
        kind: types[0].nfs ? 'nfs' : 'storageClass',
        clusters,
        expandable: expandable.every(Boolean),
        accessModes: types[0].accessModes.filter(m =>
          types.every(t => t.accessModes.includes(m)),
        ),
        reclaimPolicy: types[0].nfs?.reclaimPolicy ?? 'from the StorageClass',
      });
    }
    return views;
  }

  private async expandable(type: StorageType): Promise<boolean> {
    if (!type.storageClass) return false;
    const sc = await this.storage(type.cluster).readStorageClass({
      name: type.storageClass,
    });
    return Boolean(sc.allowVolumeExpansion);
  }

  private async readPlace(
    place: Place,
    kubernetesId: string | undefined,
  ): Promise<PlaceState> {
    const { core, apps } = this.clusters.connection(place.cluster);
    const [claims, deployments] = await Promise.all([
      core.listNamespacedPersistentVolumeClaim({
        namespace: place.namespace,
        ...(kubernetesId
          ? { labelSelector: `${KUBERNETES_ID_LABEL}=${kubernetesId}` }
          : {}),
      }),
      apps.listNamespacedDeployment({ namespace: place.namespace }),
    ]);
    return this.describeClaims(place, claims.items, deployments.items);
  }

  /** The PersistentVolumes, reasons and classes of some claims of one cluster. */
  private async describeClaims(
    place: Place,
    claims: V1PersistentVolumeClaim[],
    deployments: V1Deployment[],
  ): Promise<PlaceState> {
    const { core } = this.clusters.connection(place.cluster);
    const state: PlaceState = {
      ...place,
      claims,
      deployments,
      volumes: new Map(),
      reasons: new Map(),
      expandable: new Map(),
      classPolicy: new Map(),
    };
    await Promise.all(
      claims.map(async claim => {
        const name = claim.metadata!.name!;
        const key = `${claim.metadata!.namespace}/${name}`;
        if (claim.spec?.volumeName) {
          const pv = await core
            .readPersistentVolume({ name: claim.spec.volumeName })
            .catch(() => undefined);
          if (pv) state.volumes.set(key, pv);
        }
        if (claim.status?.phase !== 'Bound') {
          const events = await core
            .listNamespacedEvent({
              namespace: claim.metadata!.namespace!,
              fieldSelector: `involvedObject.kind=PersistentVolumeClaim,involvedObject.name=${name}`,
            })
            .catch(() => undefined);
          const reason = events && pendingReason(events.items);
          if (reason) state.reasons.set(key, reason);
        }
      }),
    );
    const classes = new Set(
      claims.map(c => c.spec?.storageClassName).filter(Boolean) as string[],
    );
    await Promise.all(
      [...classes].map(async name => {
        const sc = await this.storage(place.cluster)
          .readStorageClass({ name })
          .catch(() => undefined);
        state.expandable.set(name, Boolean(sc?.allowVolumeExpansion));
        if (sc?.reclaimPolicy) state.classPolicy.set(name, sc.reclaimPolicy);
      }),
    );
    return state;
  }

  /** Used bytes per `namespace/claim` of one cluster, from Prometheus; empty when none reports. */
  private async usedBytes(
    cluster: string,
    namespace?: string,
  ): Promise<Map<string, number>> {
    const used = new Map<string, number>();
    const prometheus = this.options.prometheus;
    if (!prometheus) return used;
    const label = prometheus.settings.clusterLabel;
    const selector = [
      `${label}=${promString(cluster)}`,
      ...(namespace ? [`namespace=${promString(namespace)}`] : []),
    ].join(',');
    const end = Math.floor(Date.now() / 1000);
    try {
      const series = await prometheus.queryRange(
        `max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes{${selector}})`,
        { start: end - 300, end, step: 60 },
      );
      for (const s of series) {
        const last = s.values[s.values.length - 1];
        if (last) {
          used.set(
            `${s.metric.namespace}/${s.metric.persistentvolumeclaim}`,
            last[1],
          );
        }
      }
    } catch (error) {
      // the column says "unknown"; the page's data is not lost over it
      this.options.logger.warn(
        `volume usage of ${cluster} unknown: ${(error as Error).message}`,
      );
    }
    return used;
  }

  private claimViewOf(
    state: PlaceState,
    claim: V1PersistentVolumeClaim,
    used: Map<string, number>,
  ): VolumeClaimView {
    const key = `${claim.metadata!.namespace}/${claim.metadata!.name}`;
    const sc = claim.spec?.storageClassName;
    return claimView(state.cluster, claim, {
      volume: state.volumes.get(key),
      reason: state.reasons.get(key),
      usedBytes: used.get(key) ?? null,
      reclaimPolicy: sc ? state.classPolicy.get(sc) : undefined,
    });
  }

  /** The service's volumes, claim by claim, in every cluster it runs in. */
  async list(service: LoadedService): Promise<VolumeList> {
    const { binding } = service;
    const places = await this.places(binding);
    const errors: VolumeList['errors'] = [];
    const states = (
      await Promise.all(
        places.map(async place => {
          try {
            const [state, used] = await Promise.all([
              this.readPlace(place, binding.kubernetesId),
              this.usedBytes(place.cluster, place.namespace),
            ]);
            return { state, used };
          } catch (error) {
            errors.push({
              cluster: place.cluster,
              message: describeKubeError(error),
            });
            return undefined;
          }
        }),
      )
    ).filter(Boolean) as { state: PlaceState; used: Map<string, number> }[];
    const byName = new Map<string, VolumeView>();
    for (const { state, used } of states) {
      for (const claim of state.claims) {
        const name = claim.metadata!.name!;
        const view = byName.get(name) ?? {
          name,
          type: claim.metadata?.labels?.[STORAGE_TYPE_LABEL],
          claims: [],
          mounts: [],
          expandable: true,
        };
        view.claims.push(this.claimViewOf(state, claim, used));
        view.mounts.push(
          ...mountsOfClaim(state.cluster, name, state.deployments),
        );
        const sc = claim.spec?.storageClassName;
        view.expandable &&= Boolean(sc && state.expandable.get(sc));
        byName.set(name, view);
      }
    }
    const deployments = states.flatMap(({ state }) =>
      state.deployments
        .filter(
          d =>
            d.metadata?.labels?.[KUBERNETES_ID_LABEL] === binding.kubernetesId,
        )
        .map(d => ({
          cluster: state.cluster,
          namespace: state.namespace,
          deployment: d.metadata!.name!,
          resourceVersion: d.metadata!.resourceVersion!,
          containers: (d.spec?.template?.spec?.containers ?? []).map(
            c => c.name,
          ),
          mounts: podMounts(d).map(m => ({
            cluster: state.cluster,
            namespace: state.namespace,
            deployment: d.metadata!.name!,
            ...m,
          })),
        })),
    );
    return {
      items: [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)),
      types: await this.typeViews([...new Set(places.map(p => p.cluster))]),
      deployments,
      errors,
    };
  }

  /** One volume of the service; 404 when no cluster has it. */
  async get(service: LoadedService, name: string): Promise<VolumeView> {
    const list = await this.list(service);
    const volume = list.items.find(v => v.name === name);
    if (!volume) {
      throw new NotFoundError(
        `${service.entityRef} has no volume '${name}' in ${
          (await this.places(service.binding))
            .map(p => `${p.cluster}/${p.namespace}`)
            .join(', ') || 'any cluster'
        }`,
      );
    }
    return volume;
  }

  private async readClaim(place: Place, name: string) {
    try {
      return await this.clusters
        .connection(place.cluster)
        .core.readNamespacedPersistentVolumeClaim({
          namespace: place.namespace,
          name,
        });
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw new ClusterWriteError(
        place.cluster,
        describeKubeError(error),
        error,
      );
    }
  }

  private async createIn(
    place: Place,
    objects: ReturnType<typeof claimObjects>,
  ) {
    const { core } = this.clusters.connection(place.cluster);
    try {
      if (objects.volume) {
        await core.createPersistentVolume({
          body: objects.volume,
          fieldManager: FIELD_MANAGER,
        });
      }
      try {
        await core.createNamespacedPersistentVolumeClaim({
          namespace: place.namespace,
          body: objects.claim,
          fieldManager: FIELD_MANAGER,
        });
      } catch (error) {
        if (objects.volume) {
          await core
            .deletePersistentVolume({ name: objects.volume.metadata!.name! })
            .catch(() => undefined);
        }
        throw error;
      }
    } catch (error) {
      if (statusOf(error) === 409) {
        throw new ConflictError(
          `cluster ${place.cluster}: a claim named '${
            objects.claim.metadata!.name
          }' in ${place.namespace}${
            objects.volume
              ? ` or a PersistentVolume named ${objects.volume.metadata!.name}`
              : ''
          } exists already; choose another name`,
        );
      }
      throw new ClusterWriteError(
        place.cluster,
        describeKubeError(error),
        error,
      );
    }
  }

  /** Deletes the claim (and the PersistentVolume the backend made for it); 404s are fine. */
  private async deleteIn(place: Place, name: string, staticPv?: string) {
    const { core } = this.clusters.connection(place.cluster);
    const ignore404 = (error: unknown) => {
      if (statusOf(error) !== 404) throw error;
    };
    await core
      .deleteNamespacedPersistentVolumeClaim({
        namespace: place.namespace,
        name,
      })
      .catch(ignore404);
    if (staticPv) {
      await core.deletePersistentVolume({ name: staticPv }).catch(ignore404);
    }
  }

  /** Rolls the created claims back, newest first; what stays is said in the outcomes. */
  private async rollBackCreated(
    created: { place: Place; name: string; staticPv?: string; index: number }[],
    outcomes: VolumeClusterOutcome[],
  ) {
    for (const c of [...created].reverse()) {
      try {
        await this.deleteIn(c.place, c.name, c.staticPv);
        outcomes[c.index] = { ...outcomes[c.index], state: 'rolled-back' };
      } catch (error) {
        outcomes[c.index] = {
          ...outcomes[c.index],
          state: 'left-applied',
          error: errorBody(error),
        };
      }
    }
  }

  /** The type's settings in each cluster, or a 400 naming what is missing. */
  private checkType(
    places: Place[],
    type: string,
    accessMode: string,
  ): Map<string, StorageType> {
    const result = new Map<string, StorageType>();
    for (const place of places) {
      const t = this.typeIn(place.cluster, type);
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
    const places = await this.places(service.binding);
    if (places.length === 0) {
      throw new InputError(
        `${service.entityRef} runs in no cluster yet: a volume is made in the clusters its Deployments run in`,
      );
    }
    const types = this.checkType(places, request.type, request.accessMode);
    for (const place of places) {
      service.binding.idIn(place.cluster, place.namespace);
      if (await this.readClaim(place, request.name)) {
        throw new ConflictError(
          `a claim named '${request.name}' exists already in ${place.namespace} of cluster ${place.cluster}; choose another name`,
        );
      }
    }
    const outcomes: VolumeClusterOutcome[] = [];
    const created: {
      place: Place;
      name: string;
      staticPv?: string;
      index: number;
    }[] = [];
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
        await this.createIn(place, objects);
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
      await this.rollBackCreated(created, outcomes);
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
      volume: await this.get(service, request.name),
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
    const places = await this.places(binding);
    const existing = await Promise.all(
      places.map(async place => ({
        place,
        claim: await this.readClaim(place, name),
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
    const created: {
      place: Place;
      name: string;
      staticPv?: string;
      index: number;
    }[] = [];
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
        await this.createIn(place, objects);
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
        await this.rollBackCreated(created, claimOutcomes);
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
      await this.rollBackCreated(created, claimOutcomes);
      throw error;
    }
    if (!result.ok) {
      const deploymentsBack = !result.outcomes.some(
        o => o.state === 'left-applied',
      );
      if (deploymentsBack) await this.rollBackCreated(created, claimOutcomes);
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
    await this.markMounted(places, name, true);
    return {
      status: 200,
      result: {
        ok: true,
        outcomes: [...claimOutcomes, ...result.outcomes],
        volume: await this.get(service, name),
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

  /** Records when nothing mounts the claims any more (the admin page's orphan clock). */
  private async markMounted(places: Place[], name: string, mounted: boolean) {
    await Promise.all(
      places.map(async place => {
        try {
          await this.clusters
            .connection(place.cluster)
            .core.patchNamespacedPersistentVolumeClaim(
              {
                namespace: place.namespace,
                name,
                body: {
                  metadata: {
                    annotations: {
                      [UNMOUNTED_AT_ANNOTATION]: mounted
                        ? null
                        : new Date().toISOString(),
                    },
                  },
                },
                fieldManager: FIELD_MANAGER,
              },
              setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
            );
        } catch (error) {
          // the orphan clock is advice: the mount itself holds
          this.options.logger.warn(
            `could not mark claim ${place.namespace}/${name} in ${
              place.cluster
            }: ${describeKubeError(error)}`,
          );
        }
      }),
    );
  }

  /** Removes the volume from every Deployment of the service. */
  async unmount(
    service: LoadedService,
    name: string,
    request: VolumeUnmountRequest,
  ): Promise<{ result: VolumeChangeResult; status: number }> {
    const volume = await this.get(service, name);
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
    await this.markMounted(
      volume.claims.map(c => ({ cluster: c.cluster, namespace: c.namespace })),
      name,
      false,
    );
    return {
      status: 200,
      result: {
        ok: true,
        outcomes: result.outcomes,
        volume: await this.get(service, name),
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
    const volume = await this.get(service, name);
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
      const sc = await this.storage(claim.cluster)
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
        volume: await this.get(service, name),
        message: `volume ${name} grows to ${size}; the capacity follows once the provisioner has resized it`,
      },
    };
  }

  /** Deletes the volume everywhere, unless a Deployment in any cluster mounts it (409). */
  async delete(
    service: LoadedService,
    name: string,
  ): Promise<{ result: VolumeDeleteResult; status: number }> {
    const volume = await this.get(service, name);
    const users: string[] = [];
    const states = await Promise.all(
      volume.claims.map(c =>
        this.readPlace(
          { cluster: c.cluster, namespace: c.namespace },
          service.binding.kubernetesId,
        ),
      ),
    );
    for (const state of states) {
      for (const d of deploymentsUsingClaim(name, state.deployments)) {
        users.push(`${state.cluster}/${state.namespace}/${d.metadata?.name}`);
      }
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
        await this.deleteIn(place, name, ours);
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

  /** Every claim in every cluster, with its owner and whether it looks orphaned. */
  async adminList(now = new Date()): Promise<AdminVolumeList> {
    const owners = await this.ownersByKubernetesId();
    const orphanAfterDays = this.options.types.orphanAfterDays;
    const errors: AdminVolumeList['errors'] = [];
    const items: AdminVolume[] = [];
    await Promise.all(
      this.clusters.names.map(async cluster => {
        try {
          const { core, apps } = this.clusters.connection(cluster);
          const [claims, deployments, used] = await Promise.all([
            core.listPersistentVolumeClaimForAllNamespaces({}),
            apps.listDeploymentForAllNamespaces({}),
            this.usedBytes(cluster),
          ]);
          const state = await this.describeClaims(
            { cluster, namespace: '' },
            claims.items,
            deployments.items,
          );
          for (const claim of claims.items) {
            const name = claim.metadata!.name!;
            const namespace = claim.metadata!.namespace!;
            const inNamespace = deployments.items.filter(
              d => d.metadata?.namespace === namespace,
            );
            const mountedBy = deploymentsUsingClaim(name, inNamespace).map(
              d => `${namespace}/${d.metadata?.name}`,
            );
            const kubernetesId = claim.metadata?.labels?.[KUBERNETES_ID_LABEL];
            const owner = kubernetesId ? owners.get(kubernetesId) : undefined;
            const since =
              claim.metadata?.annotations?.[UNMOUNTED_AT_ANNOTATION] ??
              (claim.metadata?.creationTimestamp
                ? new Date(claim.metadata.creationTimestamp).toISOString()
                : undefined);
            const idleDays = since
              ? (now.getTime() - new Date(since).getTime()) / 86_400_000
              : 0;
            let orphanReason: string | undefined;
            if (!owner) {
              orphanReason = kubernetesId
                ? `no catalog entity claims kubernetes id '${kubernetesId}'`
                : `no ${KUBERNETES_ID_LABEL} label: it belongs to no service`;
            } else if (mountedBy.length === 0 && idleDays >= orphanAfterDays) {
              orphanReason = `mounted nowhere for ${Math.floor(
                idleDays,
              )} days (more than ${orphanAfterDays})`;
            }
            items.push({
              ...this.claimViewOf(state, claim, used),
              name,
              ...(kubernetesId ? { kubernetesId } : {}),
              ...(owner ? { owner } : {}),
              mountedBy,
              ...(mountedBy.length === 0 && since
                ? { unmountedSince: since }
                : {}),
              orphan: orphanReason !== undefined,
              ...(orphanReason ? { orphanReason } : {}),
            });
          }
        } catch (error) {
          errors.push({ cluster, message: describeKubeError(error) });
        }
      }),
    );
    items.sort(
      (a, b) =>
        a.cluster.localeCompare(b.cluster) ||
        a.namespace.localeCompare(b.namespace) ||
        a.name.localeCompare(b.name),
    );
    return {
      items,
      orphanAfterDays,
      types: this.options.types.types.map(t => ({
        name: t.name,
        title: t.title,
        kind: t.nfs ? ('nfs' as const) : ('storageClass' as const),
        clusters: [t.cluster],
        expandable: false,
        accessModes: t.accessModes,
        reclaimPolicy: t.nfs
          ? `${t.nfs.reclaimPolicy} (${t.nfs.server}:${t.nfs.basePath})`
          : `from StorageClass ${t.storageClass}`,
      })),
      errors,
    };
  }

  /** kubernetes id → the Component claiming it (read as the plugin: every owner counts). */
  private async ownersByKubernetesId(): Promise<Map<string, string>> {
    const { items } = await this.options.catalog.getEntities(
      {
        filter: { kind: 'component' },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.annotations',
        ],
      },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    const owners = new Map<string, string>();
    for (const entity of items) {
      owners.set(claimedKubernetesId(entity), stringifyEntityRef(entity));
    }
    return owners;
  }
}
