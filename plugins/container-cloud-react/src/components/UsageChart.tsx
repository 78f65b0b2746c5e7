import type { MetricSeries } from '@internal/plugin-container-cloud-common';
import { Typography } from '@material-ui/core';

const WIDTH = 640;
const HEIGHT = 160;
const PAD = { left: 64, right: 12, top: 10, bottom: 22 };
const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd'];

const RATE_UNITS = ['B/s', 'KiB/s', 'MiB/s', 'GiB/s'];

function formatRate(bytesPerSecond: number): string {
  let value = bytesPerSecond;
  let unit = 0;
  while (value >= 1024 && unit < RATE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit > 0 && value < 10 ? 1 : 0;
  return `${value.toFixed(digits)} ${RATE_UNITS[unit]}`;
}

/**
 * A value in the unit people read it in: millicores or cores, MiB or GiB, and B/s, KiB/s, MiB/s
 * or GiB/s.
 * @public
 */
export function formatValue(value: number, unit: MetricSeries['unit']): string {
  if (unit === 'cores') {
    return value < 1 ? `${Math.round(value * 1000)}m` : `${value.toFixed(2)}`;
  }
  if (unit === 'bytes/s') return formatRate(value);
  const mib = value / (1024 * 1024);
  return mib < 1024
    ? `${mib.toFixed(mib < 10 ? 1 : 0)} MiB`
    : `${(mib / 1024).toFixed(2)} GiB`;
}

/** The axis' top when there is nothing to scale it by. */
const EMPTY_TOP: Record<MetricSeries['unit'], number> = {
  cores: 0.1,
  bytes: 1024 * 1024,
  'bytes/s': 1024,
};

function lineName(series: MetricSeries): string {
  return series.container || 'pod';
}

function clock(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(11, 16);
}

/**
 * One metric of a pod's containers over time, as plain SVG: one line per container (a series of
 * the whole pod, with no container, is named `pod`), the highest value on the axis, start and end
 * times below.
 * @public
 */
export function UsageChart(props: {
  title: string;
  series: MetricSeries[];
  start: number;
  end: number;
  /** what to say when there are no samples; by default that the container has none yet */
  emptyText?: string;
}) {
  const { title, series, start, end } = props;
  const unit = series[0]?.unit ?? 'cores';
  const values = series.flatMap(s => s.points.map(([, v]) => v));
  const top = Math.max(...values, 0) * 1.1 || EMPTY_TOP[unit];
  const x = (t: number) =>
    PAD.left +
    ((t - start) / Math.max(1, end - start)) * (WIDTH - PAD.left - PAD.right);
  const y = (v: number) =>
    HEIGHT - PAD.bottom - (v / top) * (HEIGHT - PAD.top - PAD.bottom);
  const latest = series
    .map(s => {
      const last = s.points[s.points.length - 1];
      return last ? `${lineName(s)} ${formatValue(last[1], unit)}` : undefined;
    })
    .filter(Boolean)
    .join(', ');

  return (
    <figure style={{ margin: 0 }}>
      <Typography variant="subtitle2" component="figcaption">
        {title}
        {latest ? ` — now: ${latest}` : ''}
      </Typography>
      {values.length === 0 ? (
        <Typography variant="body2">
          {props.emptyText ??
            'Prometheus has no samples of this container in the chosen range yet.'}
        </Typography>
      ) : (
        <svg
          role="img"
          aria-label={`${title}: ${latest}`}
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          width="100%"
          style={{ maxWidth: WIDTH }}
        >
          <line
            x1={PAD.left}
            x2={WIDTH - PAD.right}
            y1={HEIGHT - PAD.bottom}
            y2={HEIGHT - PAD.bottom}
            stroke="#999"
          />
          <line
            x1={PAD.left}
            x2={PAD.left}
            y1={PAD.top}
            y2={HEIGHT - PAD.bottom}
            stroke="#999"
          />
          <text x={PAD.left - 6} y={PAD.top + 8} fontSize={10} textAnchor="end">
            {formatValue(top, unit)}
          </text>
          <text
            x={PAD.left - 6}
            y={HEIGHT - PAD.bottom}
            fontSize={10}
            textAnchor="end"
          >
            0
          </text>
          <text x={PAD.left} y={HEIGHT - 6} fontSize={10}>
            {clock(start)}
          </text>
          <text
            x={WIDTH - PAD.right}
            y={HEIGHT - 6}
            fontSize={10}
            textAnchor="end"
          >
            {clock(end)}
          </text>
          {series.map((s, i) =>
            // a line needs two points; a lone sample (a rate's first) is a dot
            s.points.length === 1 ? (
              <circle
                key={lineName(s)}
                data-container={lineName(s)}
                cx={x(s.points[0][0]).toFixed(1)}
                cy={y(s.points[0][1]).toFixed(1)}
                r={2.5}
                fill={COLOURS[i % COLOURS.length]}
              />
            ) : (
              <polyline
                key={lineName(s)}
                data-container={lineName(s)}
                fill="none"
                stroke={COLOURS[i % COLOURS.length]}
                strokeWidth={1.5}
                points={s.points
                  .map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`)
                  .join(' ')}
              />
            ),
          )}
        </svg>
      )}
    </figure>
  );
}
