import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { servicesApiRef } from '../api/ServicesClient';
import { useReloadOn } from './useServiceSignal';

/** What is wrong with the service's containers, read again on every `signal`. */
export function useServiceDiagnosis(
  entityRef: CompoundEntityRef,
  signal: unknown,
) {
  const api = useApi(servicesApiRef);
  const state = useAsyncRetry(
    () => api.getDiagnosis(entityRef),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, entityRef.namespace, entityRef.name],
  );
  useReloadOn(signal, state.retry);
  return state;
}
