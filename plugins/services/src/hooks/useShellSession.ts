import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import {
  shellApiRef,
  ShellExit,
  ShellName,
  ShellTarget,
} from '../api/ShellClient';

/** Where a shell session stands, for the dialog's status line. */
export type Status =
  | { state: 'connecting' }
  | { state: 'open' }
  | { state: 'reconnecting' }
  | { state: 'ended'; exit: ShellExit }
  | { state: 'failed'; message: string };

export function describeExit(exit: ShellExit): string {
  if (exit.exitCode !== undefined)
    return `the shell exited with code ${exit.exitCode}`;
  return `the shell ended: ${exit.message ?? 'no reason given'}`;
}

/** Keystrokes typed within this many ms go in one request. */
const INPUT_BATCH_MS = 15;
const RECONNECT_DELAY_MS = 1000;
const START_RETRY_MS = 1000;
const START_RETRIES = 30;

/**
 * A shell session in a terminal drawn into `element` (xterm.js): opens the shell, streams its
 * output (reconnecting from the last byte received), sends keystrokes in order and resizes; closes
 * the shell when the element, target, shell or `attempt` changes, and on unmount.
 */
export function useShellSession(options: {
  element: HTMLDivElement | null;
  /** stable across renders: a new object restarts the session */
  entity: CompoundEntityRef;
  target: ShellTarget;
  shell: ShellName;
  /** a new value opens a new session */
  attempt: number;
  /** the container was just added: keep trying while it is not running yet (up to 30 s) */
  waitForStart: boolean;
}): Status {
  const { element, entity, shell, attempt, waitForStart } = options;
  const { cluster, namespace, pod: podName, container } = options.target;
  const client = useApi(shellApiRef);
  const [status, setStatus] = useState<Status>({ state: 'connecting' });
  const sessionRef = useRef<string | undefined>(undefined);

  const closeSession = useCallback(() => {
    const id = sessionRef.current;
    sessionRef.current = undefined;
    if (id) client.close(entity, id).catch(() => {});
  }, [client, entity]);

  useEffect(() => {
    if (!element) return undefined;
    const terminal = new Terminal({
      cursorBlink: true,
      convertEol: false,
      fontSize: 13,
      scrollback: 5000,
    });
    const fit = new FitAddon();
    terminal.loadAddon(fit);
    terminal.open(element);
    fit.fit();

    const abort = new AbortController();
    let id: string | undefined;
    let received = 0;
    let pending = '';
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    let resizeTimer: ReturnType<typeof setTimeout> | undefined;

    // one input request at a time: two in flight may arrive in either order (through a load
    // balancer, at different backend replicas), and keystrokes must reach the shell as typed;
    // what is typed meanwhile goes in the next request
    let sending = false;
    const flush = () => {
      flushTimer = undefined;
      if (!id || !pending || sending) return;
      const data = pending;
      pending = '';
      sending = true;
      client.send(entity, id, data).then(
        () => {
          sending = false;
          if (!abort.signal.aborted) flush();
        },
        error => {
          sending = false;
          setStatus(s =>
            s.state === 'ended'
              ? s
              : { state: 'failed', message: error.message },
          );
        },
      );
    };
    const typing = terminal.onData(data => {
      pending += data;
      flushTimer ??= setTimeout(flush, INPUT_BATCH_MS);
    });
    const observer = new ResizeObserver(() => {
      fit.fit();
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        if (id) {
          client
            .resize(entity, id, { columns: terminal.cols, rows: terminal.rows })
            .catch(() => {});
        }
      }, 200);
    });
    observer.observe(element);

    const follow = (sessionId: string): Promise<void> =>
      client.follow(
        entity,
        sessionId,
        received,
        {
          onOutput(bytes, offset) {
            // a reconnect may repeat the tail of what we have: skip it
            const skip = Math.max(0, received - offset);
            if (skip < bytes.length) terminal.write(bytes.subarray(skip));
            received = Math.max(received, offset + bytes.length);
            setStatus(s => (s.state === 'open' ? s : { state: 'open' }));
          },
          onExit(exit) {
            sessionRef.current = undefined;
            setStatus({ state: 'ended', exit });
            terminal.write(`\r\n\x1b[2m[${describeExit(exit)}]\x1b[0m\r\n`);
          },
          onDisconnect() {
            setStatus({ state: 'reconnecting' });
            setTimeout(() => {
              if (!abort.signal.aborted) follow(sessionId);
            }, RECONNECT_DELAY_MS);
          },
        },
        abort.signal,
      );

    // a container just added (a debug container) may need a moment before it runs
    const openWhenRunning = async (attemptsLeft: number): Promise<string> => {
      try {
        return await client.open(
          entity,
          { cluster, namespace, pod: podName, container },
          shell,
          { columns: terminal.cols, rows: terminal.rows },
        );
      } catch (error) {
        const starting = /is not running/.test((error as Error).message);
        if (!starting || attemptsLeft <= 0 || abort.signal.aborted) throw error;
        await new Promise(resolve => setTimeout(resolve, START_RETRY_MS));
        return openWhenRunning(attemptsLeft - 1);
      }
    };

    setStatus({ state: 'connecting' });
    openWhenRunning(waitForStart ? START_RETRIES : 0)
      .then(sessionId => {
        if (abort.signal.aborted) {
          client.close(entity, sessionId).catch(() => {});
          return;
        }
        id = sessionId;
        sessionRef.current = sessionId;
        setStatus({ state: 'open' });
        terminal.focus();
        follow(sessionId);
      })
      .catch(error => setStatus({ state: 'failed', message: error.message }));

    return () => {
      abort.abort();
      clearTimeout(flushTimer);
      clearTimeout(resizeTimer);
      observer.disconnect();
      typing.dispose();
      terminal.dispose();
      closeSession();
    };
  }, [
    element,
    client,
    entity,
    cluster,
    namespace,
    podName,
    container,
    shell,
    attempt,
    closeSession,
    waitForStart,
  ]);

  return status;
}
