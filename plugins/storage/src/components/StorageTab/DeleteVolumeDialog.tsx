import { useState } from 'react';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import type {
  VolumeChangeResult,
  VolumeView,
} from '@internal/plugin-container-cloud-common';
import { VolumeDialog } from './VolumeDialog';

const MEANING: Record<string, string> = {
  Retain: 'the data is kept (ops can reuse or remove it)',
  Delete: 'the data is deleted with the volume',
};

/**
 * Delete a volume nothing mounts: shows what its reclaim policy does to the data in each cluster
 * and asks for its name typed again.
 */
export function DeleteVolumeDialog(props: {
  volume: VolumeView;
  onDelete: () => Promise<VolumeChangeResult>;
  onChanged: () => void;
  onClose: () => void;
}) {
  const [typed, setTyped] = useState('');
  const { volume } = props;
  const mounted = volume.mounts.length > 0;
  let invalid: string | undefined;
  if (mounted) invalid = 'unmount it first';
  else if (typed !== volume.name) invalid = 'type the volume’s name to confirm';

  return (
    <VolumeDialog
      title={`Delete ${volume.name}`}
      submitLabel="Delete"
      danger
      invalid={invalid}
      onSubmit={props.onDelete}
      onChanged={props.onChanged}
      onClose={props.onClose}
    >
      {mounted ? (
        <Typography color="error" gutterBottom>
          Mounted by{' '}
          {[
            ...new Set(
              volume.mounts.map(
                m =>
                  `${m.kind ? `${m.kind} ` : ''}${m.cluster}/${m.deployment}`,
              ),
            ),
          ].join(', ')}
          : unmount it before deleting it.
        </Typography>
      ) : null}
      <Typography variant="body2">What happens to the data:</Typography>
      <ul aria-label="reclaim policy">
        {volume.claims.map(c => (
          <li key={c.cluster}>
            <Typography variant="body2">
              {c.cluster}: reclaim policy{' '}
              {c.reclaimPolicy ?? 'none (not bound)'}
              {c.reclaimPolicy && MEANING[c.reclaimPolicy]
                ? ` — ${MEANING[c.reclaimPolicy]}`
                : ''}
            </Typography>
          </li>
        ))}
      </ul>
      <TextField
        id="delete-confirm"
        label={`Type ${volume.name} to confirm`}
        value={typed}
        onChange={e => setTyped(e.target.value)}
        disabled={mounted}
        fullWidth
        margin="dense"
      />
    </VolumeDialog>
  );
}
