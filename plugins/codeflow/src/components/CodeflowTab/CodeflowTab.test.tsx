import { act, fireEvent, screen, within } from '@testing-library/react';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import {
  aCodeflow,
  aRun,
  CODEFLOW_ID,
  fakeCodeflowApi,
} from '../../__testUtils__/fakeCodeflowApi';
import { renderTab } from '../../__testUtils__/renderTab';

// Material UI tables in jsdom are slow on a busy 2-core machine
jest.setTimeout(60_000);

describe('CodeflowTab', () => {
  it('offers to create the first codeflow when the service has none', async () => {
    const fake = fakeCodeflowApi();
    const { permissions } = await renderTab(fake);
    expect(await screen.findByText('No codeflow yet')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Create codeflow' }),
    ).toBeEnabled();
    // usePermission keeps its answers in a module-wide cache: the first render asks
    expect(permissions.asked).toContainEqual({
      permission: 'container-cloud.codeflow.edit',
      resourceRef: 'component:default/payments-api',
    });
  });

  it('shows the backend’s words when the list cannot be read', async () => {
    const fake = fakeCodeflowApi();
    fake.api.listCodeflows.mockRejectedValue(
      new ContainerCloudApiError('the catalog has no component payments-api', {
        status: 404,
      }),
    );
    await renderTab(fake);
    expect(
      (
        await screen.findAllByText(/the catalog has no component payments-api/)
      )[0],
    ).toBeInTheDocument();
  });

  it('lists the codeflows with their repository, ref, build image, targets and last run, and asks permissions about this service', async () => {
    const fake = fakeCodeflowApi({
      codeflows: [aCodeflow()],
      runs: [
        aRun(2, { status: 'failed', failureKind: 'test-failure' }),
        aRun(1),
      ],
    });
    await renderTab(fake);
    const row = (await screen.findByText('build-and-deploy')).closest('tr')!;
    expect(
      within(row).getByText('http://127.0.0.1:9418/payments-api.git'),
    ).toBeInTheDocument();
    expect(within(row).getByText('branch main')).toBeInTheDocument();
    expect(within(row).getByText('node-22')).toBeInTheDocument();
    expect(
      within(row).getByText(
        'payments-api (test: local-a/payments, local-b/payments)',
      ),
    ).toBeInTheDocument();
    expect(await within(row).findByText('Failed')).toBeInTheDocument();
    expect(fake.api.listRuns).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'payments-api' }),
      CODEFLOW_ID,
      { limit: 1 },
    );
  });

  it('opens a codeflow on its runs, and shows its generated Dockerfile with the pre-processing key', async () => {
    const fake = fakeCodeflowApi({ codeflows: [aCodeflow()], runs: [aRun(1)] });
    await renderTab(fake);
    fireEvent.click(await screen.findByText('build-and-deploy'));
    expect(
      await screen.findByText('Codeflow build-and-deploy'),
    ).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: '#1' })).toBeInTheDocument();
    fireEvent.click(screen.getByRole('tab', { name: 'Dockerfile' }));
    expect(
      await screen.findByLabelText('pre-processing key'),
    ).toHaveTextContent(
      '3f2a9c0d1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5',
    );
    expect(
      await screen.findByRole('textbox', { name: 'Dockerfile' }),
    ).toHaveTextContent('ENTRYPOINT ["node", "dist/server.js"]');
    expect(
      screen.getByText(
        /CODEFLOW_REVISION, CODEFLOW_CREATED, CODEFLOW_BUILD_ID/,
      ),
    ).toBeInTheDocument();
  });

  it('sets the webhook secret and shows it once, with the three URLs', async () => {
    const fake = fakeCodeflowApi({ codeflows: [aCodeflow()] });
    await renderTab(fake);
    fireEvent.click(await screen.findByText('build-and-deploy'));
    fireEvent.click(await screen.findByRole('tab', { name: 'Webhooks' }));
    expect(
      await screen.findByText(
        `http://localhost:7007/api/codeflow/webhooks/gitlab/${CODEFLOW_ID}`,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText(/No secret is set/)).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Set secret' }));
    expect(await screen.findByLabelText('webhook secret')).toHaveTextContent(
      's3cr3t-shown-once',
    );
  });

  it('deletes a codeflow after asking, from the version shown', async () => {
    const fake = fakeCodeflowApi({ codeflows: [aCodeflow({ version: 3 })] });
    await renderTab(fake);
    fireEvent.click(await screen.findByText('build-and-deploy'));
    fireEvent.click(await screen.findByRole('button', { name: 'Delete' }));
    expect(
      await screen.findByText('Delete codeflow build-and-deploy?'),
    ).toBeInTheDocument();
    expect(fake.api.deleteCodeflow).not.toHaveBeenCalled();
    fake.codeflows.splice(0);
    fireEvent.click(screen.getByRole('button', { name: 'Delete codeflow' }));
    expect(await screen.findByText('No codeflow yet')).toBeInTheDocument();
    expect(fake.api.deleteCodeflow).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'payments-api' }),
      CODEFLOW_ID,
      3,
    );
  });

  it('updates a codeflow’s last run when the backend signals a change of its runs', async () => {
    const fake = fakeCodeflowApi({ codeflows: [aCodeflow()] });
    const { signals } = await renderTab(fake);
    const row = (await screen.findByText('build-and-deploy')).closest('tr')!;
    expect(await within(row).findByText('never run')).toBeInTheDocument();
    fake.runs.unshift(aRun(1, { status: 'running' }));
    act(() =>
      signals.subscribers.get(`codeflow:runs:${CODEFLOW_ID}`)!({
        runId: fake.runs[0].id,
      }),
    );
    expect(await within(row).findByText('Running')).toBeInTheDocument();
  });
});
