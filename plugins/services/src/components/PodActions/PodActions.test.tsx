import { fireEvent, screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/test-utils';
import type { PodView } from '@internal/plugin-container-cloud-common';
import { PodActions } from './PodActions';
import { runningPod } from '../../testUtils/fixtures';

const running = runningPod({ ip: '10.0.0.7', node: 'kwok-node-0' });

function openMenu(pod: PodView) {
  fireEvent.click(
    screen.getByRole('button', { name: `More actions for ${pod.name}` }),
  );
  return screen.getByRole('menu');
}

describe('PodActions', () => {
  it('shows logs and shell as buttons and the other actions in a menu', async () => {
    const onAction = jest.fn();
    await renderInTestApp(<PodActions pod={running} onAction={onAction} />);

    fireEvent.click(
      screen.getByRole('button', { name: 'logs of payments-api-7d9-abcde' }),
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'shell in payments-api-7d9-abcde' }),
    );
    expect(onAction.mock.calls).toEqual([['logs'], ['shell']]);
    // the menu's actions are not buttons of the row
    expect(
      screen.queryByRole('button', { name: 'debug payments-api-7d9-abcde' }),
    ).not.toBeInTheDocument();

    const menu = openMenu(running);
    expect(
      within(menu)
        .getAllByRole('menuitem')
        .map(item => item.getAttribute('aria-label') ?? item.textContent),
    ).toEqual([
      'events of payments-api-7d9-abcde',
      'metrics of payments-api-7d9-abcde',
      'debug payments-api-7d9-abcde',
      'remove from LB',
      'destroy',
    ]);
    fireEvent.click(
      within(menu).getByRole('menuitem', {
        name: 'debug payments-api-7d9-abcde',
      }),
    );
    expect(onAction).toHaveBeenLastCalledWith('debug');
    // choosing an action closes the menu
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();

    fireEvent.click(
      within(openMenu(running)).getByRole('menuitem', {
        name: 'remove from LB',
      }),
    );
    expect(onAction).toHaveBeenLastCalledWith('remove-from-lb');
  });

  it('disables what a terminating container cannot do', async () => {
    const onAction = jest.fn();
    const terminating = { ...running, terminating: true };
    await renderInTestApp(<PodActions pod={terminating} onAction={onAction} />);

    expect(
      screen.getByRole('button', { name: 'logs of payments-api-7d9-abcde' }),
    ).toBeEnabled();
    expect(
      screen.getByRole('button', { name: 'shell in payments-api-7d9-abcde' }),
    ).toBeDisabled();
    const menu = openMenu(terminating);
    const disabled = (name: string) =>
      within(menu)
        .getByRole('menuitem', { name })
        .getAttribute('aria-disabled');
    expect(disabled('events of payments-api-7d9-abcde')).toBe('false');
    expect(disabled('metrics of payments-api-7d9-abcde')).toBe('false');
    expect(disabled('debug payments-api-7d9-abcde')).toBe('true');
    expect(disabled('remove from LB')).toBe('true');
    expect(disabled('destroy')).toBe('true');
  });

  it('disables the shell without a running container, debug outside Running, and a second removal', async () => {
    const pod: PodView = {
      ...running,
      phase: 'Pending',
      removedFromLoadBalancing: true,
      containers: [{ ...running.containers[0], state: 'waiting' }],
    };
    await renderInTestApp(<PodActions pod={pod} onAction={jest.fn()} />);

    expect(
      screen.getByRole('button', { name: 'shell in payments-api-7d9-abcde' }),
    ).toBeDisabled();
    const menu = openMenu(pod);
    const disabled = (name: string) =>
      within(menu)
        .getByRole('menuitem', { name })
        .getAttribute('aria-disabled');
    expect(disabled('debug payments-api-7d9-abcde')).toBe('true');
    expect(disabled('remove from LB')).toBe('true');
    expect(disabled('destroy')).toBe('false');
  });
});
