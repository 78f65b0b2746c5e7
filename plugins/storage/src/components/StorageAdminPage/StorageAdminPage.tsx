import { useState } from 'react';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import Switch from '@material-ui/core/Switch';
import Typography from '@material-ui/core/Typography';
import {
  Content,
  EmptyState,
  Header,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
  WarningPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import type { AdminVolume } from '@internal/plugin-container-cloud-common';
import { volumesApiRef } from '../../api/VolumesClient';
import { formatBytes } from '../StorageTab/format';

const columns: TableColumn<AdminVolume>[] = [
  { title: 'Cluster', field: 'cluster' },
  { title: 'Namespace', field: 'namespace' },
  { title: 'Name', field: 'name' },
  { title: 'Owner', render: v => v.owner ?? 'none' },
  {
    title: 'Status',
    render: v => (
      <Typography
        variant="body2"
        color={v.phase === 'Bound' ? 'textPrimary' : 'error'}
      >
        {v.phase}
        {v.reason ? `: ${v.reason}` : ''}
      </Typography>
    ),
  },
  { title: 'Size', render: v => v.capacity ?? `${v.requested} requested` },
  { title: 'Used', render: v => formatBytes(v.usedBytes) },
  { title: 'Class', render: v => v.storageClass ?? 'static' },
  {
    title: 'Mounted by',
    render: v => (v.mountedBy.length ? v.mountedBy.join(', ') : 'nowhere'),
  },
  {
    title: 'Orphan',
    render: v =>
      v.orphan ? (
        <Typography variant="body2" color="error">
          {`orphan: ${v.orphanReason}`}
        </Typography>
      ) : (
        ''
      ),
  },
];

/** Every volume in every cluster, for ops: owners, size, use, mounts, orphans flagged. */
export function StorageAdminPage() {
  const api = useApi(volumesApiRef);
  const { value, loading, error } = useAsyncRetry(() => api.listAll(), [api]);
  const [orphansOnly, setOrphansOnly] = useState(false);

  let body;
  if (loading && !value) body = <Progress />;
  else if (error) body = <ResponseErrorPanel error={error} />;
  else if (value) {
    const orphans = value.items.filter(v => v.orphan).length;
    const shown = orphansOnly ? value.items.filter(v => v.orphan) : value.items;
    body = (
      <>
        {value.errors.map(e => (
          <WarningPanel
            key={e.cluster}
            title={`Cluster ${e.cluster} could not be read`}
            message={e.message}
          />
        ))}
        <FormControlLabel
          control={
            <Switch
              checked={orphansOnly}
              onChange={e => setOrphansOnly(e.target.checked)}
            />
          }
          label={`Orphans only (${orphans}: no owner entity, or mounted nowhere for ${value.orphanAfterDays} days)`}
        />
        {shown.length === 0 ? (
          <EmptyState
            missing="data"
            title={orphansOnly ? 'No orphaned volumes' : 'No volumes'}
            description="No PersistentVolumeClaim in any configured cluster matches."
          />
        ) : (
          <Table<AdminVolume>
            title={`Volumes (${shown.length})`}
            options={{ paging: true, pageSize: 20, padding: 'dense' }}
            columns={columns}
            data={shown}
          />
        )}
      </>
    );
  }

  return (
    <Page themeId="tool">
      <Header
        title="Storage"
        subtitle="Every volume in every cluster: owners, size, use and mounts"
      />
      <Content>{body}</Content>
    </Page>
  );
}
