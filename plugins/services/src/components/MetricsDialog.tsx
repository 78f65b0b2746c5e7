import { useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  InputLabel,
  MenuItem,
  Select,
} from '@material-ui/core';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import { servicesApiRef } from '../api/ServicesClient';
import { UsageChart } from '@internal/plugin-container-cloud-react';

/** Ranges offered, in minutes. */
export const RANGES: Array<[number, string]> = [
  [15, 'last 15 minutes'],
  [60, 'last hour'],
  [360, 'last 6 hours'],
  [1440, 'last 24 hours'],
  [10080, 'last 7 days'],
];

/** CPU and memory of one pod's containers (running or gone), from Prometheus. */
export function MetricsDialog(props: {
  entityRef: CompoundEntityRef;
  cluster: string;
  pod: { namespace: string; name: string };
  onClose(): void;
}) {
  const { entityRef, cluster, pod, onClose } = props;
  const api = useApi(servicesApiRef);
  const [minutes, setMinutes] = useState(60);
  const { value, loading, error, retry } = useAsyncRetry(
    () =>
      api.getMetrics(entityRef, {
        cluster,
        namespace: pod.namespace,
        pod: pod.name,
        minutes,
      }),
    [
      api,
      entityRef.namespace,
      entityRef.name,
      cluster,
      pod.namespace,
      pod.name,
      minutes,
    ],
  );
  return (
    <Dialog open onClose={onClose} maxWidth="md" fullWidth>
      <DialogTitle>
        CPU and memory of {pod.name} in {cluster}
      </DialogTitle>
      <DialogContent>
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
            <>
              <UsageChart
                title="CPU (cores)"
                series={value.series.filter(s => s.metric === 'cpu')}
                start={value.start}
                end={value.end}
              />
              <Box mt={2}>
                <UsageChart
                  title="Memory (working set)"
                  series={value.series.filter(s => s.metric === 'memory')}
                  start={value.start}
                  end={value.end}
                />
              </Box>
            </>
          )}
        </Box>
      </DialogContent>
      <DialogActions>
        <Button onClick={retry}>Refresh</Button>
        <Button onClick={onClose} color="primary">
          Close
        </Button>
      </DialogActions>
    </Dialog>
  );
}
