import type { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  StorageV1Api,
  V1Deployment,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
} from '@kubernetes/client-node';
import {
  AdminVolume,
  AdminVolumeList,
  KUBERNETES_ID_LABEL,
  STORAGE_TYPE_LABEL,
  StorageTypeView,
  VolumeClaimView,
  VolumeList,
  VolumeView,
} from '@internal/plugin-container-cloud-common';
import {
  claimedKubernetesId,
  ContainerCloudClustersService,
  describeKubeError,
  PrometheusClient,
  promString,
  ServiceBinding,
} from '@internal/plugin-container-cloud-node';
import {
  podMounts,
  PodSpecWorkload,
  podSpecWorkloads,
  serviceDeployments,
} from '../mounts';
import {
  claimView,
  mountsOfClaim,
  pendingReason,
  UNMOUNTED_AT_ANNOTATION,
  workloadsUsingClaim,
} from './claims';
import type { StorageType, StorageTypesConfig } from './storageTypes';

/** A service as the volume routes see it: its catalog entity and what it controls. */
export interface LoadedService {
  entityRef: string;
  binding: ServiceBinding;
}

/** A (cluster, namespace) a service runs in. */
export interface Place {
  cluster: string;
  namespace: string;
}

/** What one cluster holds of the service's volumes. */
export interface PlaceState extends Place {
  claims: V1PersistentVolumeClaim[];
  deployments: V1Deployment[];
  /** every workload of the namespace that runs pods from its own spec, Deployments included */
  workloads: PodSpecWorkload[];
  volumes: Map<string, V1PersistentVolume>;
  reasons: Map<string, string>;
  expandable: Map<string, boolean>;
  classPolicy: Map<string, string>;
}

/** What the volume parts are built from. */
export interface VolumeDeps {
  clusters: ContainerCloudClustersService;
  types: StorageTypesConfig;
  prometheus?: PrometheusClient;
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
}

/**
 * Reads volumes: a service's PersistentVolumeClaims (labelled with its kubernetes id in the
 * namespaces its binding covers), their PersistentVolumes, events, classes and usage, and the
 * Deployments that mount them; and, for ops, every claim of every cluster.
 */
export class VolumeReader {
  private readonly storageApis = new Map<string, StorageV1Api>();

  constructor(private readonly options: VolumeDeps) {}

  private get clusters() {
    return this.options.clusters;
  }

  storage(cluster: string): StorageV1Api {
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

  async readPlace(
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
    const workloads = await podSpecWorkloads(this.clusters, place.cluster, {
      namespace: place.namespace,
      deployments: deployments.items,
    });
    return this.describeClaims(
      place,
      claims.items,
      deployments.items,
      workloads,
    );
  }

  /** The PersistentVolumes, reasons and classes of some claims of one cluster. */
  private async describeClaims(
    place: Place,
    claims: V1PersistentVolumeClaim[],
    deployments: V1Deployment[],
    workloads: PodSpecWorkload[],
  ): Promise<PlaceState> {
    const { core } = this.clusters.connection(place.cluster);
    const state: PlaceState = {
      ...place,
      claims,
      deployments,
      workloads,
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
      // a series without a claim says nothing of any volume (the local cloud's kwok gives
      // every pod one, see packages/local-cloud/README.md)
      'persistentvolumeclaim!=""',
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
        view.mounts.push(...mountsOfClaim(name, state.workloads));
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
          generation: d.metadata?.generation,
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
          const workloads = await podSpecWorkloads(this.clusters, cluster, {
            deployments: deployments.items,
          });
          const state = await this.describeClaims(
            { cluster, namespace: '' },
            claims.items,
            deployments.items,
            workloads,
          );
          for (const claim of claims.items) {
            const name = claim.metadata!.name!;
            const namespace = claim.metadata!.namespace!;
            const inNamespace = workloads.filter(
              w => w.namespace === namespace,
            );
            // a Deployment as `namespace/name`, another kind named after it
            const mountedBy = workloadsUsingClaim(name, inNamespace).map(
              w =>
                `${namespace}/${w.name}${
                  w.kind === 'Deployment' ? '' : ` (${w.kind})`
                }`,
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
