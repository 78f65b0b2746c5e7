import { useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
} from '@material-ui/core';
import { Alert } from '@material-ui/lab';
import { Progress } from '@backstage/core-components';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { useApi } from '@backstage/core-plugin-api';
import { debugApiRef } from '../../api/DebugClient';
import { ShellDialog, ShellPod } from '../ShellDialog';
import { SelectField } from '../SelectField';

/**
 * Starts a debug container (an ephemeral container from a tools image that shares the target
 * container's processes and network) and then opens a shell in it.
 */
export function DebugDialog(props: {
  entity: CompoundEntityRef;
  pod: ShellPod;
  onClose(): void;
}) {
  const { entity, pod, onClose } = props;
  const client = useApi(debugApiRef);
  const images = useAsync(() => client.debugImages(entity), [client]);
  const [target, setTarget] = useState(pod.containers[0]);
  const [image, setImage] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [started, setStarted] = useState<string>();
  const chosen = image ?? images.value?.[0];

  if (started) {
    return (
      <ShellDialog
        entity={entity}
        pod={{ ...pod, containers: [started] }}
        onClose={onClose}
        waitForStart
      />
    );
  }

  async function start() {
    if (!chosen) return;
    setBusy(true);
    setError(undefined);
    try {
      setStarted(
        await client.addDebugContainer(
          entity,
          {
            cluster: pod.cluster,
            namespace: pod.namespace,
            pod: pod.pod,
            container: target,
          },
          chosen,
        ),
      );
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>
        Debug {pod.pod} ({pod.cluster})
      </DialogTitle>
      <DialogContent>
        <DialogContentText>
          Adds a container from a tools image to the running pod. It sees the
          target container's processes and network; the pod is not restarted,
          and the debug container stays until the pod is replaced.
        </DialogContentText>
        {images.loading && <Progress />}
        {images.error && (
          <Alert severity="error">
            Could not load the tools images: {images.error.message}
          </Alert>
        )}
        {images.value && (
          <>
            <SelectField
              fullWidth
              margin="normal"
              id="debug-target"
              label="Target container"
              value={target}
              options={pod.containers}
              onChange={setTarget}
            />
            <SelectField
              fullWidth
              margin="normal"
              id="debug-image"
              label="Tools image"
              value={chosen ?? ''}
              options={images.value}
              onChange={setImage}
            />
          </>
        )}
        {error && <Alert severity="error">{error}</Alert>}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={!chosen || busy}
          onClick={start}
        >
          {busy ? 'Starting…' : 'Start debug container'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
