import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type { AlertList } from '@internal/plugin-container-cloud-common';
import { AlertsApi, alertsApiRef } from '../../api/AlertsClient';
import { AlertsTable } from './AlertsTable';

jest.setTimeout(30_000);

const alert = (i: number) => ({
  id: `a${i}`,
  name: `Alert${i}`,
  state: 'firing' as const,
  severity: 'critical',
  entityRef: 'component:default/payments-api',
  owner: 'group:default/team-payments',
  cluster: 'local-a',
  labels: {},
  silencedBy: [],
});

function page(total: number, from: number, size: number): AlertList {
  return {
    total,
    sources: [{ source: 'alertmanager', status: 'ok' }],
    items: Array.from({ length: Math.min(size, total - from) }, (_, i) =>
      alert(from + i),
    ),
  };
}

describe('AlertsTable', () => {
  it('pages and filters every alert through the API', async () => {
    const allAlerts = jest.fn(async (q: any) =>
      page(30, q.offset ?? 0, q.limit ?? 25),
    );
    await renderInTestApp(
      <TestApiProvider
        apis={[[alertsApiRef, { allAlerts } as unknown as AlertsApi]]}
      >
        <AlertsTable />
      </TestApiProvider>,
    );
    expect(await screen.findByText('Alert0')).toBeInTheDocument();
    expect(screen.getByText('1–25 of 30')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('Alert25')).toBeInTheDocument();
    expect(screen.getByText('26–30 of 30')).toBeInTheDocument();

    fireEvent.mouseDown(screen.getByLabelText('Severity'));
    fireEvent.click(
      within(await screen.findByRole('listbox')).getByText('warning'),
    );
    await waitFor(() =>
      expect(allAlerts).toHaveBeenLastCalledWith({
        severity: 'warning',
        offset: 0,
        limit: 25,
      }),
    );
    fireEvent.blur(screen.getByLabelText('Team'), {
      target: { value: 'team-orders' },
    });
    await waitFor(() =>
      expect(allAlerts).toHaveBeenLastCalledWith({
        severity: 'warning',
        team: 'team-orders',
        offset: 0,
        limit: 25,
      }),
    );
  });

  it('says which source is unknown instead of showing no alerts', async () => {
    const allAlerts = jest.fn(async () => ({
      total: 0,
      items: [],
      sources: [
        {
          source: 'prometheus:local',
          status: 'unreachable' as const,
          clusters: ['local-a', 'local-b'],
          message: "Prometheus 'local' did not answer",
        },
      ],
    }));
    await renderInTestApp(
      <TestApiProvider
        apis={[[alertsApiRef, { allAlerts } as unknown as AlertsApi]]}
      >
        <AlertsTable />
      </TestApiProvider>,
    );
    expect(
      await screen.findByText(
        /Alerts unknown: prometheus:local did not answer/,
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText('No alerts match.')).toBeNull();
  });
});
