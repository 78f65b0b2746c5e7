import { useEffect } from 'react';
import { useSignal } from '@backstage/plugin-signals-react';
import { serviceSignalChannel } from '@internal/plugin-container-cloud-common';

/**
 * The backend's last watch event about the service (its Deployments or pods changed); a new value
 * means views of it are stale. Undefined until the first one, and in apps without signals.
 */
export function useServiceSignal(kubernetesId: string): unknown {
  return useSignal(serviceSignalChannel(kubernetesId)).lastSignal;
}

/** Calls `reload` whenever `signal` takes a new value (not on the first render). */
export function useReloadOn(signal: unknown, reload: () => void): void {
  useEffect(() => {
    if (signal) reload();
  }, [signal]); // eslint-disable-line react-hooks/exhaustive-deps
}
