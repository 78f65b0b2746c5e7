import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { EventsQuery, servicesApiRef } from '../api/ServicesClient';

/** The Kubernetes events of a pod or a Deployment, read again whenever `signal` changes. */
export function useServiceEvents(
  entityRef: CompoundEntityRef,
  query: EventsQuery,
  signal: unknown,
) {
  const api = useApi(servicesApiRef);
  return useAsyncRetry(
    () => api.getEvents(entityRef, query),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, query.cluster, query.namespace, query.pod, query.deployment, signal],
  );
}
