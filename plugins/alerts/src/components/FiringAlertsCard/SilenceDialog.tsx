import { useState } from 'react';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import type {
  AlertView,
  SilenceCreate,
} from '@internal/plugin-container-cloud-common';

const DURATIONS = [
  { minutes: 30, label: '30 minutes' },
  { minutes: 60, label: '1 hour' },
  { minutes: 240, label: '4 hours' },
  { minutes: 1440, label: '1 day' },
  { minutes: 10080, label: '7 days' },
];

/** The labels that narrow a silence to one alert: its rule, and its container when it has one. */
function alertMatchers(alert: AlertView): SilenceCreate['matchers'] {
  const matchers = [];
  if (alert.rule) matchers.push({ name: 'cc_rule', value: alert.rule });
  else matchers.push({ name: 'alertname', value: alert.name });
  if (alert.container) {
    matchers.push({ name: 'container', value: alert.container });
  }
  if (alert.pod) matchers.push({ name: 'pod', value: alert.pod });
  return matchers;
}

/**
 * Silences the service's alerts (all of them, or those like one alert) for a while, with a
 * reason. The backend always limits the silence to this service.
 */
export function SilenceDialog(props: {
  open: boolean;
  /** the alert to silence; undefined: every alert of the service */
  alert?: AlertView;
  onClose(): void;
  onSubmit(silence: SilenceCreate): Promise<void>;
}) {
  const { alert } = props;
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState(60);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await props.onSubmit({
        reason,
        durationMinutes: minutes,
        matchers: alert ? alertMatchers(alert) : undefined,
      });
      setReason('');
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog open={props.open} onClose={props.onClose} fullWidth maxWidth="sm">
      <DialogTitle>
        {alert
          ? `Silence ${alert.name}`
          : 'Silence every alert of this service'}
      </DialogTitle>
      <DialogContent>
        {alert && (
          <Typography variant="body2" gutterBottom>
            Matches{' '}
            {alertMatchers(alert)!
              .map(m => `${m.name}="${m.value}"`)
              .join(', ')}
            , on this service only.
          </Typography>
        )}
        <TextField
          id="silence-reason"
          label="Reason"
          value={reason}
          onChange={e => setReason(e.target.value)}
          fullWidth
          required
          margin="normal"
          error={Boolean(error)}
          helperText={error ?? 'Recorded with the silence and in the audit log'}
        />
        <TextField
          id="silence-duration"
          select
          label="For"
          value={minutes}
          onChange={e => setMinutes(Number(e.target.value))}
          fullWidth
          margin="normal"
        >
          {DURATIONS.map(d => (
            <MenuItem key={d.minutes} value={d.minutes}>
              {d.label}
            </MenuItem>
          ))}
        </TextField>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy || reason.trim().length < 3}
          onClick={submit}
        >
          Silence
        </Button>
      </DialogActions>
    </Dialog>
  );
}
