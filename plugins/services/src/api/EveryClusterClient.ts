import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { DiscoveryApi, FetchApi } from '@backstage/core-plugin-api';
import { backendError, serviceUrl } from './serviceHttp';

/** The operations the backend runs in several clusters at once. @public */
export type EveryClusterOperation =
  | { operation: 'scale'; replicas: number }
  | { operation: 'restart' }
  | { operation: 'upgrade'; container: string; image: string };

/** One cluster's outcome. @public */
export type ClusterOutcome =
  | { cluster: string; ok: true }
  | { cluster: string; ok: false; error: { message: string } };

/** @public */
export interface EveryClusterApi {
  run(
    entity: CompoundEntityRef,
    targets: Array<{ cluster: string; namespace: string; deployment: string }>,
    operation: EveryClusterOperation,
  ): Promise<ClusterOutcome[]>;
}

/** POSTs an operation for several clusters; a 207 is an answer, cluster by cluster. @public */
export class EveryClusterClient implements EveryClusterApi {
  constructor(
    private readonly discoveryApi: DiscoveryApi,
    private readonly fetchApi: FetchApi,
  ) {}

  async run(
    entity: CompoundEntityRef,
    targets: Array<{ cluster: string; namespace: string; deployment: string }>,
    { operation, ...params }: EveryClusterOperation,
  ): Promise<ClusterOutcome[]> {
    const res = await this.fetchApi.fetch(
      await serviceUrl(
        this.discoveryApi,
        entity,
        `/every-cluster/${operation}`,
      ),
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...params, targets }),
      },
    );
    if (!res.ok) throw await backendError(res);
    return (await res.json()).results;
  }
}
