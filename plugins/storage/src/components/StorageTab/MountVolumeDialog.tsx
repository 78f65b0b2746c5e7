import { useState } from 'react';
import Checkbox from '@material-ui/core/Checkbox';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  mountPathProblem,
  normalMountPath,
  ServiceDeploymentMounts,
  VolumeChangeResult,
  VolumeMountRequest,
} from '@internal/plugin-container-cloud-common';
import { VolumeDialog } from './VolumeDialog';

const shadows = (a: string, b: string) => {
  const x = normalMountPath(a);
  const y = normalMountPath(b);
  return x === y || x.startsWith(`${y}/`) || y.startsWith(`${x}/`);
};

/**
 * Mount a volume into every Deployment of the service at a path (optional sub-path, read-only).
 * Sends the Deployments as the page loaded them: a newer one is a 409 with its current state.
 */
export function MountVolumeDialog(props: {
  volume: string;
  deployments: ServiceDeploymentMounts[];
  onMount: (request: VolumeMountRequest) => Promise<VolumeChangeResult>;
  onChanged: () => void;
  onClose: () => void;
}) {
  const [path, setPath] = useState('/data');
  const [subPath, setSubPath] = useState('');
  const [readOnly, setReadOnly] = useState(false);
  const taken = props.deployments.flatMap(d =>
    d.mounts.map(m => ({ ...m, where: `${d.cluster}/${d.deployment}` })),
  );
  const hidden = taken.find(m => shadows(m.path, path));
  const invalid =
    (mountPathProblem(path) && `path: ${mountPathProblem(path)}`) ||
    (hidden &&
      `path: would shadow ${hidden.volume} at ${hidden.path} in ${hidden.where}`) ||
    (props.deployments.length === 0
      ? 'the service has no Deployment to mount into'
      : undefined);

  return (
    <VolumeDialog
      title={`Mount ${props.volume}`}
      submitLabel="Mount"
      invalid={invalid}
      onSubmit={() =>
        props.onMount({
          path,
          ...(subPath ? { subPath } : {}),
          ...(readOnly ? { readOnly } : {}),
          expected: props.deployments.map(d => ({
            cluster: d.cluster,
            namespace: d.namespace,
            deployment: d.deployment,
            resourceVersion: d.resourceVersion,
            generation: d.generation,
          })),
        })
      }
      onChanged={props.onChanged}
      onClose={props.onClose}
    >
      <Typography variant="body2" gutterBottom>
        Into{' '}
        {props.deployments
          .map(d => `${d.cluster}/${d.namespace}/${d.deployment}`)
          .join(', ') || 'no Deployment'}
        : each Deployment rolls out new pods with the volume.
      </Typography>
      <TextField
        id="mount-path"
        label="Mount path"
        value={path}
        onChange={e => setPath(e.target.value)}
        error={Boolean(invalid?.startsWith('path'))}
        helperText={
          invalid?.startsWith('path')
            ? invalid
            : 'absolute; not /, /proc, /sys or /dev'
        }
        fullWidth
        margin="dense"
      />
      <TextField
        id="mount-subpath"
        label="Sub-path (optional)"
        value={subPath}
        onChange={e => setSubPath(e.target.value)}
        helperText="a folder inside the volume to mount instead of its root"
        fullWidth
        margin="dense"
      />
      <FormControlLabel
        control={
          <Checkbox
            checked={readOnly}
            onChange={e => setReadOnly(e.target.checked)}
          />
        }
        label="Read-only"
      />
      {taken.length > 0 && (
        <Typography variant="caption" component="div">
          Mounted there already:{' '}
          {[...new Set(taken.map(m => `${m.path} (${m.volume})`))].join(', ')}
        </Typography>
      )}
    </VolumeDialog>
  );
}
