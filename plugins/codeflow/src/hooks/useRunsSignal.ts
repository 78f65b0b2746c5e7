import { useEffect } from 'react';
import { useSignal } from '@backstage/plugin-signals-react';

/**
 * The signal channel the codeflow backend publishes a codeflow's run changes on (a run queued,
 * started, a step finished, the run ended).
 */
export function codeflowRunsChannel(codeflowId: string): string {
  return `codeflow:runs:${codeflowId}`;
}

/** The last change of the codeflow's runs; undefined until one, and in apps without signals. */
export function useRunsSignal(codeflowId: string): unknown {
  return useSignal(codeflowRunsChannel(codeflowId)).lastSignal;
}

/** Calls `reload` whenever `signal` takes a new value (not on the first render). */
export function useReloadOn(signal: unknown, reload: () => void): void {
  useEffect(() => {
    if (signal) reload();
  }, [signal]); // eslint-disable-line react-hooks/exhaustive-deps
}
