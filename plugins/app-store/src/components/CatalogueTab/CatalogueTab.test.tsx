import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { AppStoreApi, appStoreApiRef } from '../../api/AppStoreClient';
import { charts, fakeAppStoreApi } from '../../testUtils/fakeAppStoreApi';
import { CatalogueTab } from './CatalogueTab';

jest.setTimeout(120_000);

async function render(api: AppStoreApi) {
  await renderInTestApp(
    <TestApiProvider apis={[[appStoreApiRef, api]]}>
      <CatalogueTab />
    </TestApiProvider>,
  );
}

async function pick(label: string, option: string) {
  fireEvent.mouseDown(screen.getByLabelText(label));
  fireEvent.click(within(await screen.findByRole('listbox')).getByText(option));
}

describe('CatalogueTab', () => {
  it('shows each chart as a card, and a repository that could not be read as a warning', async () => {
    await render(fakeAppStoreApi());
    const redis = await screen.findByRole('article', { name: 'redis' });
    expect(
      within(redis).getByText('Redis 7 for test environments'),
    ).toBeInTheDocument();
    expect(
      within(redis).getByText('Latest 7.2.1 (app 7.2.4) · 2 versions'),
    ).toBeInTheDocument();
    expect(within(redis).getByText('from local')).toBeInTheDocument();
    expect(within(redis).getByText('cache')).toBeInTheDocument();
    expect(screen.getByRole('article', { name: 'mysql' })).toBeInTheDocument();
    expect(
      screen.getByText(
        'Warning: Repository partner could not be read: its charts are missing below',
      ),
    ).toBeInTheDocument();
  });

  it('says what to do when no repository is configured, and shows a failed read', async () => {
    await render(
      fakeAppStoreApi({
        charts: jest.fn(async () => ({ items: [], repositories: [] })),
      }),
    );
    expect(
      await screen.findByText('The store has no charts yet'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/containerCloud\.appStore\.repositories/),
    ).toBeInTheDocument();
  });

  it('says that every repository failed rather than showing an empty store', async () => {
    await render(
      fakeAppStoreApi({
        charts: jest.fn(async () => ({
          items: [],
          repositories: charts.repositories.filter(r => !r.ok),
        })),
      }),
    );
    expect(
      await screen.findByText('No chart could be read'),
    ).toBeInTheDocument();
    expect(screen.getByText(/503 Service Unavailable/)).toBeInTheDocument();
  });

  it("shows the backend's error", async () => {
    await render(
      fakeAppStoreApi({
        charts: jest.fn(async () => {
          throw new ContainerCloudApiError('the app store is not configured', {
            status: 503,
          });
        }),
      }),
    );
    expect(
      await screen.findByText('Error: the app store is not configured'),
    ).toBeInTheDocument();
  });

  it('installs from the form: placements limited to the targets, chart values from the schema, only what was set', async () => {
    const api = fakeAppStoreApi();
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Install redis' }),
    );
    const dialog = await screen.findByRole('dialog');
    await waitFor(() =>
      expect(
        within(dialog).getByLabelText('Cluster / namespace'),
      ).toHaveTextContent('local-a/payments'),
    );
    expect(api.chart).toHaveBeenCalledWith('local', 'redis', '7.2.1');
    fireEvent.change(within(dialog).getByLabelText('Name'), {
      target: { value: 'cache' },
    });
    await pick('Cluster / namespace', 'local-b/payments');
    await pick('Size', 'medium');
    fireEvent.change(within(dialog).getByLabelText('Storage size'), {
      target: { value: '2Gi' },
    });
    fireEvent.change(within(dialog).getByLabelText('Expires after (days)'), {
      target: { value: '3' },
    });
    // the schema's own fields, but not the ones the form asks for itself
    expect(
      await within(dialog).findByLabelText('Eviction policy'),
    ).toBeInTheDocument();
    expect(within(dialog).queryByText('Credentials')).not.toBeInTheDocument();
    expect(
      within(dialog).queryByLabelText('Volume size'),
    ).not.toBeInTheDocument();
    fireEvent.change(within(dialog).getByLabelText('StorageClass'), {
      target: { value: 'fast' },
    });
    await pick('Eviction policy', 'allkeys-lru');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Install' }));
    await waitFor(() =>
      expect(api.install).toHaveBeenCalledWith({
        repository: 'local',
        chart: 'redis',
        version: '7.2.1',
        cluster: 'local-b',
        namespace: 'payments',
        name: 'cache',
        owner: 'component:default/payments-api',
        environment: 'test',
        preset: 'medium',
        storage: '2Gi',
        password: undefined,
        expiresInDays: 3,
        values: {
          maxmemoryPolicy: 'allkeys-lru',
          storage: { storageClass: 'fast' },
        },
      }),
    );
  });

  it("shows a 400's problems under the fields they name, and installs nothing more", async () => {
    const api = fakeAppStoreApi({
      install: jest.fn(async () => {
        throw new ContainerCloudApiError(
          'invalid request: name: at most 40 characters; values.maxmemoryPolicy: must be one of the allowed values',
          { status: 400 },
        );
      }),
    });
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Install redis' }),
    );
    const dialog = await screen.findByRole('dialog');
    await waitFor(() =>
      expect(
        within(dialog).getByLabelText('Cluster / namespace'),
      ).toHaveTextContent('local-a/payments'),
    );
    fireEvent.click(within(dialog).getByRole('radio', { name: 'Give one' }));
    fireEvent.change(within(dialog).getByLabelText('Password'), {
      target: { value: 'a-long-password-1' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Install' }));
    expect(
      await within(dialog).findByText('at most 40 characters'),
    ).toBeInTheDocument();
    expect(
      within(dialog).getByText('must be one of the allowed values'),
    ).toBeInTheDocument();
    expect(api.install).toHaveBeenCalledTimes(1);
    expect(api.install.mock.calls[0][0].password).toBe('a-long-password-1');
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it("shows the chart's refusals under the form's own fields and the chart values' fields", async () => {
    const api = fakeAppStoreApi({
      install: jest.fn(async () => {
        throw new ContainerCloudApiError(
          'the chart refuses these values: values.storage.size: must match pattern "^([1-9][0-9]{0,3}Gi|([1-9]|10)Ti)$"; values.maxmemoryPolicy: must be one of "noeviction", "allkeys-lru"; values.metrics.enabled is required',
          { status: 400 },
        );
      }),
    });
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Install redis' }),
    );
    const dialog = await screen.findByRole('dialog');
    await waitFor(() =>
      expect(
        within(dialog).getByLabelText('Cluster / namespace'),
      ).toHaveTextContent('local-a/payments'),
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Install' }));
    const storage = within(dialog).getByLabelText('Storage size');
    await waitFor(() =>
      expect(storage).toHaveAccessibleDescription(
        'must match pattern "^([1-9][0-9]{0,3}Gi|([1-9]|10)Ti)$"',
      ),
    );
    expect(
      within(dialog).getByText('must be one of "noeviction", "allkeys-lru"'),
    ).toHaveAttribute('id', 'values-maxmemoryPolicy-helper-text');
    expect(within(dialog).getByText('is required')).toBeInTheDocument();
  });

  it('checks the install with a dry run and keeps the dialog open, installing nothing', async () => {
    const api = fakeAppStoreApi();
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Install redis' }),
    );
    const dialog = await screen.findByRole('dialog');
    await waitFor(() =>
      expect(
        within(dialog).getByLabelText('Cluster / namespace'),
      ).toHaveTextContent('local-a/payments'),
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Check' }));
    expect(await within(dialog).findByRole('status')).toHaveTextContent(
      'Nothing was installed.',
    );
    expect(api.install).toHaveBeenCalledTimes(1);
    expect(api.install).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'redis', dryRun: true }),
    );
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('says so when none of the user’s services has a placement', async () => {
    await render(
      fakeAppStoreApi({ targets: jest.fn(async () => ({ items: [] })) }),
    );
    fireEvent.click(
      await screen.findByRole('button', { name: 'Install redis' }),
    );
    expect(
      await screen.findByText(/has a placement to install into/),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Install' })).toBeDisabled();
  });
});
