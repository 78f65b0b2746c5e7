import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';
import type { Capacity } from '@internal/plugin-container-cloud-common';
import { formatBytes, formatCores } from './format';

function Bar(props: {
  label: string;
  used: number | null;
  requested: number;
  allocatable: number;
  format(value: number): string;
}) {
  const { label, used, requested, allocatable, format } = props;
  const percent = (value: number) =>
    allocatable > 0 ? Math.min(100, (value / allocatable) * 100) : 0;
  const text = `${label}: ${
    used === null ? 'used unknown' : `${format(used)} used`
  }, ${format(requested)} requested of ${format(allocatable)}`;
  return (
    <Box mb={1}>
      <Typography variant="body2">{text}</Typography>
      <LinearProgress
        variant="buffer"
        value={used === null ? 0 : percent(used)}
        valueBuffer={percent(requested)}
        aria-label={text}
      />
    </Box>
  );
}

/** Used, requested and allocatable CPU and memory, as bars (used over requested). */
export function CapacityBars(props: { capacity: Capacity }) {
  const { allocatable, requested, used, usedError } = props.capacity;
  return (
    <>
      <Bar
        label="CPU"
        used={used?.cpuCores ?? null}
        requested={requested.cpuCores}
        allocatable={allocatable.cpuCores}
        format={formatCores}
      />
      <Bar
        label="Memory"
        used={used?.memoryBytes ?? null}
        requested={requested.memoryBytes}
        allocatable={allocatable.memoryBytes}
        format={formatBytes}
      />
      {usedError && (
        <Typography variant="caption" color="textSecondary">
          Usage unavailable: {usedError}
        </Typography>
      )}
    </>
  );
}
