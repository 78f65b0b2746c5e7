import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import { ServiceListQuery, servicesApiRef } from '../api/ServicesClient';

/** A page of every service with its replicas. */
export function useServiceList(query: ServiceListQuery) {
  const api = useApi(servicesApiRef);
  const { owner, limit, offset } = query;
  return useAsyncRetry(
    () => api.listServices({ owner, limit, offset }),
    [api, owner, limit, offset],
  );
}
