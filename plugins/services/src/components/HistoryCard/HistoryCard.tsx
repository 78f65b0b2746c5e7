import { memo, useMemo, useState } from 'react';
import { Box, Button } from '@material-ui/core';
import Alert from '@material-ui/lab/Alert';
import { InfoCard, Table, TableColumn } from '@backstage/core-components';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { HistoryEntry } from '@internal/plugin-container-cloud-common';
import { useServiceHistory } from '../../hooks';
import { MetricsDialog } from '../MetricsDialog';
import { SelectField } from '../SelectField';
import { withRowIds } from '../../lib/tableRows';

const PAGE = 20;
const STATES = ['running', 'ended'] as const;
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

/** One element for every render: a new one makes Backstage's Table mount every row again. */
const NO_HISTORY = (
  <Box p={2}>No container recorded yet for these filters.</Box>
);

/**
 * Every container the service ever had, kept after it is gone. Memoised: the tab renders it again
 * only when its props change (a live update's refresh key).
 */
export const HistoryCard = memo(function HistoryCardView(props: {
  entityRef: CompoundEntityRef;
  clusters: string[];
  refreshKey: unknown;
}) {
  const [cluster, setCluster] = useState('');
  const [state, setState] = useState<'' | (typeof STATES)[number]>('');
  const [page, setPage] = useState(0);
  const [chartOf, setChartOf] = useState<HistoryEntry>();
  // columns made once (setChartOf never changes) and rows with ids: a live update changes the
  // rows in place instead of mounting them again (lib/tableRows)
  const columns = useMemo<TableColumn<HistoryEntry>[]>(
    () => [
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
    ],
    [],
  );
  const { value, loading, refreshing, error } = useServiceHistory(
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
        <SelectField
          label="Cluster"
          value={cluster}
          style={{ minWidth: 160 }}
          emptyOption="all"
          options={props.clusters}
          onChange={chosen => {
            setCluster(chosen);
            setPage(0);
          }}
        />
        <SelectField
          label="State"
          value={state}
          style={{ minWidth: 160 }}
          emptyOption="all"
          options={STATES}
          onChange={chosen => {
            setState(chosen as typeof state);
            setPage(0);
          }}
        />
      </Box>
      {error ? (
        <Alert severity="error">{error.message}</Alert>
      ) : (
        <Table
          // a live update keeps the rows on screen while the same page is read again (a loading
          // table would mount every row again); new filters or another page show the loading state
          isLoading={loading && !refreshing}
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
          data={withRowIds(
            value?.items ?? [],
            e => `${e.cluster}/${e.namespace}/${e.pod}/${e.startedAt ?? ''}`,
          )}
          page={page}
          totalCount={value?.total ?? 0}
          onPageChange={setPage}
          emptyContent={NO_HISTORY}
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
});
