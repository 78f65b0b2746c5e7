import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Typography from '@material-ui/core/Typography';
import type { AuditEvent } from '@internal/plugin-container-cloud-common';

/** One audit event in full: every field, and what its plugin recorded with it. */
export function AuditEventDialog(props: {
  event: AuditEvent;
  onClose: () => void;
}) {
  const { event } = props;
  const fields: [string, string | null][] = [
    ['Time', new Date(event.time).toLocaleString()],
    ['Actor', event.actor],
    ['Plugin', event.plugin],
    ['Action', event.eventId],
    ['Severity', event.severity],
    ['Outcome', event.outcome],
    ['Error', event.error],
    ['Entity', event.entityRef],
    ['Cluster', event.cluster],
    ['Namespace', event.namespace],
    ['Request', [event.method, event.path].filter(Boolean).join(' ') || null],
    ['Request id', event.requestId],
  ];
  return (
    <Dialog open onClose={props.onClose} maxWidth="md" fullWidth>
      <DialogTitle>
        {event.plugin}: {event.eventId} ({event.outcome})
      </DialogTitle>
      <DialogContent>
        <dl>
          {fields
            .filter(([, value]) => value)
            .map(([name, value]) => (
              <div key={name}>
                <Typography component="dt" variant="subtitle2">
                  {name}
                </Typography>
                <Typography component="dd" variant="body2">
                  {value}
                </Typography>
              </div>
            ))}
        </dl>
        <Typography variant="subtitle2">Recorded with it</Typography>
        <pre aria-label="recorded details">
          {JSON.stringify(event.meta, null, 2)}
        </pre>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
