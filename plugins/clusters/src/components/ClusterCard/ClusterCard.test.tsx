import { fireEvent, screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import type { ClusterSummary } from '@internal/plugin-container-cloud-common';
import { ClusterCard } from './ClusterCard';

const summary: ClusterSummary = {
  name: 'local-b',
  reachable: true,
  latencyMs: 8,
  error: null,
  kubernetesVersion: 'v1.35.4',
  synced: false,
  nodes: { ready: 1, total: 3, cordoned: 1 },
  capacity: {
    allocatable: { cpuCores: 2, memoryBytes: 4 * 2 ** 30 },
    requested: { cpuCores: 0.5, memoryBytes: 2 ** 30 },
    used: { cpuCores: 0.1, memoryBytes: 512 * 2 ** 20 },
  },
  pods: { Pending: 2, Running: 4, Succeeded: 1, Failed: 0, Unknown: 0 },
  services: [],
  verdict: {
    state: 'healthy',
    since: '2026-12-06T10:00:00.000Z',
    reason: 'only 1 of 3 nodes are ready',
    troubledSince: '2026-12-06T11:59:00.000Z',
    checkedAt: '2026-12-06T12:00:00.000Z',
  },
};

describe('ClusterCard', () => {
  it('shows a trouble that has not lasted the window yet, cordons, stale numbers and the bars', async () => {
    const onDetails = jest.fn();
    const onFailover = jest.fn();
    await renderInTestApp(
      <ClusterCard
        cluster={summary}
        onDetails={onDetails}
        onFailover={onFailover}
      />,
    );
    expect(
      screen.getByText(/^Healthy, but since .*: only 1 of 3 nodes are ready$/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Nodes: 1 of 3 ready, 1 cordoned'),
    ).toBeInTheDocument();
    expect(screen.getByText(/watches are not synced/)).toBeInTheDocument();
    expect(
      screen.getByLabelText('Memory: 512 MiB used, 1 GiB requested of 4 GiB'),
    ).toBeInTheDocument();
    expect(screen.getByText('Services (0): none')).toBeInTheDocument();
    fireEvent.click(
      screen.getByRole('button', { name: 'move services off local-b' }),
    );
    expect(onFailover).toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'details of local-b' }));
    expect(onDetails).toHaveBeenCalled();
  });
});
