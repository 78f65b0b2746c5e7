import { render, screen, within } from '@testing-library/react';
import { formatValue, UsageChart } from './UsageChart';

describe('UsageChart', () => {
  it('draws each container, a line or a lone dot, and names the latest values', () => {
    render(
      <UsageChart
        title="CPU"
        start={1000}
        end={1060}
        series={[
          {
            metric: 'cpu',
            container: 'app',
            unit: 'cores',
            points: [
              [1000, 0.1],
              [1060, 0.25],
            ],
          },
          {
            metric: 'cpu',
            container: 'sidecar',
            unit: 'cores',
            points: [[1030, 0.005]],
          },
        ]}
      />,
    );
    const chart = screen.getByRole('img', {
      name: 'CPU: app 250m, sidecar 5m',
    });
    // the sidecar's lone sample is a dot: a line needs two points
    const lines = chart.querySelectorAll('path[data-container]');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toHaveAttribute('data-container', 'app');
    // from the first sample to the second
    expect(lines[0].getAttribute('d')).toMatch(/^M[\d.,]+L[\d.,]+$/);
    const dot = chart.querySelector('circle[data-container]');
    expect(dot).toHaveAttribute('data-container', 'sidecar');
  });

  it('reads its axes in the units people use and names each line in a legend', () => {
    render(
      <UsageChart
        title="Memory"
        start={0}
        end={120}
        series={[
          {
            metric: 'memory',
            container: 'app',
            unit: 'bytes',
            points: [
              [0, 100 * 1024 * 1024],
              [120, 200 * 1024 * 1024],
            ],
          },
          {
            metric: 'memory',
            container: 'sidecar',
            unit: 'bytes',
            points: [
              [0, 10 * 1024 * 1024],
              [120, 20 * 1024 * 1024],
            ],
          },
        ]}
      />,
    );
    const chart = screen.getByRole('img', {
      name: 'Memory: app 200 MiB, sidecar 20 MiB',
    });
    // the time axis in hours and minutes (UTC), a tick a minute; the value axis in MiB
    expect(within(chart).getByText('00:00')).toBeInTheDocument();
    expect(within(chart).getByText('00:01')).toBeInTheDocument();
    expect(within(chart).getByText('00:02')).toBeInTheDocument();
    expect(
      within(chart).getAllByText(/^\d+(\.\d)? MiB$/).length,
    ).toBeGreaterThan(1);
    const legend = within(chart).getByRole('list');
    expect(within(legend).getByText('app')).toBeInTheDocument();
    expect(within(legend).getByText('sidecar')).toBeInTheDocument();
  });

  it('names a series of the whole pod, which has no container, "pod"', () => {
    render(
      <UsageChart
        title="Network received"
        start={1000}
        end={1060}
        series={[
          {
            metric: 'network-receive',
            container: '',
            unit: 'bytes/s',
            points: [
              [1000, 2048],
              [1060, 3 * 1024 * 1024],
            ],
          },
        ]}
      />,
    );
    const chart = screen.getByRole('img', {
      name: 'Network received: pod 3.0 MiB/s',
    });
    expect(chart.querySelector('path[data-container="pod"]')).not.toBeNull();
  });

  it('says when Prometheus has no samples', () => {
    render(<UsageChart title="Memory" start={0} end={60} series={[]} />);
    expect(
      screen.getByText(/Prometheus has no samples of this container/),
    ).toBeInTheDocument();
  });

  it('says what it is given when there are no samples', () => {
    render(
      <UsageChart
        title="Network sent"
        start={0}
        end={60}
        series={[]}
        emptyText="No network samples."
      />,
    );
    expect(screen.getByText('No network samples.')).toBeInTheDocument();
    expect(screen.queryByRole('img')).toBeNull();
  });

  it('reads values in the units people use', () => {
    expect(formatValue(0.25, 'cores')).toBe('250m');
    expect(formatValue(1.5, 'cores')).toBe('1.50');
    expect(formatValue(64 * 1024 * 1024, 'bytes')).toBe('64 MiB');
    expect(formatValue(3 * 1024 ** 3, 'bytes')).toBe('3.00 GiB');
  });

  it('reads network rates in B/s, KiB/s, MiB/s and GiB/s', () => {
    expect(formatValue(0, 'bytes/s')).toBe('0 B/s');
    expect(formatValue(512.4, 'bytes/s')).toBe('512 B/s');
    expect(formatValue(2048, 'bytes/s')).toBe('2.0 KiB/s');
    expect(formatValue(300 * 1024, 'bytes/s')).toBe('300 KiB/s');
    expect(formatValue(1.5 * 1024 ** 2, 'bytes/s')).toBe('1.5 MiB/s');
    expect(formatValue(12 * 1024 ** 3, 'bytes/s')).toBe('12 GiB/s');
  });
});
