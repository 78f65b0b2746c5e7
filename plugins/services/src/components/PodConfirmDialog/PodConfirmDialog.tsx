import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
} from '@material-ui/core';

/** Asks before a container is destroyed or taken out of load balancing. */
export function PodConfirmDialog(props: {
  pod: string;
  action: 'destroy' | 'remove-from-lb';
  busy: boolean;
  onCancel(): void;
  onConfirm(): void;
}) {
  const { pod, action, busy, onCancel, onConfirm } = props;
  const destroy = action === 'destroy';
  return (
    <Dialog open onClose={onCancel}>
      <DialogTitle>
        {destroy ? 'Destroy' : 'Remove from load balancing'} {pod}?
      </DialogTitle>
      <DialogContent>
        {destroy
          ? 'The container is deleted and its Deployment starts a new one.'
          : 'The container leaves its Services and its ReplicaSet but keeps running, so you can look into it; a replacement starts. Destroy it when you are done.'}
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel}>Cancel</Button>
        <Button
          color="primary"
          variant="contained"
          disabled={busy}
          onClick={onConfirm}
        >
          {destroy ? 'Destroy' : 'Remove'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
