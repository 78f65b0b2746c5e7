import { useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type {
  CodeflowRun,
  CodeflowRunStatus,
} from '@internal/plugin-container-cloud-common';
import { codeflowApiRef } from '../api/CodeflowClient';

/** Lines the page keeps of one run's log; the download has them all. */
export const MAX_LOG_LINES = 20_000;

/** One line of a run's log and the step that wrote it. */
export interface LogLine {
  step: string;
  text: string;
}

export interface RunLogState {
  lines: LogLine[];
  /** lines dropped from the top to keep the page light */
  dropped: number;
  /** the run as the stream last said it */
  run?: CodeflowRun;
  /** the run ended and every line arrived */
  ended?: { status: CodeflowRunStatus };
  error?: Error;
}

/** Follows a run's live log (server-sent events) from its start, until it ends or the view closes. */
export function useRunLog(
  entity: CompoundEntityRef,
  codeflowId: string,
  runId: string,
  enabled: boolean,
): RunLogState {
  const api = useApi(codeflowApiRef);
  const [state, setState] = useState<RunLogState>({ lines: [], dropped: 0 });
  const { kind, namespace, name } = entity;

  useEffect(() => {
    setState({ lines: [], dropped: 0 });
    if (!enabled) return undefined;
    // a line may arrive cut at any byte: keep the unfinished tail per step
    const tails = new Map<string, string>();
    const stop = api.streamLog({ kind, namespace, name }, codeflowId, runId, {
      onLog: ({ step, text }) => {
        const parts = ((tails.get(step) ?? '') + text).split('\n');
        tails.set(step, parts.pop() ?? '');
        if (parts.length === 0) return;
        setState(s => {
          const lines = [...s.lines, ...parts.map(t => ({ step, text: t }))];
          const over = Math.max(0, lines.length - MAX_LOG_LINES);
          return {
            ...s,
            lines: over ? lines.slice(over) : lines,
            dropped: s.dropped + over,
          };
        });
      },
      onRun: run => setState(s => ({ ...s, run })),
      onEnd: end => {
        const rest = [...tails.entries()].filter(([, t]) => t);
        tails.clear();
        setState(s => ({
          ...s,
          lines: [...s.lines, ...rest.map(([step, text]) => ({ step, text }))],
          ended: end,
        }));
      },
      onError: error => setState(s => ({ ...s, error })),
    });
    return stop;
  }, [api, kind, namespace, name, codeflowId, runId, enabled]);

  return state;
}
