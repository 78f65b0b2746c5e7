import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { servicesApiRef } from '../api/ServicesClient';
import { useReloadOn } from './useServiceSignal';

/** The service's workloads and containers in every cluster, read again on every `signal`. */
export function useService(entityRef: CompoundEntityRef, signal: unknown) {
  const api = useApi(servicesApiRef);
  const state = useAsyncRetry(
    () => api.getService(entityRef),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, entityRef.namespace, entityRef.name],
  );
  useReloadOn(signal, state.retry);
  return state;
}
