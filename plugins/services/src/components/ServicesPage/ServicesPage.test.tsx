import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import type {
  ServiceList,
  ServiceSummary,
} from '@internal/plugin-container-cloud-common';
import { ServicesApi, servicesApiRef } from '../../api/ServicesClient';
import { ServicesPage } from './ServicesPage';

jest.setTimeout(30_000);

function service(
  name: string,
  ready: number,
  desired: number,
  owner = 'group:default/team-payments',
): ServiceSummary {
  return {
    entityRef: `component:default/${name}`,
    namespace: 'default',
    name,
    owner,
    kubernetesId: name,
    clusters: [
      { cluster: 'local-a', reachable: true, ready, desired },
      { cluster: 'local-b', reachable: true, ready: 0, desired: 0 },
    ],
    ready,
    desired,
  };
}

function render(listServices: ServicesApi['listServices']) {
  return renderInTestApp(
    <TestApiProvider
      apis={[[servicesApiRef, { listServices } as unknown as ServicesApi]]}
    >
      <ServicesPage />
    </TestApiProvider>,
    {
      mountedRoutes: {
        '/catalog/:namespace/:kind/:name': entityRouteRef,
      },
    },
  );
}

describe('ServicesPage', () => {
  it('lists my services with their replicas and links to the Service tab', async () => {
    const listServices = jest.fn(
      async (): Promise<ServiceList> => ({
        items: [
          service('payments-api', 2, 3),
          service('payments-worker', 0, 0),
        ],
        totalItems: 2,
      }),
    );
    await render(listServices);
    const link = await screen.findByRole('link', { name: 'payments-api' });
    expect(link).toHaveAttribute(
      'href',
      '/catalog/default/component/payments-api/service',
    );
    expect(screen.getByLabelText('ready payments-api')).toHaveTextContent(
      '2/3',
    );
    expect(screen.getByText('local-a 2/3')).toBeInTheDocument();
    expect(screen.getByLabelText('ready payments-worker')).toHaveTextContent(
      'not running',
    );
    expect(listServices).toHaveBeenCalledWith({
      owner: 'mine',
      limit: 20,
      offset: 0,
    });
  });

  it('shows all services and pages through them', async () => {
    const listServices = jest.fn(
      async (query: { offset: number }): Promise<ServiceList> => ({
        items: [service(query.offset === 0 ? 'a-api' : 'z-api', 1, 1)],
        totalItems: 25,
      }),
    );
    await render(listServices);
    await screen.findByRole('link', { name: 'a-api' });
    fireEvent.click(screen.getByRole('button', { name: 'All' }));
    await waitFor(() =>
      expect(listServices).toHaveBeenLastCalledWith({
        owner: 'all',
        limit: 20,
        offset: 0,
      }),
    );
    expect(screen.getByText('All services')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(
      await screen.findByRole('link', { name: 'z-api' }),
    ).toBeInTheDocument();
    expect(listServices).toHaveBeenLastCalledWith({
      owner: 'all',
      limit: 20,
      offset: 20,
    });
    expect(screen.getByText('21-25 of 25')).toBeInTheDocument();
  });

  it('says which services control no workloads, and why', async () => {
    await render(async () => ({
      items: [
        {
          ...service('orders-api', 0, 0),
          binding: {
            state: 'conflict',
            kubernetesId: 'orders-api',
            conflictsWith: ['component:cmdb/orders'],
            message: 'component:default/orders-api controls no workloads',
          },
        },
      ],
      totalItems: 1,
    }));
    expect(await screen.findByLabelText('ready orders-api')).toHaveTextContent(
      'controls nothing: its id is claimed twice',
    );
  });

  it('says so when the user owns no service', async () => {
    await render(async () => ({ items: [], totalItems: 0 }));
    expect(await screen.findByText('You own no services')).toBeInTheDocument();
  });

  it('shows the error', async () => {
    await render(async () => {
      throw new Error('the services backend is down');
    });
    expect(
      (await screen.findAllByText(/the services backend is down/)).length,
    ).toBeGreaterThan(0);
  });
});
