import { fireEvent, render, screen } from '@testing-library/react';
import { PodConfirmDialog } from './PodConfirmDialog';

describe('PodConfirmDialog', () => {
  it('asks before destroying a container, and says what follows', () => {
    const onConfirm = jest.fn();
    const onCancel = jest.fn();
    render(
      <PodConfirmDialog
        pod="payments-api-7d9-abcde"
        action="destroy"
        busy={false}
        onCancel={onCancel}
        onConfirm={onConfirm}
      />,
    );
    expect(
      screen.getByText('Destroy payments-api-7d9-abcde?'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/its Deployment starts a new one/),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Destroy' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(onCancel).toHaveBeenCalledTimes(1);
  });

  it('cannot be confirmed twice while the first is under way', () => {
    render(
      <PodConfirmDialog
        pod="payments-api-7d9-abcde"
        action="remove-from-lb"
        busy
        onCancel={jest.fn()}
        onConfirm={jest.fn()}
      />,
    );
    expect(
      screen.getByText('Remove from load balancing payments-api-7d9-abcde?'),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Remove' })).toBeDisabled();
  });
});
