import { NotAllowedError } from '@backstage/errors';
import type {
  Placement,
  ServiceBindingStatus,
} from '@internal/plugin-container-cloud-common';
import { isPlaced } from './bindingConfig';

/**
 * Which workloads one catalog entity controls: those labelled with its kubernetes id, inside its
 * placements, when the entity is a trusted and unique claimant of that id. Every route that acts
 * on or reads a workload gets the id through `idIn(cluster, namespace)`, so it cannot reach a
 * workload outside the binding without the check. @public
 */
export class ServiceBinding {
  constructor(
    readonly entityRef: string,
    readonly status: ServiceBindingStatus,
  ) {}

  get kubernetesId(): string {
    return this.status.kubernetesId;
  }

  /** true when the entity controls the workloads labelled with its id in that pair */
  covers(cluster: string, namespace: string): boolean {
    if (this.status.state !== 'bound') return false;
    return (
      !this.status.placements ||
      isPlaced(this.status.placements, cluster, namespace)
    );
  }

  /**
   * The kubernetes id to act on in (cluster, namespace); a NotAllowedError (403) in words when the
   * entity controls nothing, or nothing there.
   */
  idIn(cluster: string, namespace: string): string {
    if (this.status.state !== 'bound') {
      throw new NotAllowedError(this.status.message);
    }
    if (!this.covers(cluster, namespace)) {
      throw new NotAllowedError(
        `${
          this.entityRef
        } may not touch namespace '${namespace}' in cluster '${cluster}': its workloads are only in ${describePlacements(
          this.status.placements ?? [],
        )} (annotation container-cloud.io/placements, or containerCloud.binding.placements)`,
      );
    }
    return this.status.kubernetesId;
  }

  /**
   * What the page shows about the binding: undefined when there is nothing to say (bound to
   * every namespace of every cluster, as every service was before placements), else the status.
   */
  reported(): ServiceBindingStatus | undefined {
    const { state, placements } = this.status;
    return state === 'bound' && !placements ? undefined : this.status;
  }

  /**
   * The pairs whose workloads are shown: undefined for every namespace of every cluster, an
   * empty list for none.
   */
  visiblePlacements(): Placement[] | undefined {
    return this.status.state === 'bound' ? this.status.placements : [];
  }
}

/** @public */
export function describePlacements(placements: Placement[]): string {
  return placements.length === 0
    ? 'no namespace'
    : placements.map(p => `${p.cluster}/${p.namespace}`).join(', ');
}
