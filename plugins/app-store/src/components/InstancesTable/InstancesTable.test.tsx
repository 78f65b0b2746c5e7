import { fireEvent, screen, waitFor } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { AppStoreApi, appStoreApiRef } from '../../api/AppStoreClient';
import { fakeAppStoreApi, summary } from '../../testUtils/fakeAppStoreApi';
import { InstancesTable } from './InstancesTable';

jest.setTimeout(120_000);

async function render(api: AppStoreApi) {
  await renderInTestApp(
    <TestApiProvider apis={[[appStoreApiRef, api]]}>
      <InstancesTable />
    </TestApiProvider>,
  );
}

describe('InstancesTable', () => {
  it("lists the user's instances with phase, readiness, expiry and the simulated marker, a page at a time", async () => {
    const api = fakeAppStoreApi({
      instances: jest.fn(async () => ({
        items: [summary],
        totalCount: 30,
        unreachable: [],
      })),
    });
    await render(api);
    expect(await screen.findByRole('link', { name: 'cache' })).toHaveAttribute(
      'href',
      '/instances/local-a/payments/cache',
    );
    expect(screen.getByText('local-a/payments')).toBeInTheDocument();
    expect(screen.getByText('ready')).toBeInTheDocument();
    expect(screen.getByText('1/1')).toBeInTheDocument();
    expect(screen.getByText('in 7 days')).toBeInTheDocument();
    expect(screen.getByText('simulated')).toBeInTheDocument();
    expect(screen.getByText('1–1 of 30')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() =>
      expect(api.instances).toHaveBeenLastCalledWith({ offset: 25, limit: 25 }),
    );
  });

  it("opens an instance's page from anywhere on its row", async () => {
    await renderInTestApp(
      <TestApiProvider apis={[[appStoreApiRef, fakeAppStoreApi()]]}>
        <Routes>
          <Route path="/" element={<InstancesTable />} />
          <Route
            path="/instances/:cluster/:namespace/:name"
            element={<p>the instance page</p>}
          />
        </Routes>
      </TestApiProvider>,
    );
    fireEvent.click(await screen.findByText('local-a/payments'));
    expect(await screen.findByText('the instance page')).toBeInTheDocument();
  });

  it('names the clusters that could not be read instead of showing them empty', async () => {
    await render(
      fakeAppStoreApi({
        instances: jest.fn(async () => ({
          items: [],
          totalCount: 0,
          unreachable: [{ cluster: 'local-b', error: 'connect ECONNREFUSED' }],
        })),
      }),
    );
    expect(
      await screen.findByText(
        'Warning: Could not read local-b: the state of instances there is unknown',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('No instances yet')).toBeInTheDocument();
  });

  it('says where to start when there are none, and shows errors', async () => {
    await render(
      fakeAppStoreApi({
        instances: jest.fn(async () => {
          throw new ContainerCloudApiError('sign in to list your instances', {
            status: 401,
          });
        }),
      }),
    );
    expect(
      await screen.findByText('Error: sign in to list your instances'),
    ).toBeInTheDocument();
  });
});
