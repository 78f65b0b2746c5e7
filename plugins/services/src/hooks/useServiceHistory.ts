import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { HistoryQuery, servicesApiRef } from '../api/ServicesClient';
import { useReloadOn } from './useServiceSignal';

/** A page of the service's container history, read again on every `signal`. */
export function useServiceHistory(
  entityRef: CompoundEntityRef,
  query: HistoryQuery,
  signal: unknown,
) {
  const api = useApi(servicesApiRef);
  const { cluster, state: podState, limit, offset } = query;
  const state = useAsyncRetry(
    () =>
      api.getHistory(entityRef, { cluster, state: podState, limit, offset }),
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
  return state;
}
