import { ReactNode, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  APP_STORE_MAX_EXPIRY_DAYS,
  APP_STORE_PRESETS,
  InstanceDetail,
} from '@internal/plugin-container-cloud-common';
import { appStoreApiRef } from '../../api/AppStoreClient';

/** A dialog that runs one action: its error shown inside it, the dialog kept open on failure. */
function ActionDialog(props: {
  title: string;
  action: string;
  disabled?: boolean;
  onClose: () => void;
  onRun: () => Promise<void>;
  children: ReactNode;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onRun();
      props.onClose();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      open
      onClose={props.onClose}
      fullWidth
      maxWidth="xs"
      aria-labelledby="action-title"
    >
      <DialogTitle id="action-title">{props.title}</DialogTitle>
      <DialogContent>
        {props.children}
        {error && (
          <Typography color="error" role="alert">
            {error}
          </Typography>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy || props.disabled}
          onClick={run}
        >
          {props.action}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** Upgrade (or downgrade) to another chart version, optionally another size. */
export function UpgradeDialog(props: {
  instance: InstanceDetail;
  onClose: () => void;
  onUpgrade: (version: string, preset?: string) => Promise<void>;
}) {
  const { instance } = props;
  const api = useApi(appStoreApiRef);
  const charts = useAsync(() => api.charts(), [api]);
  const versions =
    charts.value?.items.find(
      c => c.repository === instance.repository && c.name === instance.chart,
    )?.versions ?? [];
  const [version, setVersion] = useState('');
  const [preset, setPreset] = useState('');
  return (
    <ActionDialog
      title={`Upgrade ${instance.name}`}
      action="Upgrade"
      disabled={!version}
      onClose={props.onClose}
      onRun={() => props.onUpgrade(version, preset || undefined)}
    >
      <Typography variant="body2">
        Now {instance.chart} {instance.version}.
      </Typography>
      {charts.error && (
        <Typography color="error">
          The chart's versions could not be read: {charts.error.message}
        </Typography>
      )}
      <TextField
        id="upgrade-version"
        label="Version"
        select
        fullWidth
        margin="dense"
        value={version}
        onChange={e => setVersion(e.target.value)}
        helperText={
          charts.loading ? 'reading the chart’s versions…' : undefined
        }
      >
        {versions.map(v => (
          <MenuItem
            key={v.version}
            value={v.version}
            disabled={v.version === instance.version}
          >
            {v.version}
            {v.version === instance.version ? ' (installed)' : ''}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        id="upgrade-preset"
        label="Size"
        select
        fullWidth
        margin="dense"
        value={preset}
        onChange={e => setPreset(e.target.value)}
      >
        <MenuItem value="">
          <em>keep the current size</em>
        </MenuItem>
        {APP_STORE_PRESETS.map(p => (
          <MenuItem key={p} value={p}>
            {p}
          </MenuItem>
        ))}
      </TextField>
    </ActionDialog>
  );
}

/** Extend a test instance's expiry, counted from now. */
export function ExtendDialog(props: {
  instance: InstanceDetail;
  onClose: () => void;
  onExtend: (days: number) => Promise<void>;
}) {
  const [days, setDays] = useState('7');
  const n = Number(days);
  const valid = Number.isInteger(n) && n >= 1 && n <= APP_STORE_MAX_EXPIRY_DAYS;
  return (
    <ActionDialog
      title={`Extend ${props.instance.name}`}
      action="Extend"
      disabled={!valid}
      onClose={props.onClose}
      onRun={() => props.onExtend(n)}
    >
      <TextField
        id="extend-days"
        label="Days from now"
        type="number"
        fullWidth
        margin="dense"
        inputProps={{ min: 1, max: APP_STORE_MAX_EXPIRY_DAYS }}
        value={days}
        onChange={e => setDays(e.target.value)}
        error={!valid}
        helperText={
          valid
            ? undefined
            : `whole days from 1 to ${APP_STORE_MAX_EXPIRY_DAYS}`
        }
      />
    </ActionDialog>
  );
}

/** Delete (uninstall), confirmed by typing the instance's name. */
export function DeleteDialog(props: {
  instance: InstanceDetail;
  onClose: () => void;
  onDelete: () => Promise<void>;
}) {
  const [typed, setTyped] = useState('');
  return (
    <ActionDialog
      title={`Delete ${props.instance.name}`}
      action="Delete"
      disabled={typed !== props.instance.name}
      onClose={props.onClose}
      onRun={props.onDelete}
    >
      <Typography variant="body2" paragraph>
        Uninstalls the Helm release and its objects from{' '}
        {props.instance.cluster}/{props.instance.namespace}. Type the instance's
        name to confirm.
      </Typography>
      <TextField
        id="delete-confirm"
        label="Instance name"
        fullWidth
        margin="dense"
        value={typed}
        onChange={e => setTyped(e.target.value)}
      />
    </ActionDialog>
  );
}

/** Roll back to an earlier revision of the Helm release. */
export function RollbackDialog(props: {
  instance: InstanceDetail;
  revision: number;
  onClose: () => void;
  onRollback: () => Promise<void>;
}) {
  return (
    <ActionDialog
      title={`Roll back ${props.instance.name}`}
      action="Rollback"
      onClose={props.onClose}
      onRun={props.onRollback}
    >
      <Typography variant="body2">
        Helm makes a new revision with revision {props.revision}'s chart and
        values.
      </Typography>
    </ActionDialog>
  );
}

/** Attach the connection details to a service's environment as variables. */
export function AttachDialog(props: {
  instance: InstanceDetail;
  onClose: () => void;
  onAttach: (service: string, prefix: string) => Promise<void>;
}) {
  const [service, setService] = useState(
    props.instance.owner.startsWith('component:') ? props.instance.owner : '',
  );
  const [prefix, setPrefix] = useState(
    `${props.instance.chart
      .toLocaleUpperCase('en-US')
      .replace(/[^A-Z0-9]/g, '_')}_`,
  );
  return (
    <ActionDialog
      title={`Attach ${props.instance.name} to a service`}
      action="Attach"
      disabled={!service || !prefix}
      onClose={props.onClose}
      onRun={() => props.onAttach(service, prefix)}
    >
      <TextField
        id="attach-service"
        label="Service (component:namespace/name)"
        fullWidth
        margin="dense"
        value={service}
        onChange={e => setService(e.target.value)}
      />
      <TextField
        id="attach-prefix"
        label="Variable prefix"
        fullWidth
        margin="dense"
        value={prefix}
        onChange={e => setPrefix(e.target.value)}
        helperText={`${prefix}HOST, ${prefix}PORT, ${prefix}USER, ${prefix}PASSWORD`}
      />
    </ActionDialog>
  );
}
