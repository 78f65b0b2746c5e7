import { fireEvent, screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import type { ClusterServiceView } from '@internal/plugin-container-cloud-common';
import { ClusterCard } from './ClusterCard';

// Material UI tables in jsdom are slow on a busy 2-core machine
jest.setTimeout(30_000);

const deployment = {
  namespace: 'payments',
  name: 'payments-api',
  resourceVersion: '41',
  replicas: { desired: 2, ready: 1, updated: 2, available: 1 },
  images: [{ container: 'app', image: 'registry.example.com/p/api:1.0.0' }],
  revision: 3,
  problems: ['1 of 2 replicas is not ready'],
  config: { containers: [] },
};
const pod = {
  namespace: 'payments',
  name: 'payments-api-7d9-abcde',
  ip: '10.0.0.7',
  node: 'kwok-node-0',
  phase: 'Running',
  ready: false,
  restarts: 4,
  terminating: false,
  removedFromLoadBalancing: true,
  containers: [
    {
      name: 'app',
      image: 'x',
      ready: false,
      restarts: 4,
      state: 'waiting',
      reason: 'CrashLoopBackOff',
    },
  ],
};
const view = {
  cluster: 'dev',
  health: {
    reachable: true,
    latencyMs: 3,
    nodesReady: 2,
    nodesTotal: 3,
    checkedAt: '',
  },
  deployments: [deployment],
  pods: [pod],
  revisions: [],
} as unknown as ClusterServiceView;

describe('ClusterCard', () => {
  it("shows the cluster's health, the Deployment's problems and a failing container, and hands on the actions", async () => {
    const onAction = jest.fn();
    const onPodAction = jest.fn();
    await renderInTestApp(
      <ClusterCard
        view={view}
        onAction={onAction}
        onPodAction={onPodAction}
        onDeploymentEvents={jest.fn()}
      />,
    );
    expect(
      screen.getByText('reachable · API 3 ms · nodes ready 2/3'),
    ).toBeInTheDocument();
    expect(screen.getByLabelText('ready payments-api')).toHaveTextContent(
      '1/2',
    );
    expect(
      screen.getByText('1 of 2 replicas is not ready'),
    ).toBeInTheDocument();
    expect(screen.getByText('CrashLoopBackOff')).toBeInTheDocument();
    expect(screen.getByText('out of load balancing')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'scale' }));
    // (the table adds its own bookkeeping to the rows)
    expect(onAction).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'payments-api', resourceVersion: '41' }),
      'scale',
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'logs of payments-api-7d9-abcde' }),
    );
    expect(onPodAction).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'payments-api-7d9-abcde' }),
      'logs',
    );
  });

  it('says so when the service has no Deployment in the cluster', async () => {
    await renderInTestApp(
      <ClusterCard
        view={
          {
            ...view,
            health: {
              reachable: false,
              error: 'connection refused',
              checkedAt: '',
            },
            deployments: [],
            pods: [],
          } as unknown as ClusterServiceView
        }
        onAction={jest.fn()}
        onPodAction={jest.fn()}
        onDeploymentEvents={jest.fn()}
      />,
    );
    expect(
      screen.getByText('unreachable: connection refused'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('This service has no Deployment in dev.'),
    ).toBeInTheDocument();
  });
});
