import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import useInterval from 'react-use/esm/useInterval';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { MetricsQuery, servicesApiRef } from '../api/ServicesClient';

/** A container's CPU, memory and network over the last `query.minutes`, read again every `refreshSeconds`. */
export function useContainerMetrics(
  entityRef: CompoundEntityRef,
  query: MetricsQuery,
  refreshSeconds: number,
) {
  const api = useApi(servicesApiRef);
  const { cluster, namespace, pod, container, minutes } = query;
  const state = useAsyncRetry(
    () =>
      api.getMetrics(entityRef, {
        cluster,
        namespace,
        pod,
        ...(container ? { container } : {}),
        minutes,
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [
      api,
      entityRef.namespace,
      entityRef.name,
      cluster,
      namespace,
      pod,
      container,
      minutes,
    ],
  );
  // not while a read is under way, so a slow Prometheus is not asked twice at once
  useInterval(() => {
    if (!state.loading) state.retry();
  }, refreshSeconds * 1000);
  return state;
}
