import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { ContainerCloudApiError } from '@internal/plugin-container-cloud-react';
import {
  aCodeflow,
  aRun,
  fakeCodeflowApi,
} from '../../__testUtils__/fakeCodeflowApi';
import { renderTab } from '../../__testUtils__/renderTab';

jest.setTimeout(60_000);

async function openCodeflow(fake: ReturnType<typeof fakeCodeflowApi>) {
  const rendered = await renderTab(fake);
  fireEvent.click(await screen.findByText('build-and-deploy'));
  await screen.findByText('Codeflow build-and-deploy');
  return rendered;
}

async function openRun(number: number) {
  fireEvent.click(await screen.findByRole('link', { name: `#${number}` }));
  return screen.findByText(`Run #${number}`);
}

describe('runs', () => {
  it('starts a run with the branch and environment chosen, and shows it waiting for the build', async () => {
    const fake = fakeCodeflowApi({ codeflows: [aCodeflow()] });
    await openCodeflow(fake);
    expect(await screen.findByText('No runs yet')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Run' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText('Branch')).toHaveValue('main');
    fireEvent.change(within(dialog).getByLabelText('Commit (optional)'), {
      target: { value: 'a1b2c3d' },
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Start run' }));
    await waitFor(() => expect(fake.api.startRun).toHaveBeenCalled());
    expect(fake.api.startRun.mock.calls[0][2]).toEqual({
      ref: { kind: 'branch', name: 'main' },
      commit: 'a1b2c3d',
      environment: 'test',
    });
    expect(await screen.findByText('Run #1')).toBeInTheDocument();
    expect(
      await screen.findByText(
        'Waiting for the build to start: the run is queued.',
      ),
    ).toBeInTheDocument();
    // the history was read again: the new run is listed
    expect(await screen.findByRole('link', { name: '#1' })).toBeInTheDocument();
  });

  it('shows the server’s refusal of a run in its words', async () => {
    const fake = fakeCodeflowApi({ codeflows: [aCodeflow()] });
    fake.api.startRun.mockRejectedValue(
      new ContainerCloudApiError(
        'you may not run the codeflows of payments-api: only its owners and ops admins may',
        { status: 403 },
      ),
    );
    await openCodeflow(fake);
    fireEvent.click(await screen.findByRole('button', { name: 'Run' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Start run' }));
    expect(
      await screen.findByText(
        'you may not run the codeflows of payments-api: only its owners and ops admins may',
      ),
    ).toBeInTheDocument();
  });

  it('shows the live log as it streams: lines cut anywhere, each with its step, then the end', async () => {
    const running = aRun(3, { status: 'running' });
    const fake = fakeCodeflowApi({ codeflows: [aCodeflow()], runs: [running] });
    await openCodeflow(fake);
    await openRun(3);
    expect(screen.getByRole('button', { name: 'Cancel run' })).toBeEnabled();
    await waitFor(() => expect(fake.streams).toHaveLength(1));
    const { handlers, runId } = fake.streams[0];
    expect(runId).toBe(running.id);
    expect(
      screen.getByText(
        'No log lines yet; they appear here as the build writes them.',
      ),
    ).toBeInTheDocument();
    act(() => {
      handlers.onLog({
        step: 'fetch',
        text: 'Cloning into cache\nHEAD is a1b2c3d\n',
        offset: 35,
      });
      handlers.onLog({ step: 'build', text: '> npm ', offset: 41 });
    });
    const log = await screen.findByRole('log', { name: 'run log' });
    await waitFor(() =>
      expect(
        within(log)
          .getAllByText(/.+/, { selector: 'div' })
          .map(d => d.textContent),
      ).toEqual(['[fetch] Cloning into cache', '[fetch] HEAD is a1b2c3d']),
    );
    act(() => {
      handlers.onLog({
        step: 'build',
        text: 'ci\nadded 120 packages\n',
        offset: 65,
      });
      handlers.onRun?.({
        ...running,
        steps: running.steps.map(s =>
          s.name === 'fetch'
            ? { ...s, status: 'succeeded', durationMs: 1200 }
            : s,
        ),
      });
    });
    await waitFor(() =>
      expect(
        within(log)
          .getAllByText(/.+/, { selector: 'div' })
          .map(d => d.textContent),
      ).toEqual([
        '[fetch] Cloning into cache',
        '[fetch] HEAD is a1b2c3d',
        '[build] > npm ci',
        '[build] added 120 packages',
      ]),
    );
    expect(
      within(screen.getByRole('list', { name: 'steps' })).getByText('1 s'),
    ).toBeInTheDocument();
    // the backend finishes the run: the history follows the stream, without any signal
    Object.assign(fake.runs[0], { status: 'succeeded' });
    // only the end says it: the view reads the run again
    act(() => {
      handlers.onEnd?.({ status: 'succeeded' });
    });
    // finished: nothing left to cancel
    await waitFor(() =>
      expect(
        screen.queryByRole('button', { name: 'Cancel run' }),
      ).not.toBeInTheDocument(),
    );
    expect(screen.getByRole('button', { name: 'Download log' })).toBeEnabled();
    const row = screen.getByRole('link', { name: '#3' }).closest('tr')!;
    expect(await within(row).findByText('Succeeded')).toBeInTheDocument();
  });

  it('cancels a running run', async () => {
    const fake = fakeCodeflowApi({
      codeflows: [aCodeflow()],
      runs: [aRun(2, { status: 'running' })],
    });
    await openCodeflow(fake);
    await openRun(2);
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel run' }));
    await waitFor(() => expect(fake.api.cancelRun).toHaveBeenCalled());
    expect(await screen.findByText('cancelled by guest')).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Cancel run' }),
    ).not.toBeInTheDocument();
  });

  it('on a 409 (the run finished meanwhile) shows the words and the run as it is now', async () => {
    const fake = fakeCodeflowApi({
      codeflows: [aCodeflow()],
      runs: [aRun(2, { status: 'running' })],
    });
    fake.api.cancelRun.mockRejectedValueOnce(
      new ContainerCloudApiError(
        'run #2 has finished (succeeded): there is nothing to cancel',
        { status: 409, current: aRun(2) },
      ),
    );
    await openCodeflow(fake);
    await openRun(2);
    fireEvent.click(await screen.findByRole('button', { name: 'Cancel run' }));
    expect(
      await screen.findByText(
        'run #2 has finished (succeeded): there is nothing to cancel',
      ),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Cancel run' }),
    ).not.toBeInTheDocument();
    expect(
      screen.getByText(
        /image 127\.0\.0\.1:5000\/codeflow\/payments-api:main-2/,
      ),
    ).toBeInTheDocument();
  });

  it('approves a roll-out that waits for an owner', async () => {
    const fake = fakeCodeflowApi({
      codeflows: [aCodeflow()],
      runs: [
        aRun(4, {
          status: 'awaiting-approval',
          trigger: 'gitlab-tag',
          requestedBy: 'webhook:gitlab',
          pushedBy: 'alice',
        }),
      ],
    });
    await openCodeflow(fake);
    await openRun(4);
    expect(
      screen.getByText(/waits for an owner's approval/),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Approve roll-out' }));
    await waitFor(() => expect(fake.api.approveRun).toHaveBeenCalled());
    expect(
      await screen.findByText(/approved by user:default\/guest/),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('button', { name: 'Approve roll-out' }),
    ).not.toBeInTheDocument();
  });

  it('says why a run failed, in words, with the failed step’s last lines', async () => {
    const failed = aRun(5, {
      status: 'failed',
      failureKind: 'test-failure',
      reason: 'npm test exited with 1',
      lastLines: ['FAIL src/server.test.js', '  ✕ answers /health'],
    });
    failed.steps[1] = { ...failed.steps[1], status: 'failed' };
    const fake = fakeCodeflowApi({ codeflows: [aCodeflow()], runs: [failed] });
    await openCodeflow(fake);
    await openRun(5);
    expect(screen.getByText('The tests failed.')).toBeInTheDocument();
    expect(screen.getByText(/step build/)).toBeInTheDocument();
    expect(
      screen.getByLabelText('last lines of the failed step'),
    ).toHaveTextContent('FAIL src/server.test.js ✕ answers /health');
  });

  it('pages through the history, newest first', async () => {
    const runs = Array.from({ length: 25 }, (_, i) => aRun(25 - i));
    const fake = fakeCodeflowApi({ codeflows: [aCodeflow()], runs });
    await openCodeflow(fake);
    expect(
      await screen.findByRole('link', { name: '#25' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: '#6' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: '#5' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Newer runs' })).toBeDisabled();
    fireEvent.click(screen.getByRole('button', { name: 'Older runs' }));
    expect(await screen.findByRole('link', { name: '#5' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: '#6' })).not.toBeInTheDocument();
    expect(fake.api.listRuns).toHaveBeenLastCalledWith(
      expect.anything(),
      expect.anything(),
      {
        limit: 20,
        before: 6,
      },
    );
    expect(screen.getByRole('button', { name: 'Older runs' })).toBeDisabled();
    fireEvent.click(screen.getByRole('button', { name: 'Newer runs' }));
    expect(
      await screen.findByRole('link', { name: '#25' }),
    ).toBeInTheDocument();
  });

  it('reads the history again when the backend signals a change of the runs', async () => {
    const fake = fakeCodeflowApi({ codeflows: [aCodeflow()], runs: [aRun(1)] });
    const { signals } = await openCodeflow(fake);
    expect(await screen.findByRole('link', { name: '#1' })).toBeInTheDocument();
    fake.runs.unshift(aRun(2, { status: 'running' }));
    const subscriber = signals.subscribers.get(
      'codeflow:runs:cf-0123456789abcdef01234567',
    );
    expect(subscriber).toBeDefined();
    act(() => subscriber!({ runId: fake.runs[0].id }));
    expect(await screen.findByRole('link', { name: '#2' })).toBeInTheDocument();
  });
});
