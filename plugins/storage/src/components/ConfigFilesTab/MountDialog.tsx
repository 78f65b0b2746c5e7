import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Radio from '@material-ui/core/Radio';
import RadioGroup from '@material-ui/core/RadioGroup';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { ConfigFileSet } from '@internal/plugin-container-cloud-common';
import { configFilesApiRef } from '../../api/ConfigFilesClient';
import { errorMessage } from './formats';

/**
 * Where a set is mounted, container by container, with the version each runs; mounts it at a
 * path (a folder, or each file by subPath) in every cluster, or unmounts it.
 */
export function MountDialog(props: {
  entity: CompoundEntityRef;
  set: ConfigFileSet;
  onClose(): void;
  onChanged(): void;
}) {
  const api = useApi(configFilesApiRef);
  const { entity, set } = props;
  const [path, setPath] = useState('/etc/config');
  const [mode, setMode] = useState<'folder' | 'files'>('folder');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      props.onChanged();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open onClose={props.onClose} maxWidth="md" fullWidth>
      <DialogTitle>Mounts of {set.name}</DialogTitle>
      <DialogContent>
        {set.mounts.length === 0 ? (
          <Typography>No container mounts this file set.</Typography>
        ) : (
          <Table size="small" aria-label="mounts">
            <TableHead>
              <TableRow>
                <TableCell>Cluster</TableCell>
                <TableCell>Deployment / container</TableCell>
                <TableCell>Path</TableCell>
                <TableCell>Runs</TableCell>
                <TableCell />
              </TableRow>
            </TableHead>
            <TableBody>
              {set.mounts.map(m => (
                <TableRow
                  key={`${m.cluster}/${m.deployment}/${m.container}/${m.path}`}
                >
                  <TableCell>{m.cluster}</TableCell>
                  <TableCell>
                    {m.deployment} / {m.container}
                  </TableCell>
                  <TableCell>
                    {m.path} (
                    {m.mode === 'folder' ? 'folder' : 'files by subPath'})
                  </TableCell>
                  <TableCell>
                    {m.runningVersion === null
                      ? 'unknown'
                      : `version ${m.runningVersion}`}
                    {m.current ? '' : ` (current is ${set.currentVersion})`}
                  </TableCell>
                  <TableCell>
                    <Button
                      size="small"
                      disabled={busy}
                      onClick={() =>
                        run(() => api.unmount(entity, set.name, m.path))
                      }
                    >
                      Unmount {m.path}
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
        <TextField
          id="config-file-mount-path"
          label="Mount path"
          value={path}
          onChange={e => setPath(e.target.value)}
          helperText="An absolute path in every container of the service's Deployments, in every cluster it runs in"
          fullWidth
          margin="normal"
        />
        <RadioGroup
          aria-label="how to mount"
          value={mode}
          onChange={e => setMode(e.target.value as 'folder' | 'files')}
        >
          <FormControlLabel
            value="folder"
            control={<Radio />}
            label="As a folder: Kubernetes updates the files in place after a save, within the kubelet's sync period (about a minute)"
          />
          <FormControlLabel
            value="files"
            control={<Radio />}
            label="Each file into the path (subPath): the folder's other files stay, but Kubernetes never updates a subPath mount; a save offers a rolling restart"
          />
        </RadioGroup>
        {error && (
          <Typography color="error" role="alert">
            {error}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        {set.mounts.some(m => m.mode === 'files' && !m.current) && (
          <Button
            disabled={busy}
            onClick={() => run(() => api.restart(entity, set.name))}
          >
            Rolling restart (subPath mounts run an older version)
          </Button>
        )}
        <Button onClick={props.onClose}>Close</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy || !path}
          onClick={() => run(() => api.mount(entity, set.name, { path, mode }))}
        >
          Mount
        </Button>
      </DialogActions>
    </Dialog>
  );
}
