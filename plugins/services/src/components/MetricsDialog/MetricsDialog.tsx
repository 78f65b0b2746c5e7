import { useState } from 'react';
import {
  Box,
  Button,
  FormControl,
  Grid,
  InputLabel,
  MenuItem,
  Select,
  Typography,
} from '@material-ui/core';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { MetricSeries } from '@internal/plugin-container-cloud-common';
import { useContainerMetrics } from '../../hooks';
import { UsageChart } from '@internal/plugin-container-cloud-react';
import { ViewDialog } from '../ViewDialog';

/** Ranges offered, in minutes. */
export const RANGES: Array<[number, string]> = [
  [15, 'last 15 minutes'],
  [60, 'last hour'],
  [360, 'last 6 hours'],
  [1440, 'last 24 hours'],
  [10080, 'last 7 days'],
];

const NO_NETWORK_SAMPLES =
  'Prometheus has no network samples of this pod in the chosen range yet.';

/** The charts, in reading order: the containers' CPU and memory, then the pod's traffic. */
const CHARTS: Array<{
  metric: MetricSeries['metric'];
  title: string;
  emptyText?: string;
}> = [
  { metric: 'cpu', title: 'CPU (cores)' },
  { metric: 'memory', title: 'Memory (working set)' },
  {
    metric: 'network-receive',
    title: 'Network received',
    emptyText: NO_NETWORK_SAMPLES,
  },
  {
    metric: 'network-transmit',
    title: 'Network sent',
    emptyText: NO_NETWORK_SAMPLES,
  },
];

/** How often an open dialog reads the charts again, in seconds. */
export const METRICS_REFRESH_SECONDS = 30;

/**
 * CPU and memory of one pod's containers (running or gone), and the pod's network traffic, from
 * Prometheus; read again every `refreshSeconds` while open.
 */
export function MetricsDialog(props: {
  entityRef: CompoundEntityRef;
  cluster: string;
  pod: { namespace: string; name: string };
  /** the container a link (an alert's) is about: named above the charts */
  container?: string;
  refreshSeconds?: number;
  onClose(): void;
}) {
  const { entityRef, cluster, pod, onClose } = props;
  const refreshSeconds = props.refreshSeconds ?? METRICS_REFRESH_SECONDS;
  const [minutes, setMinutes] = useState(60);
  const { value, loading, error, retry } = useContainerMetrics(
    entityRef,
    { cluster, namespace: pod.namespace, pod: pod.name, minutes },
    refreshSeconds,
  );
  return (
    <ViewDialog
      title={`CPU, memory and network of ${pod.name} in ${cluster}`}
      maxWidth="md"
      onClose={onClose}
      actions={<Button onClick={retry}>Refresh</Button>}
    >
      {props.container && (
        <Typography variant="body2" gutterBottom>
          Opened for container {props.container} (the charts show every
          container of the pod).
        </Typography>
      )}
      <FormControl style={{ minWidth: 180 }}>
        <InputLabel id="metrics-range">Range</InputLabel>
        <Select
          labelId="metrics-range"
          value={minutes}
          onChange={e => setMinutes(Number(e.target.value))}
        >
          {RANGES.map(([m, label]) => (
            <MenuItem key={m} value={m}>
              {label}
            </MenuItem>
          ))}
        </Select>
      </FormControl>
      <Box mt={2}>
        {loading && !value && <Progress />}
        {error && <ResponseErrorPanel error={error} />}
        {value && !error && (
          <Grid container spacing={2}>
            {CHARTS.map(({ metric, title, emptyText }) => (
              <Grid item xs={12} md={6} key={metric}>
                <UsageChart
                  title={title}
                  series={value.series.filter(s => s.metric === metric)}
                  start={value.start}
                  end={value.end}
                  emptyText={emptyText}
                />
              </Grid>
            ))}
          </Grid>
        )}
      </Box>
    </ViewDialog>
  );
}
