import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { servicesApiRef } from '../api/ServicesClient';
import { useReloadOn } from './useServiceSignal';
import { CONTAINERS_PAGE_SIZE } from '../components/ContainersTable';

/**
 * The service's workloads in every cluster with the first page of each cluster's containers,
 * read again on every `signal` (an unchanged view is a 304 and the same object).
 */
export function useService(entityRef: CompoundEntityRef, signal: unknown) {
  const api = useApi(servicesApiRef);
  const state = useAsyncRetry(
    () => api.getService(entityRef, { podsLimit: CONTAINERS_PAGE_SIZE }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, entityRef.namespace, entityRef.name],
  );
  useReloadOn(signal, state.retry);
  return state;
}
