import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { signalApiRef } from '@backstage/plugin-signals-react';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { AppStoreApi, appStoreApiRef } from '../../api/AppStoreClient';
import {
  detail,
  fakeAppStoreApi,
  fakeSignals,
} from '../../testUtils/fakeAppStoreApi';
import { AppStorePage } from '../AppStorePage';

jest.setTimeout(120_000);

const cache = { cluster: 'local-a', namespace: 'payments', name: 'cache' };

async function render(api: AppStoreApi, signals = fakeSignals()) {
  await renderInTestApp(
    <TestApiProvider
      apis={[
        [appStoreApiRef, api],
        [signalApiRef, signals.api],
      ]}
    >
      <AppStorePage />
    </TestApiProvider>,
    { routeEntries: ['/instances/local-a/payments/cache'] },
  );
}

describe('the instance page', () => {
  it('shows status, progress, pods (simulated on kwok), connection and history', async () => {
    const api = fakeAppStoreApi();
    await render(api);
    expect(await screen.findByText('Helm release')).toBeInTheDocument();
    expect(api.instance).toHaveBeenCalledWith(cache);
    expect(screen.getByText('done: release deployed')).toBeInTheDocument();
    expect(screen.getByText('cache-redis-0')).toBeInTheDocument();
    expect(screen.getByText('kwok-node-0')).toBeInTheDocument();
    expect(screen.getAllByText('simulated').length).toBeGreaterThan(0);
    expect(
      screen.getByText('cache-redis.payments.svc.cluster.local'),
    ).toBeInTheDocument();
    expect(screen.getByText('6379')).toBeInTheDocument();
    expect(screen.getByText('Upgrade complete')).toBeInTheDocument();
    // the current revision cannot be rolled back to
    expect(
      screen.getByRole('button', { name: 'Roll back to revision 1' }),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Roll back to revision 2' }),
    ).not.toBeInTheDocument();
  });

  it('reveals the password on request, once, in a dialog', async () => {
    const api = fakeAppStoreApi();
    await render(api);
    expect(screen.queryByText('s3cret-P4ssword!')).not.toBeInTheDocument();
    fireEvent.click(
      await screen.findByRole('button', { name: 'Reveal password' }),
    );
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('s3cret-P4ssword!')).toBeInTheDocument();
    expect(api.reveal).toHaveBeenCalledWith(cache);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    await waitFor(() =>
      expect(screen.queryByText('s3cret-P4ssword!')).not.toBeInTheDocument(),
    );
  });

  it('shows a refused reveal', async () => {
    const api = fakeAppStoreApi({
      reveal: jest.fn(async () => {
        throw new ContainerCloudApiError(
          "you may not reveal the password of component:default/payments-api's instances",
          { status: 403 },
        );
      }),
    });
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Reveal password' }),
    );
    expect(
      await screen.findByText(
        "you may not reveal the password of component:default/payments-api's instances",
      ),
    ).toBeInTheDocument();
  });

  it('deletes only once the name is typed', async () => {
    const api = fakeAppStoreApi();
    await render(api);
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('dialog');
    const confirm = within(dialog).getByRole('button', { name: 'Delete' });
    expect(confirm).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Instance name'), {
      target: { value: 'cach' },
    });
    expect(confirm).toBeDisabled();
    fireEvent.change(within(dialog).getByLabelText('Instance name'), {
      target: { value: 'cache' },
    });
    fireEvent.click(confirm);
    await waitFor(() => expect(api.remove).toHaveBeenCalledWith(cache));
  });

  it('rolls back to a revision, and upgrades to a version from the chart’s versions', async () => {
    const api = fakeAppStoreApi();
    await render(api);
    fireEvent.click(
      await screen.findByRole('button', { name: 'Roll back to revision 1' }),
    );
    fireEvent.click(
      within(await screen.findByRole('dialog')).getByRole('button', {
        name: 'Rollback',
      }),
    );
    await waitFor(() => expect(api.rollback).toHaveBeenCalledWith(cache, 1));
    await waitFor(() =>
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument(),
    );

    fireEvent.click(screen.getByRole('button', { name: 'Upgrade' }));
    const dialog = await screen.findByRole('dialog');
    await waitFor(() => expect(api.charts).toHaveBeenCalled());
    fireEvent.mouseDown(within(dialog).getByLabelText('Version'));
    fireEvent.click(
      within(await screen.findByRole('listbox')).getByText('7.2.0'),
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Upgrade' }));
    await waitFor(() =>
      expect(api.upgrade).toHaveBeenCalledWith(cache, {
        version: '7.2.0',
        preset: undefined,
      }),
    );
  });

  it('shows a 409 in the dialog and reads the instance again', async () => {
    const api = fakeAppStoreApi({
      extend: jest.fn(async () => {
        throw new ContainerCloudApiError('the instance is being deleted', {
          status: 409,
          current: { phase: 'deleting' },
        });
      }),
    });
    await render(api);
    fireEvent.click(await screen.findByRole('button', { name: 'Extend' }));
    const dialog = await screen.findByRole('dialog');
    const reads = api.instance.mock.calls.length;
    fireEvent.change(within(dialog).getByLabelText('Days from now'), {
      target: { value: '14' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Extend' }));
    expect(
      await within(dialog).findByText(
        'the instance is being deleted (the page now shows the instance as it is)',
      ),
    ).toBeInTheDocument();
    expect(api.extend).toHaveBeenCalledWith(cache, 14);
    await waitFor(() =>
      expect(api.instance.mock.calls.length).toBeGreaterThan(reads),
    );
  });

  it("shows a failed install's resource, reason and events, with Retry and Remove", async () => {
    const api = fakeAppStoreApi({
      instance: jest.fn(async () => ({
        ...detail,
        phase: 'failed' as const,
        failure: {
          resource: 'StatefulSet/cache-redis',
          reason: 'pod cache-redis-0 did not become ready',
          events: ['FailedScheduling: 0/3 nodes are available'],
        },
      })),
    });
    await render(api);
    expect(await screen.findByText('Install failed')).toBeInTheDocument();
    expect(screen.getByText('StatefulSet/cache-redis')).toBeInTheDocument();
    expect(
      screen.getByText('pod cache-redis-0 did not become ready'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('FailedScheduling: 0/3 nodes are available'),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() =>
      expect(api.upgrade).toHaveBeenCalledWith(cache, { version: '7.2.1' }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(api.remove).toHaveBeenCalledWith(cache));
  });

  it('reads the instance again while it installs, and when the backend signals a change', async () => {
    const installing = {
      ...detail,
      phase: 'installing' as const,
      progress: [
        { step: 'helm' as const, state: 'done' as const, message: 'deployed' },
        {
          step: 'pods' as const,
          state: 'running' as const,
          message: '0/1 ready',
        },
        { step: 'ready' as const, state: 'waiting' as const, message: '' },
      ],
    };
    const api = fakeAppStoreApi({
      instance: jest
        .fn()
        .mockResolvedValueOnce(installing)
        .mockResolvedValue(detail),
    });
    const signals = fakeSignals();
    await render(api, signals);
    expect(await screen.findByText('running: 0/1 ready')).toBeInTheDocument();
    // polled while not settled: the next answer is ready
    expect(await screen.findByText('done: ready')).toBeInTheDocument();
    const reads = api.instance.mock.calls.length;
    signals.subscribers.get('app-store:instance:local-a/payments/cache')!({
      phase: 'ready',
    });
    await waitFor(() =>
      expect(api.instance.mock.calls.length).toBeGreaterThan(reads),
    );
  });

  it("shows the backend's error when the instance cannot be read", async () => {
    await render(
      fakeAppStoreApi({
        instance: jest.fn(async () => {
          throw new ContainerCloudApiError(
            'no instance cache in local-a/payments',
            { status: 404 },
          );
        }),
      }),
    );
    expect(
      await screen.findByText('Error: no instance cache in local-a/payments'),
    ).toBeInTheDocument();
  });
});
