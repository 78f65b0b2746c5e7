import Grid from '@material-ui/core/Grid';
import type { MeteringSeries } from '@internal/plugin-container-cloud-common';
import { UsageChart } from '@internal/plugin-container-cloud-react';

/** CPU and memory, requested and used, of a team or a service over its range. */
export function MeteringCharts(props: {
  series: MeteringSeries;
  what: string;
}) {
  const { series } = props;
  const start = Math.floor(Date.parse(series.from) / 1000);
  const end = Math.floor(Date.parse(series.to) / 1000);
  const line = (
    metric: 'cpu' | 'memory',
    container: 'requested' | 'used',
    pick: (p: MeteringSeries['points'][number]) => number,
  ) => ({
    metric,
    unit: metric === 'cpu' ? ('cores' as const) : ('bytes' as const),
    container,
    points: series.points.map(p => [p.time, pick(p)] as [number, number]),
  });
  const emptyText = `No samples of ${props.what} in this range yet: metering samples every few minutes.`;
  return (
    <Grid container spacing={2}>
      <Grid item xs={12} md={6}>
        <UsageChart
          title={`CPU of ${props.what}`}
          start={start}
          end={end}
          emptyText={emptyText}
          series={[
            line('cpu', 'requested', p => p.cpuRequested),
            line('cpu', 'used', p => p.cpuUsed),
          ]}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <UsageChart
          title={`Memory of ${props.what}`}
          start={start}
          end={end}
          emptyText={emptyText}
          series={[
            line('memory', 'requested', p => p.memoryRequested),
            line('memory', 'used', p => p.memoryUsed),
          ]}
        />
      </Grid>
    </Grid>
  );
}
