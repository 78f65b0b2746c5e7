import { useEffect } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/core-plugin-api';
import { useSignal } from '@backstage/plugin-signals-react';
import {
  appStoreInstanceChannel,
  type InstanceDetail,
} from '@internal/plugin-container-cloud-common';
import { appStoreApiRef, InstanceRef } from '../api/AppStoreClient';

/** How often an instance that is still changing is read again. */
export const POLL_MS = 2500;

/** The phases after which nothing changes until someone acts. */
const SETTLED = new Set(['ready', 'failed', 'deleted', 'expired']);

/** Whether an instance is still on its way somewhere (installing, upgrading, deleting). */
export function isSettled(instance?: InstanceDetail): boolean {
  return !!instance && SETTLED.has(instance.phase);
}

/**
 * One instance, read again every few seconds while it is not settled and whenever the backend
 * signals a change; the last answer stays shown while the next one loads.
 */
export function useInstance(ref: InstanceRef) {
  const api = useApi(appStoreApiRef);
  const { cluster, namespace, name } = ref;
  const state = useAsyncRetry(
    () => api.instance({ cluster, namespace, name }),
    [api, cluster, namespace, name],
  );
  const { lastSignal } = useSignal(appStoreInstanceChannel(ref));
  useEffect(() => {
    if (lastSignal) state.retry();
  }, [lastSignal]); // eslint-disable-line react-hooks/exhaustive-deps

  const settled = isSettled(state.value);
  const failedToRead = !!state.error;
  useEffect(() => {
    if (settled || failedToRead || state.loading) return undefined;
    const timer = setTimeout(state.retry, POLL_MS);
    return () => clearTimeout(timer);
  }, [settled, failedToRead, state.loading, state.retry]);
  return state;
}
