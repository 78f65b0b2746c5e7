import { ApiException, V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import { ConflictError } from '@backstage/errors';
import {
  CONFIG_FILES_LABEL,
  KUBERNETES_ID_LABEL,
} from '@internal/plugin-container-cloud-common';
import {
  ClusterWriteError,
  ContainerCloudClustersService,
  describeKubeError,
  FIELD_MANAGER,
} from '@internal/plugin-container-cloud-node';

/** The annotations that say which saved version a ConfigMap (Secret) holds. */
export const VERSION_ANNOTATION = 'container-cloud.io/config-version';
export const CHECKSUM_ANNOTATION = 'container-cloud.io/config-checksum';

/** One (cluster, namespace) a service runs in, per its binding. */
export interface Placement {
  cluster: string;
  namespace: string;
}

/** A file set's object in one cluster as it is now. */
export interface ClusterObject {
  files: Record<string, string>;
  /** the saved version it carries (its annotation); null when it was made by someone else */
  version: number | null;
  resourceVersion: string;
  /** the checksum annotation our last write left; null when none */
  checksum: string | null;
  kubernetesId?: string;
  set?: string;
}

/** What a file set's object holds. */
export interface ObjectContent {
  kubernetesId: string;
  set: string;
  secret: boolean;
  files: Record<string, string>;
  version: number;
  checksum: string;
}

const statusOf = (error: unknown) =>
  error instanceof ApiException ? error.code : undefined;

/** The ConfigMap (or Secret) name of a service's file set in every cluster. */
export function objectName(kubernetesId: string, set: string): string {
  return `${kubernetesId}-${set}`;
}

function decode(data: Record<string, string> | undefined, secret: boolean) {
  return Object.fromEntries(
    Object.entries(data ?? {}).map(([k, v]) => [
      k,
      secret ? Buffer.from(v, 'base64').toString('utf8') : v,
    ]),
  );
}

function toObject(o: V1ConfigMap | V1Secret, secret: boolean): ClusterObject {
  const version = o.metadata?.annotations?.[VERSION_ANNOTATION];
  return {
    files: decode(o.data, secret),
    version: version && /^\d+$/.test(version) ? Number(version) : null,
    resourceVersion: o.metadata?.resourceVersion ?? '',
    checksum: o.metadata?.annotations?.[CHECKSUM_ANNOTATION] ?? null,
    kubernetesId: o.metadata?.labels?.[KUBERNETES_ID_LABEL],
    set: o.metadata?.labels?.[CONFIG_FILES_LABEL],
  };
}

/**
 * Reads and writes file sets' ConfigMaps and Secrets. Every replace carries the resourceVersion
 * read, so an object changed meanwhile (by kubectl, another replica) is a 409, never overwritten;
 * an object of the same name that is not the set's (other labels) is never touched.
 */
export class ClusterObjects {
  constructor(private readonly clusters: ContainerCloudClustersService) {}

  async read(
    at: Placement,
    name: string,
    secret: boolean,
  ): Promise<ClusterObject | undefined> {
    const { core } = this.clusters.connection(at.cluster);
    try {
      const o = secret
        ? await core.readNamespacedSecret({ name, namespace: at.namespace })
        : await core.readNamespacedConfigMap({ name, namespace: at.namespace });
      return toObject(o, secret);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw new ClusterWriteError(at.cluster, describeKubeError(error), error);
    }
  }

  /** The file sets' objects labelled with the service's id in one namespace (to adopt). */
  async listLabelled(
    at: Placement,
    kubernetesId: string,
    secret: boolean,
  ): Promise<ClusterObject[]> {
    const { core } = this.clusters.connection(at.cluster);
    const labelSelector = `${KUBERNETES_ID_LABEL}=${kubernetesId},${CONFIG_FILES_LABEL}`;
    try {
      const list = secret
        ? await core.listNamespacedSecret({
            namespace: at.namespace,
            labelSelector,
          })
        : await core.listNamespacedConfigMap({
            namespace: at.namespace,
            labelSelector,
          });
      return (list.items as Array<V1ConfigMap | V1Secret>).map(o =>
        toObject(o, secret),
      );
    } catch (error) {
      throw new ClusterWriteError(at.cluster, describeKubeError(error), error);
    }
  }

  /**
   * Writes the set's object: created when `expected` is null, else replaced on the condition
   * that it still is at `expected.resourceVersion`. Answers the new resourceVersion.
   */
  async write(
    at: Placement,
    content: ObjectContent,
    expected: ClusterObject | null,
  ): Promise<string> {
    const name = objectName(content.kubernetesId, content.set);
    if (
      expected &&
      (expected.kubernetesId !== content.kubernetesId ||
        expected.set !== content.set)
    ) {
      throw new ConflictError(
        `cluster ${at.cluster} has a ${
          content.secret ? 'Secret' : 'ConfigMap'
        } ${
          at.namespace
        }/${name} that is not this file set's (labels ${KUBERNETES_ID_LABEL}=${
          content.kubernetesId
        }, ${CONFIG_FILES_LABEL}=${
          content.set
        }); rename the set or remove that object`,
      );
    }
    const metadata = {
      name,
      namespace: at.namespace,
      labels: {
        [KUBERNETES_ID_LABEL]: content.kubernetesId,
        [CONFIG_FILES_LABEL]: content.set,
      },
      annotations: {
        [VERSION_ANNOTATION]: String(content.version),
        [CHECKSUM_ANNOTATION]: content.checksum,
      },
      ...(expected ? { resourceVersion: expected.resourceVersion } : {}),
    };
    const { core } = this.clusters.connection(at.cluster);
    try {
      if (content.secret) {
        const body: V1Secret = {
          metadata,
          type: 'Opaque',
          data: Object.fromEntries(
            Object.entries(content.files).map(([k, v]) => [
              k,
              Buffer.from(v, 'utf8').toString('base64'),
            ]),
          ),
        };
        const written = expected
          ? await core.replaceNamespacedSecret({
              name,
              namespace: at.namespace,
              body,
              fieldManager: FIELD_MANAGER,
            })
          : await core.createNamespacedSecret({
              namespace: at.namespace,
              body,
              fieldManager: FIELD_MANAGER,
            });
        return written.metadata?.resourceVersion ?? '';
      }
      const body: V1ConfigMap = { metadata, data: content.files };
      const written = expected
        ? await core.replaceNamespacedConfigMap({
            name,
            namespace: at.namespace,
            body,
            fieldManager: FIELD_MANAGER,
          })
        : await core.createNamespacedConfigMap({
            namespace: at.namespace,
            body,
            fieldManager: FIELD_MANAGER,
          });
      return written.metadata?.resourceVersion ?? '';
    } catch (error) {
      const status = statusOf(error);
      if (status === 409) {
        throw new ConflictError(
          `the ${content.secret ? 'Secret' : 'ConfigMap'} ${
            at.namespace
          }/${name} in cluster ${
            at.cluster
          } changed in the cluster since it was read (someone else wrote it); nothing was overwritten, reload and save again`,
        );
      }
      throw new ClusterWriteError(at.cluster, describeKubeError(error), error);
    }
  }

  /** Deletes the set's object (none there is fine). */
  async delete(at: Placement, name: string, secret: boolean): Promise<void> {
    const { core } = this.clusters.connection(at.cluster);
    try {
      if (secret) {
        await core.deleteNamespacedSecret({ name, namespace: at.namespace });
      } else {
        await core.deleteNamespacedConfigMap({ name, namespace: at.namespace });
      }
    } catch (error) {
      if (statusOf(error) === 404) return;
      throw new ClusterWriteError(at.cluster, describeKubeError(error), error);
    }
  }
}
