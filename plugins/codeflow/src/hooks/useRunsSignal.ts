import { useEffect } from 'react';
import { useSignal } from '@backstage/plugin-signals-react';
import { codeflowRunsSignalChannel } from '@internal/plugin-container-cloud-common';

/**
 * The last change of the codeflow's runs (a run queued, started, a step moved on, the run
 * ended), as the backend signals it; undefined until one, and in apps without signals.
 */
export function useRunsSignal(codeflowId: string): unknown {
  return useSignal(codeflowRunsSignalChannel(codeflowId)).lastSignal;
}

/** Calls `reload` whenever `signal` takes a new value (not on the first render). */
export function useReloadOn(signal: unknown, reload: () => void): void {
  useEffect(() => {
    if (signal) reload();
  }, [signal]); // eslint-disable-line react-hooks/exhaustive-deps
}
