import { fireEvent, screen, waitFor } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import type {
  MeteringSeries,
  MeteringSummary,
} from '@internal/plugin-container-cloud-common';
import { MeteringApi, meteringApiRef } from '../../api/MeteringClient';
import { MeteringPage } from './MeteringPage';

jest.setTimeout(30_000);

const usage = {
  cpuRequested: 2,
  cpuUsed: 0.25,
  memoryRequested: 2 ** 31,
  memoryUsed: 2 ** 29,
  replicas: 2,
};

const summary: MeteringSummary = {
  from: '2026-12-01T00:00:00.000Z',
  to: '2026-12-02T00:00:00.000Z',
  teams: [{ team: 'group:default/team-payments', services: 1, ...usage }],
  wasters: [
    {
      entityRef: 'component:default/payments-api',
      kubernetesId: 'payments-api',
      team: 'group:default/team-payments',
      ...usage,
      cpuWaste: 1.75,
      memoryWaste: 2 ** 31 - 2 ** 29,
    },
  ],
  lastSample: '2026-12-01T23:55:00.000Z',
};

const series: MeteringSeries = {
  from: summary.from,
  to: summary.to,
  resolution: 'sample',
  points: [{ time: Date.parse(summary.to) / 1000 - 300, ...usage }],
  services: summary.wasters,
};

function render(api: Partial<MeteringApi>) {
  return renderInTestApp(
    <TestApiProvider
      apis={[
        [
          meteringApiRef,
          {
            summary: async () => summary,
            team: async () => series,
            exportCsv: async () => new Blob(['a,b\n']),
            ...api,
          } as MeteringApi,
        ],
      ]}
    >
      <MeteringPage />
    </TestApiProvider>,
  );
}

describe('MeteringPage', () => {
  beforeAll(() => {
    URL.createObjectURL = jest.fn(() => 'blob:csv');
    URL.revokeObjectURL = jest.fn();
  });

  it("shows every team, the top wasters, and a team's charts on a click", async () => {
    const team = jest.fn(async () => series);
    await render({ team });
    // the teams table, then the wasters' team column
    const teams = await screen.findAllByText('group:default/team-payments');
    expect(teams).toHaveLength(2);
    expect(
      screen.getByText('component:default/payments-api'),
    ).toBeInTheDocument();
    expect(screen.getAllByText('2.00 cores / 250m (13%)')).toHaveLength(2);
    expect(
      screen.getByText(
        `Last sample: ${new Date(summary.lastSample!).toLocaleString()}`,
      ),
    ).toBeInTheDocument();
    fireEvent.click(teams[0]);
    expect(
      await screen.findByText(/CPU of group:default\/team-payments/),
    ).toBeInTheDocument();
    expect(team).toHaveBeenCalledWith(
      { kind: 'group', namespace: 'default', name: 'team-payments' },
      expect.objectContaining({
        from: expect.any(String),
        to: expect.any(String),
      }),
    );
  });

  it('asks again for another range, and downloads the CSV of it', async () => {
    const summaryFn = jest.fn(async () => summary);
    const exportCsv = jest.fn(async () => new Blob(['a,b\n']));
    await render({ summary: summaryFn, exportCsv });
    await screen.findAllByText('group:default/team-payments');
    fireEvent.mouseDown(screen.getByLabelText('Range'));
    fireEvent.click(await screen.findByRole('option', { name: 'Last 7 days' }));
    await waitFor(() => expect(summaryFn).toHaveBeenCalledTimes(2));
    const calls = summaryFn.mock.calls as unknown as [
      { from: string; to: string },
    ][];
    const { from, to } = calls[1][0];
    expect(Date.parse(to) - Date.parse(from)).toBe(7 * 86_400_000);
    fireEvent.click(screen.getByRole('button', { name: 'Download CSV' }));
    await waitFor(() => expect(exportCsv).toHaveBeenCalled());
    expect(URL.createObjectURL).toHaveBeenCalled();
  });

  it('says when nothing was sampled yet', async () => {
    await render({
      summary: async () => ({
        ...summary,
        teams: [],
        wasters: [],
        lastSample: null,
      }),
    });
    expect(
      await screen.findByText('No sample has been taken yet.'),
    ).toBeInTheDocument();
  });

  it("shows the backend's refusal", async () => {
    await render({
      summary: async () => {
        throw new Error(
          "you may not read every team's metering: only ops admins may",
        );
      },
    });
    expect(
      (await screen.findAllByText(/only ops admins may/)).length,
    ).toBeGreaterThan(0);
  });
});
