import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type {
  ClusterSummary,
  FailoverPreview,
  FailoverRun,
} from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { ClustersApi, clustersApiRef } from '../../api/ClustersClient';
import { ClustersPage } from './ClustersPage';

jest.setTimeout(60_000);

const amounts = (cpuCores: number, gib: number) => ({
  cpuCores,
  memoryBytes: gib * 2 ** 30,
});

function cluster(
  name: string,
  overrides: Partial<ClusterSummary> = {},
): ClusterSummary {
  return {
    name,
    reachable: true,
    latencyMs: 12,
    error: null,
    kubernetesVersion: 'v1.33.1',
    synced: true,
    nodes: { ready: 3, total: 3, cordoned: 0 },
    capacity: {
      allocatable: amounts(6, 12),
      requested: amounts(1.5, 3),
      used: amounts(0.25, 1),
    },
    pods: { Pending: 0, Running: 6, Succeeded: 0, Failed: 0, Unknown: 0 },
    services: [
      {
        kubernetesId: 'payments-api',
        entityRef: 'component:default/payments-api',
        namespaces: ['payments'],
        deployments: 1,
        replicas: 2,
        readyReplicas: 2,
        requested: amounts(0.2, 0.25),
        used: amounts(0.05, 0.1),
      },
    ],
    verdict: {
      state: 'healthy',
      since: '2026-12-06T10:00:00.000Z',
      reason: null,
      troubledSince: null,
      checkedAt: '2026-12-06T12:00:00.000Z',
    },
    ...overrides,
  };
}

const preview: FailoverPreview = {
  source: 'local-b',
  target: 'local-a',
  targetChosenBy: 'free-capacity',
  services: [
    {
      kubernetesId: 'payments-api',
      entityRef: 'component:default/payments-api',
      namespace: 'payments',
      deployment: 'payments-api',
      replicas: 2,
      targetReplicas: 0,
      requestedPerReplica: amounts(0.1, 0.125),
      action: 'move',
      reason: null,
    },
    {
      kubernetesId: 'pinned',
      entityRef: 'component:default/pinned',
      namespace: 'payments',
      deployment: 'pinned',
      replicas: 1,
      targetReplicas: 0,
      requestedPerReplica: amounts(0.1, 0.125),
      action: 'skip',
      reason:
        'the placements of component:default/pinned do not include local-a/payments',
    },
  ],
  targetBefore: { allocatable: amounts(6, 12), requested: amounts(1.5, 3) },
  targetAfter: { allocatable: amounts(6, 12), requested: amounts(1.7, 3.25) },
  fits: true,
  warnings: [
    'local-b is unreachable: the move uses its Deployments as last seen',
  ],
};

function run(
  state: FailoverRun['state'],
  step: FailoverRun['steps'][0]['state'],
): FailoverRun {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    source: 'local-b',
    target: 'local-a',
    state,
    createdBy: 'user:default/carol',
    createdAt: '2026-12-06T12:00:00.000Z',
    updatedAt: '2026-12-06T12:00:01.000Z',
    steps: [
      {
        kubernetesId: 'payments-api',
        entityRef: 'component:default/payments-api',
        namespace: 'payments',
        deployment: 'payments-api',
        replicas: 2,
        targetReplicas: 2,
        state: step,
        reason:
          step === 'scaling-up' ? 'created in local-a to 2 replica(s)' : null,
        updatedAt: '2026-12-06T12:00:01.000Z',
      },
    ],
  };
}

function fakeApi(
  overrides: Partial<ClustersApi> = {},
): jest.Mocked<ClustersApi> {
  return {
    listClusters: jest.fn().mockResolvedValue([
      cluster('local-a'),
      cluster('local-b', {
        reachable: false,
        error: 'the apiserver refused the connection',
        capacity: {
          allocatable: amounts(6, 12),
          requested: amounts(1, 2),
          used: null,
          usedError: 'Prometheus is not configured',
        },
        verdict: {
          state: 'unhealthy',
          since: '2026-12-06T11:00:00.000Z',
          reason: 'unreachable: the apiserver refused the connection',
          troubledSince: null,
          checkedAt: '2026-12-06T12:00:00.000Z',
        },
      }),
    ]),
    getCluster: jest.fn().mockResolvedValue({
      cluster: cluster('local-a'),
      nodes: [
        {
          name: 'kwok-local-a-0',
          ready: true,
          cordoned: true,
          kubeletVersion: 'kwok-0.7.0',
          pods: 2,
          capacity: {
            allocatable: amounts(2, 4),
            requested: amounts(0.5, 1),
            used: null,
          },
        },
      ],
      heaviestServices: cluster('local-a').services,
    }),
    previewFailover: jest.fn().mockResolvedValue(preview),
    startFailover: jest.fn().mockResolvedValue(run('running', 'pending')),
    listRuns: jest.fn().mockResolvedValue([]),
    stopRun: jest.fn().mockResolvedValue(run('stopping', 'scaling-up')),
    resumeRun: jest.fn().mockResolvedValue(run('running', 'scaling-up')),
    ...overrides,
  } as jest.Mocked<ClustersApi>;
}

const render = (api: ClustersApi) =>
  renderInTestApp(
    <TestApiProvider apis={[[clustersApiRef, api]]}>
      <ClustersPage />
    </TestApiProvider>,
  );

describe('ClustersPage', () => {
  it('shows every cluster with its health, capacity, nodes, pods and services', async () => {
    await render(fakeApi());
    expect(await screen.findByText('local-a')).toBeInTheDocument();
    expect(screen.getByText('v1.33.1 · apiserver 12 ms')).toBeInTheDocument();
    expect(
      screen.getByLabelText('CPU: 250m used, 1.5 cores requested of 6 cores'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /^Unhealthy since .*: unreachable: the apiserver refused the connection$/,
      ),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Unreachable: the apiserver refused the connection'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Usage unavailable: Prometheus is not configured'),
    ).toBeInTheDocument();
    expect(screen.getAllByText('Nodes: 3 of 3 ready')).toHaveLength(2);
    expect(screen.getAllByText('Services (1): payments-api')).toHaveLength(2);
    expect(await screen.findByText('No failover yet')).toBeInTheDocument();
  });

  it("shows a cluster's nodes and heaviest services", async () => {
    const api = fakeApi();
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'details of local-a' }),
    );
    expect(await screen.findByText('kwok-local-a-0')).toBeInTheDocument();
    expect(screen.getByText('Ready, cordoned')).toBeInTheDocument();
    expect(
      screen.getByText('component:default/payments-api'),
    ).toBeInTheDocument();
    expect(api.getCluster).toHaveBeenCalledWith('local-a');
  });

  it('previews a failover, starts it, and follows its progress with stop', async () => {
    const api = fakeApi();
    api.listRuns
      .mockResolvedValueOnce([])
      .mockResolvedValue([run('running', 'scaling-up')]);
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'move services off local-b' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(
        /To local-a \(the cluster with the most free capacity\): 1 of 2 service\(s\) move/,
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(
        'skipped: the placements of component:default/pinned do not include local-a/payments',
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText(/after the move: cpu 1.7 cores, memory 3.3 GiB/),
    ).toBeInTheDocument();
    expect(api.previewFailover).toHaveBeenCalledWith({
      source: 'local-b',
      target: undefined,
    });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Start failover' }),
    );
    await waitFor(() =>
      expect(api.startFailover).toHaveBeenCalledWith({
        source: 'local-b',
        target: 'local-a',
      }),
    );
    expect(
      await screen.findByText(/^running: 0 moved, 0 ready, 1 scaling up/),
    ).toBeInTheDocument();
    expect(
      screen.getByText('created in local-a to 2 replica(s)'),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Stop' }));
    await waitFor(() =>
      expect(api.stopRun).toHaveBeenCalledWith(run('running', 'pending').id),
    );
  });

  it('moves only the services left chosen, with the capacity previewed for them', async () => {
    const two: FailoverPreview = {
      ...preview,
      services: [
        preview.services[0],
        {
          ...preview.services[0],
          kubernetesId: 'orders-api',
          entityRef: 'component:default/orders-api',
          namespace: 'orders',
          deployment: 'orders-api',
          reason:
            'Secret(s) orders-db copied; claim(s) orders-data (nfs) made in the target (their data is not copied)',
        },
        preview.services[1],
      ],
    };
    const chosen: FailoverPreview = {
      ...preview,
      targetAfter: {
        allocatable: amounts(6, 12),
        requested: amounts(1.6, 3.125),
      },
    };
    const api = fakeApi({
      previewFailover: jest
        .fn()
        .mockImplementation(async (r: { services?: string[] }) =>
          r.services ? chosen : two,
        ),
    });
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'move services off local-b' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(
      await within(dialog).findByText(/: 2 of 3 service\(s\) move$/),
    ).toBeInTheDocument();
    // what a move carries, in its row
    expect(
      within(dialog).getByText(
        'moves: Secret(s) orders-db copied; claim(s) orders-data (nfs) made in the target (their data is not copied)',
      ),
    ).toBeInTheDocument();
    // a skipped service has no box to tick
    expect(within(dialog).queryByLabelText('move pinned')).toBeNull();
    fireEvent.click(within(dialog).getByLabelText('move orders-api'));
    expect(
      await within(dialog).findByText(
        /: 1 of 3 service\(s\) move \(1 left out\)$/,
      ),
    ).toBeInTheDocument();
    expect(
      await within(dialog).findByText(/after the move: cpu 1.6 cores/),
    ).toBeInTheDocument();
    expect(api.previewFailover).toHaveBeenLastCalledWith({
      source: 'local-b',
      target: 'local-a',
      services: ['payments-api'],
    });
    fireEvent.click(
      within(dialog).getByRole('button', { name: 'Start failover' }),
    );
    await waitFor(() =>
      expect(api.startFailover).toHaveBeenCalledWith({
        source: 'local-b',
        target: 'local-a',
        services: ['payments-api'],
      }),
    );
  });

  it('cannot start with every service left out', async () => {
    await render(fakeApi());
    fireEvent.click(
      await screen.findByRole('button', { name: 'move services off local-b' }),
    );
    const dialog = await screen.findByRole('dialog');
    // the table renders its rows again once loaded: click the box it shows then
    await within(dialog).findByText(/: 1 of 2 service\(s\) move$/);
    await waitFor(() =>
      expect(within(dialog).getByLabelText('move payments-api')).toBeChecked(),
    );
    fireEvent.click(within(dialog).getByLabelText('move payments-api'));
    expect(
      await within(dialog).findByText(
        /: 0 of 2 service\(s\) move \(1 left out\)$/,
      ),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByRole('button', { name: 'Start failover' }),
    ).toBeDisabled();
  });

  it('shows the clusters again once the run under way ends', async () => {
    const api = fakeApi();
    api.listRuns
      .mockResolvedValueOnce([run('running', 'ready')])
      .mockResolvedValue([run('done', 'scaled-down')]);
    await render(api);
    expect(
      await screen.findByText(/^running: 0 moved, 1 ready/),
    ).toBeInTheDocument();
    expect(api.listClusters).toHaveBeenCalledTimes(1);
    expect(
      await screen.findByText(/^done: 1 moved/, undefined, { timeout: 10_000 }),
    ).toBeInTheDocument();
    await waitFor(() => expect(api.listClusters).toHaveBeenCalledTimes(2));
  });

  it('shows why a failover cannot start', async () => {
    const api = fakeApi({
      startFailover: jest
        .fn()
        .mockRejectedValue(
          new ContainerCloudApiError(
            'run 1 is already moving the services of local-b: stop it first',
            { status: 409 },
          ),
        ),
    });
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'move services off local-b' }),
    );
    const dialog = await screen.findByRole('dialog');
    fireEvent.click(
      await within(dialog).findByRole('button', { name: 'Start failover' }),
    );
    expect(
      (
        await within(dialog).findAllByText(
          /already moving the services of local-b/,
        )
      )[0],
    ).toBeInTheDocument();
  });

  it('says when no cluster is configured', async () => {
    await render(fakeApi({ listClusters: jest.fn().mockResolvedValue([]) }));
    expect(
      await screen.findByText('No clusters configured'),
    ).toBeInTheDocument();
  });

  it('shows a failure to load the clusters', async () => {
    await render(
      fakeApi({
        listClusters: jest.fn().mockRejectedValue(new Error('backend down')),
      }),
    );
    expect((await screen.findAllByText(/backend down/))[0]).toBeInTheDocument();
  });
});
