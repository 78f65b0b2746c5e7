import { useState } from 'react';
import {
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
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

/** The preview's columns; a service that moves has a box to leave it where it is. */
const columnsFor = (
  left: Set<string>,
  toggle: (kubernetesId: string) => void,
): TableColumn<FailoverServicePlan>[] => [
  {
    title: 'Move',
    width: '64px',
    render: s =>
      s.action === 'move' ? (
        <Checkbox
          size="small"
          checked={!left.has(s.kubernetesId)}
          onChange={() => toggle(s.kubernetesId)}
          inputProps={{ 'aria-label': `move ${s.kubernetesId}` }}
        />
      ) : null,
  },
  { title: 'Service', field: 'kubernetesId' },
  { title: 'Deployment', render: s => `${s.namespace}/${s.deployment}` },
  {
    title: 'Replicas',
    render: s => `${s.replicas} (target has ${s.targetReplicas})`,
  },
  {
    title: 'Moves?',
    // a move's reason says what it carries (Secrets copied, claims made in the target)
    render: s =>
      s.action === 'move'
        ? `moves${s.reason ? `: ${s.reason}` : ''}`
        : `skipped: ${s.reason}`,
  },
];

/**
 * "Move services off this cluster": choose the target (or let the suite choose by free capacity),
 * see which services move with their replicas and the target's capacity after, leave some out if
 * need be (the capacity is then previewed again for the chosen ones), then start.
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
  const movable =
    preview.value?.services.filter(s => s.action === 'move') ?? [];
  // the services left where they are; a new preview (another target) starts with none left
  const [left, setLeft] = useState<Set<string>>(new Set());
  const toggle = (kubernetesId: string) =>
    setLeft(current => {
      const next = new Set(current);
      if (next.has(kubernetesId)) next.delete(kubernetesId);
      else next.add(kubernetesId);
      return next;
    });
  const moving = movable.filter(s => !left.has(s.kubernetesId));
  const chosen =
    moving.length < movable.length
      ? [...new Set(moving.map(s => s.kubernetesId))].sort()
      : undefined;
  // the target's capacity after moving only the chosen services
  const chosenPreview = useAsync(async () => {
    if (!chosen || chosen.length === 0 || !preview.value) return undefined;
    return api.previewFailover({
      source: props.source,
      target: preview.value.target,
      services: chosen,
    });
  }, [api, props.source, preview.value, chosen?.join(',')]);
  const capacity = chosen ? chosenPreview.value : preview.value;

  const chooseTarget = (value: string) => {
    setLeft(new Set());
    setTarget(value);
  };

  const start = async () => {
    setStarting(true);
    setStartError(undefined);
    try {
      props.onStarted(
        await api.startFailover({
          source: props.source,
          target: preview.value?.target,
          ...(chosen ? { services: chosen } : {}),
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
          onChange={e => chooseTarget(e.target.value as string)}
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
              {chosen ? ` (${movable.length - moving.length} left out)` : ''}
            </Typography>
            {preview.value.warnings.map(w => (
              <Typography variant="body2" color="textSecondary" key={w}>
                {w}
              </Typography>
            ))}
            {chosenPreview.loading && <Progress />}
            {chosenPreview.error && (
              <ResponseErrorPanel error={chosenPreview.error} />
            )}
            {capacity && !capacity.fits && (
              <Typography variant="body2" color="error">
                The moved services ask for more than {capacity.target} can hold.
              </Typography>
            )}
            {capacity && (
              <Typography variant="body2">
                {capacity.target} requested now:{' '}
                {formatAmounts(capacity.targetBefore.requested)}; after the
                move: {formatAmounts(capacity.targetAfter.requested)};
                allocatable: {formatAmounts(capacity.targetAfter.allocatable)}
              </Typography>
            )}
            <Table
              title="Services"
              options={{ paging: false, search: false, padding: 'dense' }}
              columns={columnsFor(left, toggle)}
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
