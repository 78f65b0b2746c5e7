import { fireEvent, screen } from '@testing-library/react';
import {
  aCodeflow,
  aRun,
  fakeCodeflowApi,
} from '../../__testUtils__/fakeCodeflowApi';
import { renderTab } from '../../__testUtils__/renderTab';

jest.setTimeout(60_000);

// usePermission keeps its answers in a module-wide cache: each permission case has its own file
describe('CodeflowTab for someone who does not own the service', () => {
  it('shows the codeflows and runs but disables what the user may not do', async () => {
    const fake = fakeCodeflowApi({
      codeflows: [aCodeflow()],
      runs: [aRun(1, { status: 'running' })],
    });
    await renderTab(fake, {
      denied: [
        'container-cloud.codeflow.edit',
        'container-cloud.codeflow.run',
        'container-cloud.codeflow.cancel',
        'container-cloud.codeflow.logs.read',
        'container-cloud.codeflow.webhook.manage',
      ],
    });
    const create = await screen.findByRole('button', {
      name: 'Create codeflow',
    });
    fireEvent.click(await screen.findByText('build-and-deploy'));
    expect(await screen.findByRole('button', { name: 'Run' })).toBeDisabled();
    expect(create).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Edit' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Delete' })).toBeDisabled();
    fireEvent.click(await screen.findByRole('link', { name: '#1' }));
    expect(
      await screen.findByRole('button', { name: 'Cancel run' }),
    ).toBeDisabled();
    expect(
      screen.getByText("Only the service's owners may read its build logs."),
    ).toBeInTheDocument();
    // no live log is opened for someone who may not read it
    expect(fake.api.streamLog).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('tab', { name: 'Webhooks' }));
    expect(
      await screen.findByRole('button', { name: 'Set secret' }),
    ).toBeDisabled();
  });
});
