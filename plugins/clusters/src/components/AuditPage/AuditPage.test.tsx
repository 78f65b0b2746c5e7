import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type {
  AuditEvent,
  AuditEventPage,
} from '@internal/plugin-container-cloud-common';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import { AuditApi, auditApiRef } from '../../api/AuditClient';
import { AuditPage } from './AuditPage';

jest.setTimeout(30_000);

function auditEvent(id: number, extra: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: String(id),
    time: new Date(Date.UTC(2026, 11, 1, 8, id)).toISOString(),
    plugin: 'services',
    eventId: 'service-scale',
    severity: 'medium',
    outcome: 'succeeded',
    actor: 'user:default/alice',
    entityRef: 'component:default/payments-api',
    cluster: 'local-a',
    namespace: 'payments',
    requestId: `req-${id}`,
    method: 'POST',
    path: '/api/services/services/default/payments-api/scale',
    error: null,
    meta: { request: { replicas: id } },
    ...extra,
  };
}

function render(api: Partial<AuditApi>) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [
          auditApiRef,
          {
            facets: async () => ({
              plugins: ['nginx', 'services'],
              eventIds: ['service-scale'],
            }),
            ...api,
          } as AuditApi,
        ],
      ]}
    >
      <AuditPage />
    </TestApiProvider>,
  );
}

describe('AuditPage', () => {
  it('lists the newest events, pages to older ones and back, and opens one in full', async () => {
    const search = jest.fn(
      async ({ cursor }): Promise<AuditEventPage> =>
        cursor === '9'
          ? {
              items: [
                auditEvent(8, {
                  actor: 'user:default/bob',
                  outcome: 'failed',
                  error: 'you may not scale',
                }),
              ],
            }
          : { items: [auditEvent(10), auditEvent(9)], nextCursor: '9' },
    );
    await render({ search });
    expect(await screen.findAllByText('user:default/alice')).toHaveLength(2);
    expect(search).toHaveBeenLastCalledWith({ limit: 25 });
    fireEvent.click(screen.getByRole('button', { name: 'Older' }));
    expect(await screen.findByText('user:default/bob')).toBeInTheDocument();
    expect(search).toHaveBeenLastCalledWith({ cursor: '9', limit: 25 });
    expect(screen.getByRole('button', { name: 'Older' })).toBeDisabled();
    fireEvent.click(screen.getByText('user:default/bob'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText('you may not scale')).toBeInTheDocument();
    expect(within(dialog).getByLabelText('recorded details')).toHaveTextContent(
      '"replicas": 8',
    );
    fireEvent.click(within(dialog).getByRole('button', { name: 'Close' }));
    fireEvent.click(screen.getByRole('button', { name: 'Newer' }));
    expect(await screen.findAllByText('user:default/alice')).toHaveLength(2);
  });

  it('searches with the filters a person set, from the newest page', async () => {
    const search = jest.fn(
      async (): Promise<AuditEventPage> => ({
        items: [auditEvent(1)],
      }),
    );
    await render({ search });
    await screen.findByText('user:default/alice');
    fireEvent.change(screen.getByLabelText('Actor'), {
      target: { value: 'user:default/alice' },
    });
    fireEvent.change(screen.getByLabelText('Entity'), {
      target: { value: 'component:default/payments-api' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    await waitFor(() =>
      expect(search).toHaveBeenLastCalledWith({
        actor: 'user:default/alice',
        entityRef: 'component:default/payments-api',
        limit: 25,
      }),
    );
  });

  it('says when nothing matches', async () => {
    await render({ search: async () => ({ items: [] }) });
    expect(await screen.findByText('No audit events')).toBeInTheDocument();
  });

  it("shows the backend's refusal in words", async () => {
    await render({
      search: async () => {
        throw new ContainerCloudApiError(
          'you may not search the audit log: only ops admins may',
          { status: 403 },
        );
      },
    });
    expect(
      (await screen.findAllByText(/only ops admins may/)).length,
    ).toBeGreaterThan(0);
  });
});
