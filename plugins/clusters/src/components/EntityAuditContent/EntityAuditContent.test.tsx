import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { AuditApi, auditApiRef } from '../../api/AuditClient';
import { EntityAuditContent } from './EntityAuditContent';

jest.setTimeout(30_000);

const entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api', namespace: 'default' },
  spec: { owner: 'group:default/team-payments' },
};

function render(entityTrail: AuditApi['entityTrail']) {
  return renderInTestApp(
    <TestApiProvider
      apis={[[auditApiRef, { entityTrail } as unknown as AuditApi]]}
    >
      <EntityProvider entity={entity}>
        <EntityAuditContent />
      </EntityProvider>
    </TestApiProvider>,
  );
}

describe('EntityAuditContent', () => {
  it("lists the entity's own trail", async () => {
    const entityTrail = jest.fn(async () => ({
      items: [
        {
          id: '3',
          time: '2026-12-01T08:00:00.000Z',
          plugin: 'services',
          eventId: 'service-scale',
          severity: 'medium' as const,
          outcome: 'succeeded' as const,
          actor: 'user:default/alice',
          entityRef: 'component:default/payments-api',
          cluster: 'local-a',
          namespace: 'payments',
          requestId: 'r',
          method: 'POST',
          path: '/x',
          error: null,
          meta: {},
        },
      ],
    }));
    await render(entityTrail);
    expect(
      await screen.findByText('services: service-scale'),
    ).toBeInTheDocument();
    expect(screen.getByText('local-a / payments')).toBeInTheDocument();
    expect(entityTrail).toHaveBeenCalledWith(
      { kind: 'Component', namespace: 'default', name: 'payments-api' },
      { cursor: undefined, limit: 25 },
    );
  });

  it('says when nothing was done to it yet', async () => {
    await render(async () => ({ items: [] }));
    expect(await screen.findByText('No audit events')).toBeInTheDocument();
  });
});
