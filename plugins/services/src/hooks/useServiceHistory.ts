import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { HistoryQuery, servicesApiRef } from '../api/ServicesClient';
import { useReloadOn } from './useServiceSignal';

/**
 * A page of the service's container history, read again on every `signal`. `refreshing` says the
 * page held is being read again for the same filters (a live update), so it may stay on screen.
 */
export function useServiceHistory(
  entityRef: CompoundEntityRef,
  query: HistoryQuery,
  signal: unknown,
) {
  const api = useApi(servicesApiRef);
  const { cluster, state: podState, limit, offset } = query;
  const key = JSON.stringify([cluster, podState, limit, offset]);
  const state = useAsyncRetry(
    async () => ({
      key,
      page: await api.getHistory(entityRef, {
        cluster,
        state: podState,
        limit,
        offset,
      }),
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [
      api,
      entityRef.namespace,
      entityRef.name,
      cluster,
      podState,
      limit,
      offset,
    ],
  );
  useReloadOn(signal, state.retry);
  return {
    loading: state.loading,
    error: state.error,
    value: state.value?.page,
    refreshing: state.loading && state.value?.key === key,
  };
}
