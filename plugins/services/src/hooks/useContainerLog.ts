import { useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { LogRequest } from '@internal/plugin-container-cloud-common';
import { servicesApiRef } from '../api/ServicesClient';

/** A followed log keeps this many of its newest lines. */
const MAX_FOLLOWED_LINES = 10_000;

/** A container's log as the viewer shows it. */
export type ContainerLog =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; lines: string[]; ended?: boolean };

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * The last lines of a container's log, or, with `follow`, its lines as the container writes them
 * (the newest 10,000); read again whenever the request changes.
 */
export function useContainerLog(
  entityRef: CompoundEntityRef,
  request: LogRequest,
  follow: boolean,
): ContainerLog {
  const api = useApi(servicesApiRef);
  const [state, setState] = useState<ContainerLog>({ status: 'loading' });
  const { cluster, namespace, pod, container, tailLines, previous } = request;

  useEffect(() => {
    setState({ status: 'loading' });
    if (follow) {
      let lines: string[] = [];
      return api.followLogs(entityRef, request, {
        onOpen: () => setState({ status: 'ready', lines }),
        onLine: line => {
          lines = [...lines, line].slice(-MAX_FOLLOWED_LINES);
          setState({ status: 'ready', lines });
        },
        onEnd: () => setState({ status: 'ready', lines, ended: true }),
        onError: error => setState({ status: 'error', message: error.message }),
      });
    }
    let current = true;
    api.getLogs(entityRef, request).then(
      text => current && setState({ status: 'ready', lines: splitLines(text) }),
      error => current && setState({ status: 'error', message: error.message }),
    );
    return () => {
      current = false;
    };
    // the request and the entity ref are rebuilt on every render: depend on what they hold
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [
    api,
    entityRef.namespace,
    entityRef.name,
    cluster,
    namespace,
    pod,
    container,
    tailLines,
    previous,
    follow,
  ]);

  return state;
}
