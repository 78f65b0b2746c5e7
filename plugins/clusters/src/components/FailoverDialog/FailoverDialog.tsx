import { useState } from 'react';
import {
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import type {
  FailoverRun,
  FailoverServicePlan,
} from '@internal/plugin-container-cloud-common';
import useAsync from 'react-use/esm/useAsync';
import { clustersApiRef } from '../../api/ClustersClient';
import { formatAmounts } from '../ClusterCard/format';

const FREEST = '';

const columns: TableColumn<FailoverServicePlan>[] = [
  { title: 'Service', field: 'kubernetesId' },
  { title: 'Deployment', render: s => `${s.namespace}/${s.deployment}` },
  {
    title: 'Replicas',
    render: s => `${s.replicas} (target has ${s.targetReplicas})`,
  },
  {
    title: 'Moves?',
    render: s => (s.action === 'move' ? 'moves' : `skipped: ${s.reason}`),
  },
];

/**
 * "Move services off this cluster": choose the target (or let the suite choose by free capacity),
 * see which services move with their replicas and the target's capacity after, then start.
 */
export function FailoverDialog(props: {
  source: string;
  clusters: string[];
  onClose(): void;
  onStarted(run: FailoverRun): void;
}) {
  const api = useApi(clustersApiRef);
  const [target, setTarget] = useState(FREEST);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<Error>();
  const preview = useAsync(
    () =>
      api.previewFailover({
        source: props.source,
        target: target || undefined,
      }),
    [api, props.source, target],
  );
  const moving = preview.value?.services.filter(s => s.action === 'move') ?? [];

  const start = async () => {
    setStarting(true);
    setStartError(undefined);
    try {
      props.onStarted(
        await api.startFailover({
          source: props.source,
          target: preview.value?.target,
        }),
      );
    } catch (error) {
      setStartError(error as Error);
    } finally {
      setStarting(false);
    }
  };

  return (
    <Dialog open onClose={props.onClose} maxWidth="md" fullWidth>
      <DialogTitle>Move the services off {props.source}</DialogTitle>
      <DialogContent>
        <TextField
          select
          fullWidth
          label="Target cluster"
          value={target}
          onChange={e => setTarget(e.target.value as string)}
          margin="normal"
          SelectProps={{ displayEmpty: true }}
          InputLabelProps={{ shrink: true }}
        >
          <MenuItem value={FREEST}>Choose by free capacity</MenuItem>
          {props.clusters
            .filter(c => c !== props.source)
            .map(c => (
              <MenuItem key={c} value={c}>
                {c}
              </MenuItem>
            ))}
        </TextField>
        {preview.loading && <Progress />}
        {preview.error && <ResponseErrorPanel error={preview.error} />}
        {preview.value && (
          <>
            <Typography variant="subtitle1" gutterBottom>
              To {preview.value.target}
              {preview.value.targetChosenBy === 'free-capacity'
                ? ' (the cluster with the most free capacity)'
                : ''}
              : {moving.length} of {preview.value.services.length} service(s)
              move
            </Typography>
            {preview.value.warnings.map(w => (
              <Typography variant="body2" color="textSecondary" key={w}>
                {w}
              </Typography>
            ))}
            {!preview.value.fits && (
              <Typography variant="body2" color="error">
                The moved services ask for more than {preview.value.target} can
                hold.
              </Typography>
            )}
            <Typography variant="body2">
              {preview.value.target} requested now:{' '}
              {formatAmounts(preview.value.targetBefore.requested)}; after the
              move: {formatAmounts(preview.value.targetAfter.requested)};
              allocatable:{' '}
              {formatAmounts(preview.value.targetAfter.allocatable)}
            </Typography>
            <Table
              title="Services"
              options={{ paging: false, search: false, padding: 'dense' }}
              columns={columns}
              data={preview.value.services}
              emptyContent={
                <Typography>{props.source} runs no services.</Typography>
              }
            />
          </>
        )}
        {startError && <ResponseErrorPanel error={startError} />}
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>Cancel</Button>
        <Button
          color="secondary"
          variant="contained"
          disabled={!preview.value || moving.length === 0 || starting}
          onClick={start}
        >
          Start failover
        </Button>
      </DialogActions>
    </Dialog>
  );
}
