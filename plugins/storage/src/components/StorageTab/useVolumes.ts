import { useApi } from '@backstage/core-plugin-api';
import { getCompoundEntityRef } from '@backstage/catalog-model';
import { useEntity } from '@backstage/plugin-catalog-react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { volumesApiRef } from '../../api/VolumesClient';

/** The entity's volumes, with a reload after every change. */
export function useVolumes() {
  const { entity } = useEntity();
  const ref = getCompoundEntityRef(entity);
  const api = useApi(volumesApiRef);
  const state = useAsyncRetry(
    () => api.list(ref),
    [api, ref.kind, ref.namespace, ref.name],
  );
  return { ...state, api, ref };
}
