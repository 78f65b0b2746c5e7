import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type {
  ReceiverList,
  ReceiverView,
} from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { AlertsApi, alertsApiRef } from '../../api/AlertsClient';
import { ReceiversCard } from './ReceiversCard';

jest.setTimeout(60_000);

const hook: ReceiverView = {
  name: 'oncall',
  kind: 'webhook',
  description: 'the on-call bridge',
  sendResolved: true,
  webhook: { url: 'https://hooks.example.com/a', hasBearerToken: true },
  version: 2,
  createdBy: 'user:default/carol',
  createdAt: '2026-12-06T10:00:00Z',
  updatedBy: 'user:default/carol',
  updatedAt: '2026-12-06T11:00:00Z',
};

const list: ReceiverList = {
  items: [hook],
  alertmanager: { version: 3, written: true, loaded: 'loaded' },
};

async function render(api: Partial<AlertsApi>) {
  await renderInTestApp(
    <TestApiProvider apis={[[alertsApiRef, api as AlertsApi]]}>
      <ReceiversCard />
    </TestApiProvider>,
  );
}

describe('ReceiversCard', () => {
  it('lists receivers with whether Alertmanager loaded them', async () => {
    await render({ receivers: jest.fn(async () => list) });
    expect(await screen.findByText('oncall')).toBeInTheDocument();
    expect(screen.getByText('https://hooks.example.com/a')).toBeInTheDocument();
    expect(
      screen.getByText('Loaded by Alertmanager (version 3)'),
    ).toBeInTheDocument();
  });

  it('says when there are none', async () => {
    await render({
      receivers: jest.fn(async () => ({ ...list, items: [] })),
    });
    expect(await screen.findByText(/No receivers yet/)).toBeInTheDocument();
  });

  it('shows amtool’s refusal under the field it names', async () => {
    const createReceiver = jest.fn(async () => {
      throw new ContainerCloudApiError(
        'invalid receiver: email.smarthost: amtool check-config refused the configuration: no global SMTP smarthost set',
        { status: 400 },
      );
    });
    await render({
      receivers: jest.fn(async () => list),
      createReceiver,
    });
    fireEvent.click(
      await screen.findByRole('button', { name: 'New receiver' }),
    );
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/Name/), {
      target: { value: 'mail' },
    });
    fireEvent.mouseDown(within(dialog).getByLabelText('Kind'));
    fireEvent.click(
      within(await screen.findByRole('listbox')).getByText('Email'),
    );
    fireEvent.change(within(dialog).getByLabelText(/To \(comma-separated\)/), {
      target: { value: 'a@example.com, b@example.com' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(createReceiver).toHaveBeenCalledWith({
        name: 'mail',
        kind: 'email',
        email: { to: ['a@example.com', 'b@example.com'] },
      }),
    );
    const smarthost = within(dialog).getByLabelText(/SMTP server/);
    expect(smarthost).toHaveAttribute('aria-invalid', 'true');
    expect(
      within(dialog).getByText(/no global SMTP smarthost set/),
    ).toBeInTheDocument();
  });

  it('edits a receiver from its version, keeping the saved token when left empty', async () => {
    const updateReceiver = jest.fn(async () => ({
      receiver: { ...hook, version: 3 },
      alertmanager: list.alertmanager,
    }));
    await render({ receivers: jest.fn(async () => list), updateReceiver });
    fireEvent.click(await screen.findByRole('button', { name: 'Edit oncall' }));
    const dialog = await screen.findByRole('dialog');
    fireEvent.change(within(dialog).getByLabelText(/URL/), {
      target: { value: 'https://hooks.example.com/b' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(updateReceiver).toHaveBeenCalledWith('oncall', {
        version: 2,
        kind: 'webhook',
        description: 'the on-call bridge',
        webhook: { url: 'https://hooks.example.com/b' },
      }),
    );
  });
});
