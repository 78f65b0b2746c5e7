import type { MetricSeries } from '@internal/plugin-container-cloud-common';
import { Typography } from '@material-ui/core';
import { useLayoutEffect, useRef, useState } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

/** the widest a chart is drawn; narrower when its column is (two charts side by side) */
const WIDTH = 640;
const HEIGHT = 200;

/**
 * The width the chart's box has on the page, at most `widest`, followed as the window changes
 * (recharts draws at a fixed size). Where nothing is laid out (jsdom) it stays `widest`.
 */
function useBoxWidth(widest: number, drawn: boolean) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(widest);
  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return undefined;
    const measure = () => {
      if (element.clientWidth > 0) {
        setWidth(Math.min(element.clientWidth, widest));
      }
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [widest, drawn]);
  return { box, width };
}
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

/** Steps of the time axis, in seconds: each tick on a whole minute, so no two read alike. */
const TIME_STEPS = [60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200];

/** At most six ticks on whole minutes between start and end; start and end when the range is shorter. */
function timeTicks(start: number, end: number): number[] {
  const step =
    TIME_STEPS.find(s => (end - start) / s <= 5) ??
    TIME_STEPS[TIME_STEPS.length - 1];
  const ticks: number[] = [];
  for (let t = Math.ceil(start / step) * step; t <= end; t += step) {
    ticks.push(t);
  }
  return ticks.length >= 2 ? ticks : [start, end];
}

/** One row per sample time, a column per line: the shape recharts draws from. */
function rowsOf(series: MetricSeries[]) {
  const byTime = new Map<number, Record<string, number>>();
  for (const s of series) {
    for (const [t, v] of s.points) {
      const row = byTime.get(t) ?? { t };
      row[lineName(s)] = v;
      byTime.set(t, row);
    }
  }
  return [...byTime.values()].sort((a, b) => a.t - b.t);
}

/**
 * One metric of a pod's containers over time (recharts): one line per container (a series of the
 * whole pod, with no container, is named `pod`), a lone sample drawn as a dot, axes in the units
 * people read, a legend, and a tooltip with every line's value at the time pointed at.
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
  const { box, width } = useBoxWidth(WIDTH, values.length > 0);
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
        <div ref={box} role="img" aria-label={`${title}: ${latest}`}>
          <LineChart
            width={width}
            height={HEIGHT}
            data={rowsOf(series)}
            margin={{ top: 10, right: 12, bottom: 0, left: 0 }}
          >
            <CartesianGrid strokeDasharray="3 3" stroke="#ddd" />
            <XAxis
              dataKey="t"
              type="number"
              domain={[start, end]}
              ticks={timeTicks(start, end)}
              tickFormatter={clock}
              fontSize={10}
            />
            <YAxis
              type="number"
              domain={[0, top]}
              tickFormatter={v => formatValue(v, unit)}
              width={64}
              fontSize={10}
            />
            <Tooltip
              labelFormatter={t => clock(Number(t))}
              formatter={v => formatValue(Number(v), unit)}
            />
            <Legend />
            {series.map((s, i) => {
              const name = lineName(s);
              const colour = COLOURS[i % COLOURS.length];
              // a line needs two points; a lone sample (a rate's first) is a dot
              const lone = s.points.length === 1;
              // the mark carries the container's name, for whoever reads the SVG
              const loneDot = { r: 2.5, fill: colour, 'data-container': name };
              return (
                <Line
                  key={name}
                  name={name}
                  dataKey={name}
                  stroke={colour}
                  strokeWidth={1.5}
                  connectNulls
                  isAnimationActive={false}
                  dot={lone ? loneDot : false}
                  data-container={lone ? undefined : name}
                />
              );
            })}
          </LineChart>
        </div>
      )}
    </figure>
  );
}
