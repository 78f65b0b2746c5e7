import '@xterm/xterm/css/xterm.css';
import { useMemo, useState } from 'react';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Typography,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { ShellName } from '../../api/ShellClient';
import { ContainerFileDownload } from '../ContainerFileDownload';
import { describeExit, useShellSession } from '../../hooks/useShellSession';
import { SelectField } from '../SelectField';

const SHELLS: readonly ShellName[] = ['sh', 'bash'];

/** The pod a shell may open into, with the containers to pick from. */
export interface ShellPod {
  cluster: string;
  namespace: string;
  pod: string;
  containers: string[];
}

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
  const [container, setContainer] = useState(pod.containers[0]);
  const [shell, setShell] = useState<ShellName>('sh');
  const [attempt, setAttempt] = useState(0);
  const [element, setElement] = useState<HTMLDivElement | null>(null);
  const status = useShellSession({
    element,
    entity,
    target: { cluster, namespace, pod: podName, container },
    shell,
    attempt,
    waitForStart,
  });

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
          <SelectField
            label="Container"
            value={container}
            options={pod.containers}
            onChange={setContainer}
            style={{ minWidth: 180 }}
          />
          <SelectField
            label="Shell"
            value={shell}
            options={SHELLS}
            onChange={value => setShell(value as ShellName)}
            style={{ minWidth: 120 }}
          />
          <Box flexGrow={1}>{statusLine}</Box>
        </Box>
        <div
          ref={setElement}
          data-testid="shell-terminal"
          aria-label={`shell in ${pod.pod}`}
          style={{ height: 420, background: '#000', padding: 4 }}
        />
        <ContainerFileDownload
          entity={entity}
          target={{ cluster, namespace, pod: podName, container }}
        />
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
