import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { Entity } from '@backstage/catalog-model';
import type {
  VolumeList,
  VolumeView,
} from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { VolumesApi, volumesApiRef } from '../../api/VolumesClient';
import { StorageTab } from './StorageTab';

jest.setTimeout(30_000);

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api' },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
};
const REF = { kind: 'Component', namespace: 'default', name: 'payments-api' };

const claim = (cluster: string) => ({
  cluster,
  namespace: 'payments',
  phase: 'Bound' as const,
  requested: '1Gi',
  capacity: '1Gi',
  capacityBytes: 2 ** 30,
  usedBytes: null,
  accessModes: ['ReadWriteMany'],
  persistentVolume: 'cc-nfs-payments-payments-data',
  reclaimPolicy: 'Retain',
  resizing: false,
});

const data: VolumeView = {
  name: 'payments-data',
  type: 'nfs',
  claims: [claim('local-a'), { ...claim('local-b'), usedBytes: 2 ** 29 }],
  mounts: [],
  expandable: false,
};

const list: VolumeList = {
  items: [data],
  types: [
    {
      name: 'nfs',
      title: 'NFS export',
      kind: 'nfs',
      clusters: ['local-a', 'local-b'],
      expandable: false,
      accessModes: ['ReadWriteOnce', 'ReadWriteMany'],
      reclaimPolicy: 'Retain',
    },
  ],
  deployments: ['local-a', 'local-b'].map(cluster => ({
    cluster,
    namespace: 'payments',
    deployment: 'payments-api',
    resourceVersion: cluster === 'local-a' ? '10' : '20',
    containers: ['app'],
    mounts: [
      {
        cluster,
        namespace: 'payments',
        deployment: 'payments-api',
        container: 'app',
        volume: 'cfg',
        path: '/etc/app',
        readOnly: false,
      },
    ],
  })),
  errors: [],
};

const ok = { ok: true, outcomes: [], message: 'done' };

function api(overrides: Partial<VolumesApi> = {}): VolumesApi {
  return {
    list: jest.fn().mockResolvedValue(list),
    create: jest.fn().mockResolvedValue(ok),
    mount: jest.fn().mockResolvedValue(ok),
    unmount: jest.fn().mockResolvedValue(ok),
    resize: jest.fn().mockResolvedValue(ok),
    delete: jest.fn().mockResolvedValue({ ...ok, reclaimPolicy: [] }),
    listAll: jest.fn(),
    ...overrides,
  };
}

async function render(volumes: VolumesApi) {
  await renderInTestApp(
    <TestApiProvider apis={[[volumesApiRef, volumes]]}>
      <EntityProvider entity={entity}>
        <StorageTab />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('StorageTab', () => {
  it('shows each volume’s status, capacity, use and mounts per cluster', async () => {
    await render(api());
    expect(await screen.findByText('payments-data')).toBeInTheDocument();
    expect(screen.getByText('local-a: Bound')).toBeInTheDocument();
    expect(screen.getByText('local-a: unknown')).toBeInTheDocument();
    expect(screen.getByText('local-b: 512 MiB (50%)')).toBeInTheDocument();
    expect(screen.getByText('nowhere')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Resize' })).toBeDisabled();
  });

  it('names the kind of a workload that is not a Deployment among the mounts', async () => {
    const mounted = {
      ...data,
      mounts: [
        {
          cluster: 'local-a',
          namespace: 'payments',
          deployment: 'db',
          kind: 'StatefulSet' as const,
          container: 'c',
          path: '/kept',
          readOnly: false,
        },
        {
          cluster: 'local-b',
          namespace: 'payments',
          deployment: 'payments-api',
          container: 'app',
          path: '/var/data',
          readOnly: true,
        },
      ],
    };
    await render(
      api({ list: jest.fn().mockResolvedValue({ ...list, items: [mounted] }) }),
    );
    expect(
      await screen.findByText('StatefulSet local-a/db (c): /kept'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('local-b/payments-api (app): /var/data (read-only)'),
    ).toBeInTheDocument();
  });

  it('shows why a claim is Pending', async () => {
    const pending = {
      ...data,
      claims: [
        {
          ...claim('local-a'),
          phase: 'Pending' as const,
          reason: 'ExternalProvisioning: waiting for a volume',
        },
      ],
    };
    await render(
      api({ list: jest.fn().mockResolvedValue({ ...list, items: [pending] }) }),
    );
    expect(await screen.findByText('local-a: Pending')).toBeInTheDocument();
    expect(
      screen.getByText('ExternalProvisioning: waiting for a volume'),
    ).toBeInTheDocument();
  });

  it('has an empty state that offers to create one', async () => {
    await render(
      api({ list: jest.fn().mockResolvedValue({ ...list, items: [] }) }),
    );
    expect(await screen.findByText('No volumes yet')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Create volume' })).toBeEnabled();
  });

  it('shows the backend’s words when the list fails', async () => {
    await render(
      api({
        list: jest.fn().mockRejectedValue(
          new ContainerCloudApiError(
            'no service component:default/x in the catalog',
            {
              status: 404,
            },
          ),
        ),
      }),
    );
    expect(
      await screen.findAllByText(
        /no service component:default\/x in the catalog/,
      ),
    ).not.toHaveLength(0);
  });

  it('creates a volume once the form is valid', async () => {
    const volumes = api();
    await render(volumes);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Create volume' }),
    );
    const dialog = await screen.findByRole('dialog');
    const create = within(dialog).getByRole('button', { name: 'Create' });
    expect(create).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Name'), {
      target: { value: 'Bad_Name' },
    });
    expect(
      within(dialog).getByText(/name: lower-case letters/),
    ).toBeInTheDocument();
    expect(create).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Name'), {
      target: { value: 'uploads' },
    });
    fireEvent.change(within(dialog).getByLabelText('Size'), {
      target: { value: '5' },
    });
    expect(create).toBeEnabled();
    fireEvent.click(create);
    await waitFor(() =>
      expect(volumes.create).toHaveBeenCalledWith(REF, {
        name: 'uploads',
        type: 'nfs',
        size: '5Gi',
        accessMode: 'ReadWriteOnce',
      }),
    );
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(volumes.list).toHaveBeenCalledTimes(2);
  });

  it('refuses a mount path that shadows a mount, and sends the Deployments as loaded', async () => {
    const volumes = api({
      mount: jest
        .fn()
        .mockRejectedValue(
          new ContainerCloudApiError(
            'deployment payments/payments-api in cluster local-b changed since you loaded it',
            { status: 409 },
          ),
        ),
    });
    await render(volumes);
    fireEvent.click(await screen.findByRole('button', { name: 'Mount' }));
    const dialog = await screen.findByRole('dialog');
    const path = within(dialog).getByLabelText('Mount path');
    const mount = within(dialog).getByRole('button', { name: 'Mount' });
    fireEvent.change(path, { target: { value: '/etc/app/data' } });
    expect(
      within(dialog).getByText(/would shadow cfg at \/etc\/app/),
    ).toBeInTheDocument();
    expect(mount).toBeDisabled();
    fireEvent.change(path, { target: { value: '/proc/x' } });
    expect(
      within(dialog).getByText('path: not at or under /proc'),
    ).toBeInTheDocument();
    fireEvent.change(path, { target: { value: '/var/data' } });
    fireEvent.click(mount);
    await waitFor(() =>
      expect(volumes.mount).toHaveBeenCalledWith(REF, 'payments-data', {
        path: '/var/data',
        expected: [
          {
            cluster: 'local-a',
            namespace: 'payments',
            deployment: 'payments-api',
            resourceVersion: '10',
          },
          {
            cluster: 'local-b',
            namespace: 'payments',
            deployment: 'payments-api',
            resourceVersion: '20',
          },
        ],
      }),
    );
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'changed since you loaded it',
    );
  });

  it('deletes only with the name typed again, after showing the reclaim policy', async () => {
    const volumes = api();
    await render(volumes);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog');
    expect(
      within(
        within(dialog).getByRole('list', { name: 'reclaim policy' }),
      ).getAllByText(/reclaim policy Retain — the data is kept/),
    ).toHaveLength(2);
    const remove = within(dialog).getByRole('button', { name: 'Delete' });
    expect(remove).toBeDisabled();
    fireEvent.change(
      within(dialog).getByLabelText('Type payments-data to confirm'),
      {
        target: { value: 'payments-dat' },
      },
    );
    expect(remove).toBeDisabled();
    fireEvent.change(
      within(dialog).getByLabelText('Type payments-data to confirm'),
      {
        target: { value: 'payments-data' },
      },
    );
    fireEvent.click(remove);
    await waitFor(() =>
      expect(volumes.delete).toHaveBeenCalledWith(REF, 'payments-data'),
    );
  });

  it('says cluster by cluster what holds when a change is left half-way', async () => {
    const volumes = api({
      delete: jest.fn().mockResolvedValue({
        ok: false,
        message: 'volume payments-data could not be deleted in local-b: retry',
        outcomes: [
          { cluster: 'local-a', namespace: 'payments', state: 'deleted' },
          {
            cluster: 'local-b',
            namespace: 'payments',
            state: 'failed',
            error: {
              name: 'ClusterWriteError',
              message: 'cluster local-b: the apiserver did not answer in time',
            },
          },
        ],
        reclaimPolicy: [],
      }),
    });
    await render(volumes);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(
      within(dialog).getByLabelText('Type payments-data to confirm'),
      {
        target: { value: 'payments-data' },
      },
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete' }));
    const status = await within(dialog).findByRole('status');
    expect(status).toHaveTextContent('local-a/payments: deleted');
    expect(status).toHaveTextContent(
      'local-b/payments: failed (cluster local-b: the apiserver did not answer in time)',
    );
  });
});
