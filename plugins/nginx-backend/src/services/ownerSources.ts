import type { AuthService } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import { KUBERNETES_ID_LABEL } from '@internal/plugin-container-cloud-common';
import type {
  ContainerCloudClustersService,
  ServiceBindings,
} from '@internal/plugin-container-cloud-node';

/** A Kubernetes source of an upstream, as the members body names it. */
interface Source {
  cluster: string;
  namespace: string;
  service: string;
}

/**
 * Refuses (403, every reason in one message) the Kubernetes sources an owner may not add to the
 * domain of `ownerRef`: each must be a Service of that same service, by the same binding as its
 * workloads (container-cloud-node's ServiceBinding): inside its placements, and labelled with
 * its kubernetes id.
 */
export type OwnerSourceCheck = (
  ownerRef: string,
  upstreams: Array<{ name: string; kubernetes?: Source[] }>,
) => Promise<void>;

/** The labels of a Kubernetes Service, or undefined when there is none. */
export type ServiceLabels = (
  source: Source,
) => Promise<Record<string, string> | undefined>;

/** Reads a Service's labels through the shared cluster layer. */
export function serviceLabelsFrom(
  clusters: ContainerCloudClustersService,
): ServiceLabels {
  return async ({ cluster, namespace, service }) => {
    if (!clusters.names.includes(cluster)) return undefined;
    try {
      const object = await clusters
        .connection(cluster)
        .core.readNamespacedService({
          name: service,
          namespace,
        });
      return object.metadata?.labels ?? {};
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  };
}

export function ownerSourceCheck(deps: {
  catalog: CatalogService;
  auth: AuthService;
  bindings: ServiceBindings;
  serviceLabels: ServiceLabels;
}): OwnerSourceCheck {
  return async (ownerRef, upstreams) => {
    const sources = upstreams.flatMap(upstream =>
      (upstream.kubernetes ?? []).map(source => ({ upstream, source })),
    );
    if (sources.length === 0) return;
    const entity = await deps.catalog.getEntityByRef(ownerRef, {
      credentials: await deps.auth.getOwnServiceCredentials(),
    });
    if (!entity) {
      throw new NotAllowedError(
        `only ops admins may add Kubernetes sources to this domain: its owner ${ownerRef} is not in the catalog`,
      );
    }
    const binding = await deps.bindings.resolve(entity);
    if (binding.status.state !== 'bound') {
      throw new NotAllowedError(
        `only ops admins may add Kubernetes sources to this domain: ${binding.status.message}`,
      );
    }
    const reasons: string[] = [];
    for (const { upstream, source } of sources) {
      const where = `Service ${source.namespace}/${source.service} in cluster ${source.cluster}`;
      if (!binding.covers(source.cluster, source.namespace)) {
        reasons.push(
          `upstream ${upstream.name}: ${where} is outside the placements of ${ownerRef}`,
        );
        continue;
      }
      const labels = await deps.serviceLabels(source);
      if (labels?.[KUBERNETES_ID_LABEL] !== binding.kubernetesId) {
        reasons.push(
          `upstream ${upstream.name}: ${where} ${
            labels ? 'is not labelled' : 'does not exist, so it is not labelled'
          } ${KUBERNETES_ID_LABEL}: ${binding.kubernetesId}`,
        );
      }
    }
    if (reasons.length > 0) {
      throw new NotAllowedError(
        `owners may add only their own service's Kubernetes Services; ops admins may add others: ${reasons.join(
          '; ',
        )}`,
      );
    }
  };
}

/** Without a check configured: owners may add no Kubernetes source at all (ops may). */
export const refuseOwnerSources: OwnerSourceCheck = async (
  _owner,
  upstreams,
) => {
  if (upstreams.some(upstream => (upstream.kubernetes ?? []).length > 0)) {
    throw new NotAllowedError(
      'only ops admins may add Kubernetes sources to a domain here',
    );
  }
};
