import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type { FailoverRun } from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { ClustersApi, clustersApiRef } from '../../api/ClustersClient';
import { FailoverRuns } from './FailoverRuns';

jest.setTimeout(60_000);

const stopped: FailoverRun = {
  id: '22222222-2222-4222-8222-222222222222',
  source: 'local-b',
  target: 'local-a',
  state: 'stopped',
  createdBy: 'user:default/carol',
  createdAt: '2026-12-06T12:00:00.000Z',
  updatedAt: '2026-12-06T12:00:05.000Z',
  steps: [
    {
      kubernetesId: 'orders-api',
      entityRef: 'component:default/orders-api',
      namespace: 'orders',
      deployment: 'orders-api',
      replicas: 2,
      targetReplicas: 4,
      state: 'ready',
      reason:
        'waiting to scale down in local-b: cluster local-b: the apiserver refused the connection',
      updatedAt: '2026-12-06T12:00:05.000Z',
    },
    {
      kubernetesId: 'orders-web',
      entityRef: 'component:default/orders-web',
      namespace: 'orders',
      deployment: 'orders-web',
      replicas: 1,
      targetReplicas: 1,
      state: 'failed',
      reason:
        'not ready in local-a after 300 s (0 of 1 ready); the source keeps its replicas',
      updatedAt: '2026-12-06T12:00:05.000Z',
    },
  ],
};

function api(overrides: Partial<ClustersApi>): ClustersApi {
  return {
    listRuns: jest.fn().mockResolvedValue([stopped]),
    resumeRun: jest.fn().mockResolvedValue({ ...stopped, state: 'running' }),
    stopRun: jest.fn(),
    ...overrides,
  } as unknown as ClustersApi;
}

const render = (a: ClustersApi) =>
  renderInTestApp(
    <TestApiProvider apis={[[clustersApiRef, a]]}>
      <FailoverRuns />
    </TestApiProvider>,
  );

describe('FailoverRuns', () => {
  it("shows each service's state and why, and resumes a stopped run", async () => {
    const a = api({});
    await render(a);
    expect(
      await screen.findByText(
        'stopped: 0 moved, 1 ready, 0 scaling up, 0 pending, 1 failed, 0 skipped',
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/^waiting to scale down in local-b/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/^not ready in local-a after 300 s/),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Stop' }),
    ).not.toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
    await waitFor(() => expect(a.resumeRun).toHaveBeenCalledWith(stopped.id));
    await waitFor(() => expect(a.listRuns).toHaveBeenCalledTimes(2));
  });

  it('shows why a resume was refused', async () => {
    await render(
      api({
        resumeRun: jest.fn().mockRejectedValue(
          new ContainerCloudApiError(
            'run 2 is done: only a stopped run can be resumed',
            {
              status: 409,
            },
          ),
        ),
      }),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Resume' }));
    expect(
      (await screen.findAllByText(/only a stopped run can be resumed/))[0],
    ).toBeInTheDocument();
  });

  it('says when there is no run yet', async () => {
    await render(api({ listRuns: jest.fn().mockResolvedValue([]) }));
    expect(await screen.findByText('No failover yet')).toBeInTheDocument();
  });

  it('shows a failure to read the runs', async () => {
    await render(
      api({ listRuns: jest.fn().mockRejectedValue(new Error('no database')) }),
    );
    expect((await screen.findAllByText(/no database/))[0]).toBeInTheDocument();
  });
});
