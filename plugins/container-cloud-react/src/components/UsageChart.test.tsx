import { render, screen } from '@testing-library/react';
import { formatValue, UsageChart } from './UsageChart';

describe('UsageChart', () => {
  it('draws one line per container and names the latest values', () => {
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
    expect(chart.querySelectorAll('polyline')).toHaveLength(2);
  });

  it('says when Prometheus has no samples', () => {
    render(<UsageChart title="Memory" start={0} end={60} series={[]} />);
    expect(
      screen.getByText(/Prometheus has no samples of this container/),
    ).toBeInTheDocument();
  });

  it('reads values in the units people use', () => {
    expect(formatValue(0.25, 'cores')).toBe('250m');
    expect(formatValue(1.5, 'cores')).toBe('1.50');
    expect(formatValue(64 * 1024 * 1024, 'bytes')).toBe('64 MiB');
    expect(formatValue(3 * 1024 ** 3, 'bytes')).toBe('3.00 GiB');
  });
});
