import { useState } from 'react';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  quantityBytes,
  reportedQuantityBytes,
  VolumeChangeResult,
  VolumeView,
} from '@internal/plugin-container-cloud-common';
import { VolumeDialog } from './VolumeDialog';

/** Grow a volume (its StorageClass must allow expansion; volumes never shrink). */
export function ResizeVolumeDialog(props: {
  volume: VolumeView;
  onResize: (size: string) => Promise<VolumeChangeResult>;
  onChanged: () => void;
  onClose: () => void;
}) {
  const current = props.volume.claims[0]?.requested ?? '';
  const [size, setSize] = useState(current);
  const bytes = quantityBytes(size);
  const currentBytes = reportedQuantityBytes(current) ?? 0;
  let invalid: string | undefined;
  if (bytes === undefined) invalid = 'size: a size with a unit, e.g. 20Gi';
  else if (bytes <= currentBytes) invalid = `size: larger than ${current}`;

  return (
    <VolumeDialog
      title={`Resize ${props.volume.name}`}
      submitLabel="Resize"
      invalid={invalid}
      onSubmit={() => props.onResize(size)}
      onChanged={props.onChanged}
      onClose={props.onClose}
    >
      <Typography variant="body2" gutterBottom>
        Now {current}. The provisioner grows it in every cluster; the capacity
        follows once it has.
      </Typography>
      <TextField
        id="resize-size"
        label="New size"
        value={size}
        onChange={e => setSize(e.target.value)}
        error={Boolean(invalid && size !== current)}
        helperText={invalid}
        fullWidth
        margin="dense"
      />
    </VolumeDialog>
  );
}
