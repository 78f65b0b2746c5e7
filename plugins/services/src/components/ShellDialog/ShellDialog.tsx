import '@xterm/xterm/css/xterm.css';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  TextField,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { shellApiRef, ShellExit, ShellName } from '../../api/ShellClient';

/** The pod a shell may open into, with the containers to pick from. */
export interface ShellPod {
  cluster: string;
  namespace: string;
  pod: string;
  containers: string[];
}

type Status =
  | { state: 'connecting' }
  | { state: 'open' }
  | { state: 'reconnecting' }
  | { state: 'ended'; exit: ShellExit }
  | { state: 'failed'; message: string };

function describeExit(exit: ShellExit): string {
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
 * A terminal into one container of a pod (xterm.js), over the services backend's shell routes.
 * The shell opens when the dialog does and is closed with it; a dropped output stream reconnects
 * from the last byte received, so nothing printed meanwhile is lost.
 */
export function ShellDialog(props: {
  entity: CompoundEntityRef;
  pod: ShellPod;
  onClose(): void;
  /** the container was just added: keep trying while it is not running yet (up to 30 s) */
  waitForStart?: boolean;
}) {
  const waitForStart = props.waitForStart ?? false;
  const { pod, onClose } = props;
  // the page re-renders on every live update: the shell must not restart with it
  const { kind, namespace: entityNamespace, name } = props.entity;
  const entity = useMemo(
    () => ({ kind, namespace: entityNamespace, name }),
    [kind, entityNamespace, name],
  );
  const { cluster, namespace, pod: podName } = pod;
  const client = useApi(shellApiRef);
  const [container, setContainer] = useState(pod.containers[0]);
  const [shell, setShell] = useState<ShellName>('sh');
  const [attempt, setAttempt] = useState(0);
  const [status, setStatus] = useState<Status>({ state: 'connecting' });
  const [element, setElement] = useState<HTMLDivElement | null>(null);
  const sessionRef = useRef<string | undefined>(undefined);
  const [filePath, setFilePath] = useState('/var/log/');
  const [download, setDownload] = useState<
    { state: 'idle' } | { state: 'busy' } | { state: 'failed'; message: string }
  >({ state: 'idle' });

  async function downloadFile() {
    setDownload({ state: 'busy' });
    try {
      const file = await client.downloadFile(
        entity,
        { cluster, namespace, pod: podName, container },
        filePath,
      );
      const url = URL.createObjectURL(file.blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = file.fileName;
      link.click();
      URL.revokeObjectURL(url);
      setDownload({ state: 'idle' });
    } catch (error) {
      setDownload({ state: 'failed', message: (error as Error).message });
    }
  }

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

  const statusLine = (() => {
    switch (status.state) {
      case 'connecting':
        return <Typography variant="body2">Opening a shell…</Typography>;
      case 'reconnecting':
        return (
          <Typography variant="body2">
            Connection lost, reconnecting…
          </Typography>
        );
      case 'open':
        return (
          <Typography variant="body2">
            Connected to {container} in {pod.pod} on {pod.cluster}
          </Typography>
        );
      case 'ended':
        return <Alert severity="info">{describeExit(status.exit)}</Alert>;
      default:
        return <Alert severity="error">{status.message}</Alert>;
    }
  })();

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="lg">
      <DialogTitle>
        Shell: {pod.pod} ({pod.cluster})
      </DialogTitle>
      <DialogContent>
        <Box display="flex" style={{ gap: 16 }} mb={1} alignItems="center">
          <TextField
            select
            label="Container"
            value={container}
            onChange={e => setContainer(e.target.value)}
            style={{ minWidth: 180 }}
          >
            {pod.containers.map(c => (
              <MenuItem key={c} value={c}>
                {c}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            select
            label="Shell"
            value={shell}
            onChange={e => setShell(e.target.value as ShellName)}
            style={{ minWidth: 120 }}
          >
            <MenuItem value="sh">sh</MenuItem>
            <MenuItem value="bash">bash</MenuItem>
          </TextField>
          <Box flexGrow={1}>{statusLine}</Box>
        </Box>
        <div
          ref={setElement}
          data-testid="shell-terminal"
          aria-label={`shell in ${pod.pod}`}
          style={{ height: 420, background: '#000', padding: 4 }}
        />
        <Box display="flex" style={{ gap: 16 }} mt={2} alignItems="center">
          <TextField
            id="shell-file-path"
            label="File in the container"
            helperText="a log file the application writes, e.g. /var/log/app.log"
            value={filePath}
            onChange={e => setFilePath(e.target.value)}
            style={{ minWidth: 420 }}
          />
          <Button
            variant="outlined"
            onClick={downloadFile}
            disabled={download.state === 'busy' || filePath.endsWith('/')}
          >
            Download file
          </Button>
          {download.state === 'failed' && (
            <Alert severity="error">{download.message}</Alert>
          )}
        </Box>
      </DialogContent>
      <DialogActions>
        <Button
          onClick={() => setAttempt(n => n + 1)}
          disabled={status.state === 'connecting'}
        >
          New session
        </Button>
        <Button color="primary" onClick={onClose}>
          Close
        </Button>
      </DialogActions>
    </Dialog>
  );
}
