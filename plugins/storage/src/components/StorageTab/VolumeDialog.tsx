import { ReactNode, useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import type { VolumeChangeResult } from '@internal/plugin-container-cloud-common';
import { ChangeOutcomes } from './ChangeOutcomes';

/**
 * A dialog that sends one change: progress while it runs, the backend's words when it is
 * refused, each cluster's outcome when it is left half-way; closes when every cluster holds it.
 */
export function VolumeDialog(props: {
  title: string;
  submitLabel: string;
  /** why the form cannot be sent yet; the button stays disabled */
  invalid?: string;
  danger?: boolean;
  children: ReactNode;
  onSubmit: () => Promise<VolumeChangeResult>;
  /** after any answer (the list reloads) */
  onChanged: () => void;
  onClose: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [halfway, setHalfway] = useState<VolumeChangeResult>();

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    setHalfway(undefined);
    try {
      const result = await props.onSubmit();
      props.onChanged();
      if (result.ok) props.onClose();
      else setHalfway(result);
    } catch (e) {
      setError((e as Error).message);
      props.onChanged();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open onClose={props.onClose} fullWidth maxWidth="sm">
      <DialogTitle>{props.title}</DialogTitle>
      <DialogContent>
        {props.children}
        {busy && <LinearProgress aria-label="working" />}
        {error && (
          <Typography role="alert" color="error">
            {error}
          </Typography>
        )}
        {halfway && (
          <ChangeOutcomes
            message={halfway.message}
            outcomes={halfway.outcomes}
          />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color={props.danger ? 'secondary' : 'primary'}
          variant="contained"
          disabled={busy || Boolean(props.invalid)}
          title={props.invalid}
          onClick={submit}
        >
          {props.submitLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
