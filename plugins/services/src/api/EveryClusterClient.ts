import type { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/core-plugin-api';
import { BackendApis, fetchJson } from '@internal/plugin-container-cloud-react';
import { servicePath } from './servicePath';

/** The operations the backend runs in several clusters at once. @public */
export type EveryClusterOperation =
  | { operation: 'scale'; replicas: number }
  | { operation: 'restart' }
  | { operation: 'upgrade'; container: string; image: string };

/** One cluster's outcome. @public */
export type ClusterOutcome =
  | { cluster: string; ok: true }
  | { cluster: string; ok: false; error: { message: string } };

/**
 * One cluster's Deployment, at the `resourceVersion` the page loaded there: a cluster whose
 * Deployment changed since answers with a conflict and is left as it is.
 * @public
 */
export interface EveryClusterTarget {
  cluster: string;
  namespace: string;
  deployment: string;
  resourceVersion: string;
  /** the spec's generation the page loaded there: a change of the status alone is no conflict */
  generation?: number;
}

/** @public */
export interface EveryClusterApi {
  run(
    entity: CompoundEntityRef,
    targets: EveryClusterTarget[],
    operation: EveryClusterOperation,
  ): Promise<ClusterOutcome[]>;
}

/** @public */
export const everyClusterApiRef = createApiRef<EveryClusterApi>({
  id: 'plugin.container-cloud.services.every-cluster',
});

/** POSTs an operation for several clusters; a 207 is an answer, cluster by cluster. @public */
export class EveryClusterClient implements EveryClusterApi {
  constructor(private readonly deps: BackendApis) {}

  async run(
    entity: CompoundEntityRef,
    targets: EveryClusterTarget[],
    { operation, ...params }: EveryClusterOperation,
  ): Promise<ClusterOutcome[]> {
    const { results } = await fetchJson<{ results: ClusterOutcome[] }>(
      this.deps,
      'services',
      servicePath(entity, `/every-cluster/${operation}`),
      { method: 'POST', body: { ...params, targets } },
    );
    return results;
  }
}
