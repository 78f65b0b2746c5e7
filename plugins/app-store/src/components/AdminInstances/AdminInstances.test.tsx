import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { AppStoreApi, appStoreApiRef } from '../../api/AppStoreClient';
import { fakeAppStoreApi, summary } from '../../testUtils/fakeAppStoreApi';
import { AdminInstances, ageText, resourcesText } from './AdminInstances';

jest.setTimeout(120_000);

const other = { ...summary, cluster: 'local-b', name: 'queue', chart: 'kafka' };

async function render(api: AppStoreApi) {
  await renderInTestApp(
    <TestApiProvider apis={[[appStoreApiRef, api]]}>
      <AdminInstances />
    </TestApiProvider>,
  );
}

describe('AdminInstances', () => {
  it('filters in the backend: cluster, owner, chart, expiring within days', async () => {
    const api = fakeAppStoreApi();
    await render(api);
    expect(await screen.findByText('cache')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText('Cluster'), {
      target: { value: 'local-b' },
    });
    fireEvent.change(screen.getByLabelText('Expiring within (days)'), {
      target: { value: '2' },
    });
    await waitFor(() =>
      expect(api.adminInstances).toHaveBeenLastCalledWith({
        cluster: 'local-b',
        owner: undefined,
        chart: undefined,
        expiringWithinHours: 48,
        offset: 0,
        limit: 50,
      }),
    );
  });

  it('extends the selected instances and shows what happened to each', async () => {
    const api = fakeAppStoreApi({
      adminInstances: jest.fn(async () => ({
        items: [
          {
            ...summary,
            ageSeconds: 7200,
            requests: { cpuMillis: 250, memoryBytes: 512 * 2 ** 20 },
          },
          { ...other, ageSeconds: 90 },
        ],
        totalCount: 2,
        unreachable: [],
      })),
      adminExtend: jest.fn(async () => ({
        results: [
          {
            cluster: 'local-a',
            namespace: 'payments',
            name: 'cache',
            ok: true,
            message: 'expires 2026-12-21',
          },
          {
            cluster: 'local-b',
            namespace: 'payments',
            name: 'queue',
            ok: false,
            message: 'a production instance never expires',
          },
        ],
      })),
    });
    await render(api);
    expect(await screen.findByText('250m CPU, 512 MiB')).toBeInTheDocument();
    expect(screen.getByText('2h')).toBeInTheDocument();
    const extend = screen.getByRole('button', { name: 'Extend selected' });
    expect(extend).toBeDisabled();
    // the header's checkbox selects every row of the page
    fireEvent.click(screen.getAllByRole('checkbox')[0]);
    await waitFor(() =>
      expect(screen.getByText('2 selected')).toBeInTheDocument(),
    );
    fireEvent.click(extend);
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText('Days from now'), {
      target: { value: '14' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Extend' }));
    await waitFor(() =>
      expect(api.adminExtend).toHaveBeenCalledWith(
        [
          { cluster: 'local-a', namespace: 'payments', name: 'cache' },
          { cluster: 'local-b', namespace: 'payments', name: 'queue' },
        ],
        14,
      ),
    );
    // the list is read again behind the results: wait for the rendering that stays
    await waitFor(() =>
      expect(screen.getByText('expires 2026-12-21')).toBeInTheDocument(),
    );
    expect(
      screen.getByText('a production instance never expires'),
    ).toBeInTheDocument();
  });

  it('says so when no instance matches', async () => {
    await render(
      fakeAppStoreApi({
        adminInstances: jest.fn(async () => ({
          items: [],
          totalCount: 0,
          unreachable: [],
        })),
      }),
    );
    expect(await screen.findByText('No instances')).toBeInTheDocument();
  });
});

describe('the admin columns', () => {
  it('write ages and resources in words', () => {
    expect(ageText(45)).toBe('45s');
    expect(ageText(3 * 86400)).toBe('3d');
    expect(resourcesText(undefined)).toBe('—');
    expect(resourcesText({ cpuMillis: 1500, memoryBytes: 2 * 2 ** 30 })).toBe(
      '1500m CPU, 2.00 GiB',
    );
  });
});
