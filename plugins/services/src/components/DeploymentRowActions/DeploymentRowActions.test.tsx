import { fireEvent, screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import type { DeploymentView } from '@internal/plugin-container-cloud-common';
import { DeploymentRowActions } from './DeploymentRowActions';

const deployment: DeploymentView = {
  namespace: 'payments',
  name: 'payments-api',
  resourceVersion: '41',
  replicas: { desired: 2, ready: 2, updated: 2, available: 2 },
  images: [{ container: 'app', image: 'registry.example.com/api:1.0.0' }],
  revision: 2,
  problems: [],
  config: { containers: [], terminationGracePeriodSeconds: 30 },
};

describe('DeploymentRowActions', () => {
  it('shows scale, restart and upgrade as buttons and the other actions in a menu', async () => {
    const onAction = jest.fn();
    await renderInTestApp(
      <DeploymentRowActions deployment={deployment} onAction={onAction} />,
    );
    for (const name of ['scale', 'restart', 'upgrade']) {
      fireEvent.click(screen.getByRole('button', { name }));
    }
    expect(onAction.mock.calls).toEqual([['scale'], ['restart'], ['upgrade']]);

    fireEvent.click(
      screen.getByRole('button', { name: 'More actions for payments-api' }),
    );
    const menu = screen.getByRole('menu');
    expect(
      within(menu)
        .getAllByRole('menuitem')
        .map(item => item.getAttribute('aria-label') ?? item.textContent),
    ).toEqual([
      'roll back',
      'edit config',
      'sync from…',
      'events of payments-api',
    ]);
    fireEvent.click(
      within(menu).getByRole('menuitem', { name: 'events of payments-api' }),
    );
    expect(onAction).toHaveBeenLastCalledWith('events');
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
  });
});
