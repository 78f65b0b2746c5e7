import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  EmptyState,
  InfoCard,
  Progress,
  ResponseErrorPanel,
  Table,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  AdminInstance,
  APP_STORE_MAX_EXPIRY_DAYS,
  InstanceBulkResult,
} from '@internal/plugin-container-cloud-common';
import { formatValue } from '@internal/plugin-container-cloud-react';
import { appStoreApiRef } from '../../api/AppStoreClient';
import { BulkResults } from './BulkResults';
import { useAppStoreLinks } from '../../hooks/basePath';
import { instanceColumns, Pager, UnreachableClusters } from '../InstancesTable';

const PAGE = 50;

const keyOf = (i: AdminInstance) => `${i.cluster}/${i.namespace}/${i.name}`;

/** CPU and memory of an instance's pods, in words: "250m CPU, 512 MiB". */
export function resourcesText(r?: AdminInstance['requests']): string {
  if (!r) return '—';
  return `${Math.round(r.cpuMillis)}m CPU, ${formatValue(
    r.memoryBytes,
    'bytes',
  )}`;
}

/** An age in the largest fitting unit. */
export function ageText(seconds: number): string {
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

/** Ops' view of every instance in every cluster, with bulk extend and delete. */
export function AdminInstances() {
  const api = useApi(appStoreApiRef);
  const links = useAppStoreLinks();
  const [cluster, setCluster] = useState('');
  const [owner, setOwner] = useState('');
  const [chart, setChart] = useState('');
  const [within, setWithin] = useState('');
  const [offset, setOffset] = useState(0);
  const [selected, setSelected] = useState<AdminInstance[]>([]);
  const [asking, setAsking] = useState<'extend' | 'delete'>();
  const [days, setDays] = useState('7');
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string>();
  const [result, setResult] = useState<{
    title: string;
    result: InstanceBulkResult;
  }>();

  const list = useAsyncRetry(
    () =>
      api.adminInstances({
        cluster: cluster.trim() || undefined,
        owner: owner.trim() || undefined,
        chart: chart.trim() || undefined,
        expiringWithinHours: within.trim() ? Number(within) * 24 : undefined,
        offset,
        limit: PAGE,
      }),
    [api, cluster, owner, chart, within, offset],
  );
  const rows = list.value?.items ?? [];
  const filter = (setter: (v: string) => void) => (v: string) => {
    setter(v);
    setOffset(0);
    setSelected([]);
  };

  const run = async () => {
    const instances = selected.map(({ cluster: c, namespace, name }) => ({
      cluster: c,
      namespace,
      name,
    }));
    setBusy(true);
    setActionError(undefined);
    try {
      const done =
        asking === 'extend'
          ? await api.adminExtend(instances, Number(days))
          : await api.adminDelete(instances);
      setResult({
        title: asking === 'extend' ? `Extended by ${days} days` : 'Deleted',
        result: done,
      });
      setAsking(undefined);
      setSelected([]);
      list.retry();
    } catch (e) {
      setActionError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <InfoCard title="Every instance">
      <Box display="flex" flexWrap="wrap" mb={2} style={{ gap: 16 }}>
        <TextField
          id="admin-cluster"
          label="Cluster"
          value={cluster}
          onChange={e => filter(setCluster)(e.target.value)}
        />
        <TextField
          id="admin-owner"
          label="Owner (component:… or group:…)"
          value={owner}
          onChange={e => filter(setOwner)(e.target.value)}
        />
        <TextField
          id="admin-chart"
          label="Chart"
          value={chart}
          onChange={e => filter(setChart)(e.target.value)}
        />
        <TextField
          id="admin-within"
          label="Expiring within (days)"
          type="number"
          value={within}
          onChange={e => filter(setWithin)(e.target.value)}
        />
      </Box>
      <Box display="flex" alignItems="center" mb={1} style={{ gap: 8 }}>
        <Typography variant="body2">{selected.length} selected</Typography>
        <Button
          variant="outlined"
          disabled={selected.length === 0}
          onClick={() => setAsking('extend')}
        >
          Extend selected
        </Button>
        <Button
          variant="outlined"
          color="secondary"
          disabled={selected.length === 0}
          onClick={() => setAsking('delete')}
        >
          Delete selected
        </Button>
      </Box>
      {list.loading && <Progress />}
      {list.error && <ResponseErrorPanel error={list.error} />}
      {list.value && (
        <UnreachableClusters unreachable={list.value.unreachable} />
      )}
      {list.value && rows.length === 0 && (
        <EmptyState
          missing="data"
          title="No instances"
          description="No instance matches these filters: widen them, or clear them to see every instance."
        />
      )}
      {list.value && rows.length > 0 && (
        <Table<AdminInstance>
          options={{
            paging: false,
            search: false,
            padding: 'dense',
            toolbar: false,
            selection: true,
          }}
          columns={[
            ...instanceColumns<AdminInstance>(links.instance),
            { title: 'Age', render: i => ageText(i.ageSeconds) },
            { title: 'Requests', render: i => resourcesText(i.requests) },
            { title: 'Usage', render: i => resourcesText(i.usage) },
            { title: 'Created by', field: 'createdBy' },
          ]}
          data={rows.map(r => ({
            ...r,
            tableData: { checked: selected.some(s => keyOf(s) === keyOf(r)) },
          }))}
          onSelectionChange={picked => setSelected(picked as AdminInstance[])}
        />
      )}
      {list.value && (
        <Pager
          offset={offset}
          shown={list.value.items.length}
          total={list.value.totalCount}
          pageSize={PAGE}
          onOffset={o => {
            setOffset(o);
            setSelected([]);
          }}
        />
      )}
      {asking && (
        <Dialog
          open
          onClose={() => setAsking(undefined)}
          aria-labelledby="bulk-ask-title"
        >
          <DialogTitle id="bulk-ask-title">
            {asking === 'extend' ? 'Extend' : 'Delete'} {selected.length}{' '}
            instance
            {selected.length === 1 ? '' : 's'}
          </DialogTitle>
          <DialogContent>
            <Typography variant="body2">
              {selected.map(keyOf).join(', ')}
            </Typography>
            {asking === 'extend' && (
              <TextField
                id="bulk-days"
                label="Days from now"
                type="number"
                margin="dense"
                inputProps={{ min: 1, max: APP_STORE_MAX_EXPIRY_DAYS }}
                value={days}
                onChange={e => setDays(e.target.value)}
              />
            )}
            {actionError && (
              <Typography color="error" role="alert">
                {actionError}
              </Typography>
            )}
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setAsking(undefined)}>Cancel</Button>
            <Button
              color="primary"
              variant="contained"
              disabled={busy}
              onClick={run}
            >
              {asking === 'extend' ? 'Extend' : 'Delete'}
            </Button>
          </DialogActions>
        </Dialog>
      )}
      {result && (
        <BulkResults
          title={result.title}
          result={result.result}
          onClose={() => setResult(undefined)}
        />
      )}
    </InfoCard>
  );
}
