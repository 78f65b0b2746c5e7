import type { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import {
  ApiException,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { VolumeClusterOutcome } from '@internal/plugin-container-cloud-common';
import {
  ClusterWriteError,
  ContainerCloudClustersService,
  describeKubeError,
  FIELD_MANAGER,
} from '@internal/plugin-container-cloud-node';
import { claimObjects, UNMOUNTED_AT_ANNOTATION } from './claims';
import type { Place } from './VolumeReader';

const statusOf = (error: unknown) =>
  error instanceof ApiException ? error.code : undefined;

/** An error as an outcome carries it. */
export const errorBody = (error: unknown) => ({
  name: (error as Error).name ?? 'Error',
  message: (error as Error).message ?? String(error),
});

/** A claim this request made, to remove again if the request fails. */
export interface CreatedClaim {
  place: Place;
  name: string;
  staticPv?: string;
  /** its outcome's index */
  index: number;
}

/** Writes to claims (and the PersistentVolumes of static exports) in one cluster at a time. */
export class ClaimWriter {
  constructor(
    private readonly clusters: ContainerCloudClustersService,
    private readonly logger: LoggerService,
  ) {}

  async readClaim(place: Place, name: string) {
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

  async createIn(place: Place, objects: ReturnType<typeof claimObjects>) {
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
  async deleteIn(place: Place, name: string, staticPv?: string) {
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
  async rollBackCreated(
    created: CreatedClaim[],
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

  /** Records when nothing mounts the claims any more (the admin page's orphan clock). */
  async markMounted(places: Place[], name: string, mounted: boolean) {
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
          this.logger.warn(
            `could not mark claim ${place.namespace}/${name} in ${
              place.cluster
            }: ${describeKubeError(error)}`,
          );
        }
      }),
    );
  }
}
