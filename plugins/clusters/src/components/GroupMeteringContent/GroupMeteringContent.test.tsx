import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import type { MeteringSeries } from '@internal/plugin-container-cloud-common';
import { MeteringApi, meteringApiRef } from '../../api/MeteringClient';
import { GroupMeteringContent } from './GroupMeteringContent';

jest.setTimeout(30_000);

const group = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name: 'team-payments', namespace: 'default' },
  spec: { type: 'team', children: [] },
};

const usage = {
  cpuRequested: 1,
  cpuUsed: 0.5,
  memoryRequested: 2 ** 30,
  memoryUsed: 2 ** 29,
  replicas: 1,
};

function render(team: MeteringApi['team']) {
  return renderInTestApp(
    <TestApiProvider
      apis={[[meteringApiRef, { team } as unknown as MeteringApi]]}
    >
      <EntityProvider entity={group}>
        <GroupMeteringContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('GroupMeteringContent', () => {
  it("shows the team's services with their numbers", async () => {
    const series: MeteringSeries = {
      from: '2026-12-01T00:00:00.000Z',
      to: '2026-12-02T00:00:00.000Z',
      resolution: 'sample',
      points: [{ time: 1764633600, ...usage }],
      services: [
        {
          entityRef: 'component:default/payments-api',
          kubernetesId: 'payments-api',
          team: 'group:default/team-payments',
          ...usage,
          cpuWaste: 0.5,
          memoryWaste: 2 ** 29,
        },
      ],
    };
    const team = jest.fn(async () => series);
    await render(team);
    expect(
      await screen.findByText('component:default/payments-api'),
    ).toBeInTheDocument();
    expect(screen.getByText('1.00 cores / 500m (50%)')).toBeInTheDocument();
    expect(team).toHaveBeenCalledWith(
      { kind: 'Group', namespace: 'default', name: 'team-payments' },
      expect.objectContaining({ from: expect.any(String) }),
    );
  });

  it('shows a refusal in words', async () => {
    await render(async () => {
      throw new Error(
        'you may not read the metering of group:default/team-payments: only its members and ops admins may',
      );
    });
    expect(
      (await screen.findAllByText(/only its members and ops admins may/))
        .length,
    ).toBeGreaterThan(0);
  });
});
