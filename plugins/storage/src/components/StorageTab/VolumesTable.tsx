import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { Table, TableColumn } from '@backstage/core-components';
import type {
  VolumeClaimView,
  VolumeView,
} from '@internal/plugin-container-cloud-common';
import { formatBytes } from './format';

/** What a row's buttons ask for. */
export type VolumeAction = 'mount' | 'unmount' | 'resize' | 'delete';

function ClaimStatus({ claim }: { claim: VolumeClaimView }) {
  const text = `${claim.cluster}: ${claim.phase}${
    claim.resizing ? ' (resizing)' : ''
  }`;
  return (
    <Typography
      variant="body2"
      color={claim.phase === 'Bound' ? 'textPrimary' : 'error'}
    >
      {text}
      {claim.reason && (
        <Typography variant="caption" component="span" display="block">
          {claim.reason}
        </Typography>
      )}
    </Typography>
  );
}

const perClaim = (volume: VolumeView, show: (c: VolumeClaimView) => string) =>
  volume.claims.map(c => (
    <Typography key={c.cluster} variant="body2">
      {c.cluster}: {show(c)}
    </Typography>
  ));

/** The service's volumes: status, capacity and use per cluster, where they are mounted. */
export function VolumesTable(props: {
  volumes: VolumeView[];
  onAction: (action: VolumeAction, volume: VolumeView) => void;
}) {
  const columns: TableColumn<VolumeView>[] = [
    { title: 'Name', field: 'name' },
    { title: 'Type', render: v => v.type ?? 'unknown' },
    {
      title: 'Status',
      render: v => v.claims.map(c => <ClaimStatus key={c.cluster} claim={c} />),
    },
    {
      title: 'Capacity',
      render: v => perClaim(v, c => c.capacity ?? `${c.requested} requested`),
    },
    {
      title: 'Used',
      render: v =>
        perClaim(v, c =>
          c.usedBytes === null
            ? 'unknown'
            : `${formatBytes(c.usedBytes)}${
                c.capacityBytes
                  ? ` (${Math.round((100 * c.usedBytes) / c.capacityBytes)}%)`
                  : ''
              }`,
        ),
    },
    {
      title: 'Mounted by',
      render: v =>
        v.mounts.length === 0 ? (
          <Typography variant="body2">nowhere</Typography>
        ) : (
          v.mounts.map((m, i) => (
            <Typography key={i} variant="body2">
              {m.kind ? `${m.kind} ` : ''}
              {m.cluster}/{m.deployment} ({m.container}): {m.path}
              {m.subPath ? ` ← ${m.subPath}` : ''}
              {m.readOnly ? ' (read-only)' : ''}
            </Typography>
          ))
        ),
    },
    {
      title: 'Actions',
      render: v => (
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 4 }}>
          <Button size="small" onClick={() => props.onAction('mount', v)}>
            Mount
          </Button>
          <Button
            size="small"
            disabled={v.mounts.length === 0}
            onClick={() => props.onAction('unmount', v)}
          >
            Unmount
          </Button>
          <Tooltip
            title={
              v.expandable ? '' : 'its storage type does not allow growing it'
            }
          >
            <span>
              <Button
                size="small"
                disabled={!v.expandable}
                onClick={() => props.onAction('resize', v)}
              >
                Resize
              </Button>
            </span>
          </Tooltip>
          <Button
            size="small"
            color="secondary"
            onClick={() => props.onAction('delete', v)}
          >
            Delete
          </Button>
        </div>
      ),
    },
  ];
  return (
    <Table<VolumeView>
      title="Volumes"
      options={{ paging: false, search: false, padding: 'dense' }}
      columns={columns}
      data={props.volumes}
    />
  );
}
