import { fireEvent, screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type { AdminVolume } from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { VolumesApi, volumesApiRef } from '../../api/VolumesClient';
import { StorageAdminPage } from './StorageAdminPage';

jest.setTimeout(30_000);

const volume = (over: Partial<AdminVolume>): AdminVolume => ({
  cluster: 'local-a',
  namespace: 'payments',
  name: 'payments-data',
  phase: 'Bound',
  requested: '1Gi',
  capacity: '1Gi',
  usedBytes: null,
  accessModes: ['ReadWriteMany'],
  resizing: false,
  mountedBy: ['payments/payments-api'],
  owner: 'component:default/payments-api',
  kubernetesId: 'payments-api',
  orphan: false,
  ...over,
});

async function render(listAll: VolumesApi['listAll']) {
  await renderInTestApp(
    <TestApiProvider
      apis={[[volumesApiRef, { listAll } as unknown as VolumesApi]]}
    >
      <StorageAdminPage />
    </TestApiProvider>,
  );
}

describe('StorageAdminPage', () => {
  it('lists every volume with owner, size, mounts, and filters the orphans', async () => {
    await render(
      jest.fn().mockResolvedValue({
        items: [
          volume({}),
          volume({
            cluster: 'local-b',
            name: 'old-cache',
            owner: undefined,
            mountedBy: [],
            orphan: true,
            orphanReason: "no catalog entity claims kubernetes id 'gone'",
          }),
        ],
        orphanAfterDays: 7,
        types: [],
        errors: [
          { cluster: 'down', message: 'the apiserver refused the connection' },
        ],
      }),
    );
    expect(await screen.findByText('payments-data')).toBeInTheDocument();
    expect(
      screen.getByText('component:default/payments-api'),
    ).toBeInTheDocument();
    expect(screen.getByText('payments/payments-api')).toBeInTheDocument();
    expect(
      screen.getByText("orphan: no catalog entity claims kubernetes id 'gone'"),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/Cluster down could not be read/),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('checkbox', { name: /Orphans only \(1/ }));
    expect(screen.queryByText('payments-data')).toBeNull();
    expect(screen.getByText('old-cache')).toBeInTheDocument();
  });

  it('says so when there is nothing', async () => {
    await render(
      jest
        .fn()
        .mockResolvedValue({
          items: [],
          orphanAfterDays: 7,
          types: [],
          errors: [],
        }),
    );
    expect(await screen.findByText('No volumes')).toBeInTheDocument();
  });

  it('shows a refusal in the backend’s words', async () => {
    await render(
      jest.fn().mockRejectedValue(
        new ContainerCloudApiError(
          'you may not see every volume: only ops admins may',
          {
            status: 403,
          },
        ),
      ),
    );
    expect(
      (await screen.findAllByText(/only ops admins may/)).length,
    ).toBeGreaterThan(0);
  });
});
