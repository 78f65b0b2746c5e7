import { useState } from 'react';
import { Box, Button, MenuItem, TextField } from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import { InfoCard, Table, TableColumn } from '@backstage/core-components';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { HistoryEntry } from '@internal/plugin-container-cloud-common';
import { useServiceHistory } from '../../hooks';
import { MetricsDialog } from '../MetricsDialog';

const PAGE = 20;
const when = (iso?: string) => (iso ? new Date(iso).toLocaleString() : '');

const baseColumns: TableColumn<HistoryEntry>[] = [
  { title: 'Cluster', field: 'cluster' },
  { title: 'Container', field: 'pod' },
  { title: 'IP', field: 'ip' },
  { title: 'Node', field: 'node' },
  { title: 'Image', render: e => e.images.map(i => i.image).join(', ') },
  { title: 'Started', render: e => when(e.startedAt) },
  { title: 'Ended', render: e => (e.endedAt ? when(e.endedAt) : 'running') },
  {
    title: 'Exit',
    render: e =>
      e.endedAt
        ? `${e.exitReason ?? ''}${
            e.exitCode !== undefined ? ` (${e.exitCode})` : ''
          }`
        : '',
  },
];

/** Every container the service ever had, kept after it is gone. */
export function HistoryCard(props: {
  entityRef: CompoundEntityRef;
  clusters: string[];
  refreshKey: unknown;
}) {
  const [cluster, setCluster] = useState('');
  const [state, setState] = useState<'' | 'running' | 'ended'>('');
  const [page, setPage] = useState(0);
  const [chartOf, setChartOf] = useState<HistoryEntry>();
  const columns: TableColumn<HistoryEntry>[] = [
    ...baseColumns,
    {
      title: 'Charts',
      render: e => (
        <Button
          size="small"
          variant="outlined"
          aria-label={`metrics of ${e.pod} in history`}
          onClick={() => setChartOf(e)}
        >
          metrics
        </Button>
      ),
    },
  ];
  const { value, loading, error } = useServiceHistory(
    props.entityRef,
    {
      cluster: cluster || undefined,
      state: state || undefined,
      limit: PAGE,
      offset: page * PAGE,
    },
    props.refreshKey,
  );

  return (
    <InfoCard title="History containers">
      <Box display="flex" style={{ gap: 16 }} mb={2}>
        <TextField
          select
          label="Cluster"
          value={cluster}
          style={{ minWidth: 160 }}
          onChange={e => {
            setCluster(e.target.value);
            setPage(0);
          }}
        >
          <MenuItem value="">all</MenuItem>
          {props.clusters.map(c => (
            <MenuItem key={c} value={c}>
              {c}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          select
          label="State"
          value={state}
          style={{ minWidth: 160 }}
          onChange={e => {
            setState(e.target.value as typeof state);
            setPage(0);
          }}
        >
          <MenuItem value="">all</MenuItem>
          <MenuItem value="running">running</MenuItem>
          <MenuItem value="ended">ended</MenuItem>
        </TextField>
      </Box>
      {error ? (
        <Alert severity="error">{error.message}</Alert>
      ) : (
        <Table
          isLoading={loading}
          options={{
            search: false,
            paging: true,
            pageSize: PAGE,
            pageSizeOptions: [PAGE],
            padding: 'dense',
            toolbar: false,
            emptyRowsWhenPaging: false,
          }}
          columns={columns}
          data={value?.items ?? []}
          page={page}
          totalCount={value?.total ?? 0}
          onPageChange={setPage}
          emptyContent={
            <Box p={2}>No container recorded yet for these filters.</Box>
          }
        />
      )}
      {chartOf && (
        <MetricsDialog
          entityRef={props.entityRef}
          cluster={chartOf.cluster}
          pod={{ namespace: chartOf.namespace, name: chartOf.pod }}
          onClose={() => setChartOf(undefined)}
        />
      )}
    </InfoCard>
  );
}
