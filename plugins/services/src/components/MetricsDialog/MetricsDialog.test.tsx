import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type { ContainerMetrics } from '@internal/plugin-container-cloud-common';
import { ServicesApi, servicesApiRef } from '../../api/ServicesClient';
import { MetricsDialog } from './MetricsDialog';
import { formatValue } from '@internal/plugin-container-cloud-react';
import { paymentsApi as entityRef, runningPod } from '../../testUtils/fixtures';

jest.setTimeout(30_000);

const pod = runningPod();
const START = 1_795_430_000;
const metrics: ContainerMetrics = {
  cluster: 'local-a',
  namespace: 'payments',
  pod: pod.name,
  start: START,
  end: START + 600,
  step: 300,
  series: [
    {
      metric: 'cpu',
      unit: 'cores',
      container: 'app',
      points: [
        [START, 0.1],
        [START + 300, 0.2],
        [START + 600, 0.25],
      ],
    },
    {
      metric: 'memory',
      unit: 'bytes',
      container: 'app',
      points: [
        [START, 64 * 1024 * 1024],
        [START + 600, 64 * 1024 * 1024],
      ],
    },
    {
      metric: 'network-receive',
      unit: 'bytes/s',
      container: '',
      points: [
        [START, 2048],
        [START + 300, 2048],
        [START + 600, 1.5 * 1024 * 1024],
      ],
    },
    {
      metric: 'network-transmit',
      unit: 'bytes/s',
      container: '',
      points: [[START + 600, 700]],
    },
  ],
};

/** The points a chart's line for `container` goes through, as `x,y` (from its SVG path). */
function linePoints(chart: HTMLElement, container: string): string[] {
  const line = chart.querySelector(`path[data-container="${container}"]`);
  return (line?.getAttribute('d') ?? '').split(/[ML]/).filter(Boolean);
}

function render(api: Partial<ServicesApi>) {
  return renderInTestApp(
    <TestApiProvider apis={[[servicesApiRef, api as ServicesApi]]}>
      <MetricsDialog
        entityRef={entityRef}
        cluster="local-a"
        pod={pod}
        onClose={jest.fn()}
      />
    </TestApiProvider>,
  );
}

describe('MetricsDialog', () => {
  it("draws CPU and memory per container, the pod's network, and asks again for another range", async () => {
    const getMetrics = jest.fn(async () => metrics);
    await render({ getMetrics });
    const cpu = await screen.findByRole('img', {
      name: 'CPU (cores): app 250m',
    });
    // three samples: three points on the line, from the left edge to the right one
    const points = linePoints(cpu, 'app');
    expect(points).toHaveLength(3);
    expect(points[0].startsWith('64,')).toBe(true);
    expect(points[2].startsWith('628,')).toBe(true);
    expect(
      screen.getByRole('img', { name: 'Memory (working set): app 64 MiB' }),
    ).toBeInTheDocument();
    // the pod's traffic, not a container's: one line named after the pod
    const received = screen.getByRole('img', {
      name: 'Network received: pod 1.5 MiB/s',
    });
    expect(linePoints(received, 'pod')).toHaveLength(3);
    expect(
      screen.getByRole('img', { name: 'Network sent: pod 700 B/s' }),
    ).toBeInTheDocument();
    expect(getMetrics).toHaveBeenLastCalledWith(entityRef, {
      cluster: 'local-a',
      namespace: 'payments',
      pod: pod.name,
      minutes: 60,
    });

    fireEvent.mouseDown(screen.getByLabelText('Range'));
    fireEvent.click(
      within(await screen.findByRole('listbox')).getByRole('option', {
        name: 'last 24 hours',
      }),
    );
    await waitFor(() =>
      expect(getMetrics).toHaveBeenLastCalledWith(
        entityRef,
        expect.objectContaining({ minutes: 1440 }),
      ),
    );
  });

  it('reads the charts again while it is open', async () => {
    const getMetrics = jest.fn(async () => metrics);
    await renderInTestApp(
      <TestApiProvider apis={[[servicesApiRef, { getMetrics } as any]]}>
        <MetricsDialog
          entityRef={entityRef}
          cluster="local-a"
          pod={pod}
          refreshSeconds={0.05}
          onClose={jest.fn()}
        />
      </TestApiProvider>,
    );
    await screen.findByRole('img', { name: 'CPU (cores): app 250m' });
    await waitFor(() =>
      expect(getMetrics.mock.calls.length).toBeGreaterThan(2),
    );
    expect(getMetrics).toHaveBeenLastCalledWith(
      entityRef,
      expect.objectContaining({ pod: pod.name, minutes: 60 }),
    );
  });

  it('says so when Prometheus has no samples yet', async () => {
    await render({
      getMetrics: async () => ({
        ...metrics,
        series: [],
      }),
    });
    expect(
      await screen.findAllByText(
        'Prometheus has no samples of this container in the chosen range yet.',
      ),
    ).toHaveLength(2);
    expect(
      screen.getAllByText(
        'Prometheus has no network samples of this pod in the chosen range yet.',
      ),
    ).toHaveLength(2);
    expect(screen.queryByRole('img')).toBeNull();
  });

  it('charts CPU and memory when Prometheus has no network series, and says so for those', async () => {
    await render({
      getMetrics: async () => ({
        ...metrics,
        series: metrics.series.filter(
          s => s.metric === 'cpu' || s.metric === 'memory',
        ),
      }),
    });
    expect(
      await screen.findByRole('img', { name: 'CPU (cores): app 250m' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('img', { name: 'Memory (working set): app 64 MiB' }),
    ).toBeInTheDocument();
    expect(
      screen.getAllByText(
        'Prometheus has no network samples of this pod in the chosen range yet.',
      ),
    ).toHaveLength(2);
    expect(screen.getAllByRole('img')).toHaveLength(2);
  });

  it("shows the backend's error, e.g. no Prometheus configured", async () => {
    await render({
      getMetrics: async () => {
        throw new Error(
          'no Prometheus is configured for container metrics (containerCloud.prometheus.url)',
        );
      },
    });
    expect(
      (await screen.findAllByText(/no Prometheus is configured/)).length,
    ).toBeGreaterThan(0);
  });
});

describe('formatValue', () => {
  it('reads CPU in millicores or cores, memory in MiB or GiB, network per second', () => {
    expect(formatValue(0.25, 'cores')).toBe('250m');
    expect(formatValue(2, 'cores')).toBe('2.00');
    expect(formatValue(64 * 1024 * 1024, 'bytes')).toBe('64 MiB');
    expect(formatValue(3 * 1024 * 1024 * 1024, 'bytes')).toBe('3.00 GiB');
    expect(formatValue(2048, 'bytes/s')).toBe('2.0 KiB/s');
  });
});
