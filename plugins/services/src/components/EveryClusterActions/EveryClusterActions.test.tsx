import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { everyClusterApiRef } from '../../api/EveryClusterClient';
import type { ClusterServiceView } from '@internal/plugin-container-cloud-common';
import { EveryClusterActions } from './EveryClusterActions';

const entity = {
  kind: 'Component',
  namespace: 'default',
  name: 'payments-api',
};
// each cluster's Deployment at its own version, as the page loaded it
const VERSIONS: Record<string, string> = { 'local-a': '4711', 'local-b': '93' };
const view = (cluster: string) =>
  ({
    cluster,
    deployments: [
      {
        namespace: 'payments',
        name: 'payments-api',
        resourceVersion: VERSIONS[cluster],
        images: [
          { container: 'app', image: 'registry.example.com/p/api:1.0.0' },
        ],
        replicas: { desired: 2 },
      },
    ],
  } as unknown as ClusterServiceView);

function render(run: jest.Mock, clusters = [view('local-a'), view('local-b')]) {
  const onDone = jest.fn();
  return {
    onDone,
    ...renderInTestApp(
      <TestApiProvider apis={[[everyClusterApiRef, { run }]]}>
        <EveryClusterActions
          entity={entity}
          clusters={clusters}
          onDone={onDone}
        />
      </TestApiProvider>,
    ),
  };
}

describe('EveryClusterActions', () => {
  it('scales in every cluster, each at the version the page loaded there, and shows which one failed', async () => {
    const run = jest.fn(async () => [
      { cluster: 'local-a', ok: true as const },
      {
        cluster: 'local-b',
        ok: false as const,
        error: { message: 'cluster local-b: connect ECONNREFUSED' },
      },
    ]);
    const { onDone } = render(run);
    fireEvent.click(
      await screen.findByRole('button', { name: 'scale everywhere' }),
    );
    fireEvent.change(screen.getByLabelText('Replicas in each cluster'), {
      target: { value: '4' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Run in 2 clusters' }));
    await waitFor(() =>
      expect(run).toHaveBeenCalledWith(
        entity,
        [
          {
            cluster: 'local-a',
            namespace: 'payments',
            deployment: 'payments-api',
            resourceVersion: '4711',
          },
          {
            cluster: 'local-b',
            namespace: 'payments',
            deployment: 'payments-api',
            resourceVersion: '93',
          },
        ],
        { operation: 'scale', replicas: 4 },
      ),
    );
    const list = await screen.findByRole('list', {
      name: 'outcome per cluster',
    });
    expect(within(list).getByText('local-a: done')).toBeInTheDocument();
    expect(within(list).getByText('local-b: failed')).toBeInTheDocument();
    expect(
      within(list).getByText('cluster local-b: connect ECONNREFUSED'),
    ).toBeInTheDocument();
    expect(onDone).toHaveBeenCalled();
  });

  it('is not offered for a Deployment that runs in one cluster only', async () => {
    render(jest.fn(), [view('local-a')]);
    expect(
      screen.queryByRole('button', { name: 'scale everywhere' }),
    ).not.toBeInTheDocument();
  });
});
