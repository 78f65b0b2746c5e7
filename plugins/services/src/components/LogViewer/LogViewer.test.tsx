import {
  act,
  fireEvent,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  LogFollowHandlers,
  ServicesApi,
  servicesApiRef,
} from '../../api/ServicesClient';
import { LogViewer } from './LogViewer';
import { paymentsApi as entityRef, runningPod } from '../../testUtils/fixtures';

jest.setTimeout(30_000);

const pod = runningPod({
  restarts: 1,
  containers: [
    { name: 'app', image: 'x', ready: true, restarts: 1, state: 'running' },
    { name: 'sidecar', image: 'y', ready: true, restarts: 0, state: 'running' },
  ],
});
const LOG =
  'level=info msg="starting"\nlevel=info msg="listening" addr=:8080\nlevel=info msg="ready"\n';

function render(api: Partial<ServicesApi>, onClose = jest.fn()) {
  return renderInTestApp(
    <TestApiProvider apis={[[servicesApiRef, api as ServicesApi]]}>
      <LogViewer
        entityRef={entityRef}
        cluster="local-a"
        pod={pod}
        onClose={onClose}
      />
    </TestApiProvider>,
  );
}

/** Picks an option of the Material UI select labelled `label`. */
async function choose(label: string, option: string) {
  fireEvent.mouseDown(screen.getByLabelText(label));
  fireEvent.click(
    within(await screen.findByRole('listbox')).getByRole('option', {
      name: option,
    }),
  );
  // the menu closes (after its transition) before the next pick
  await waitFor(() => expect(screen.queryByRole('listbox')).toBeNull());
}

describe('LogViewer', () => {
  it('shows the last 500 lines of the first container, then what the user picks', async () => {
    const getLogs = jest.fn(async () => LOG);
    await render({ getLogs });
    const log = await screen.findByRole('log', { name: 'log lines' });
    expect(log).toHaveTextContent('msg="listening" addr=:8080');
    expect(within(log).getAllByText(/level=info/)).toHaveLength(3);
    expect(getLogs).toHaveBeenLastCalledWith(entityRef, {
      cluster: 'local-a',
      namespace: 'payments',
      pod: 'payments-api-7d9-abcde',
      container: 'app',
      tailLines: 500,
      previous: false,
    });

    await choose('Last lines', '5000');
    await waitFor(() =>
      expect(getLogs).toHaveBeenLastCalledWith(
        entityRef,
        expect.objectContaining({ tailLines: 5000, container: 'app' }),
      ),
    );
    await choose('Container', 'sidecar');
    await waitFor(() =>
      expect(getLogs).toHaveBeenLastCalledWith(
        entityRef,
        expect.objectContaining({ container: 'sidecar' }),
      ),
    );
    // the sidecar never restarted: it has no previous instance to read
    expect(
      screen.getByRole('checkbox', { name: 'Previous container' }),
    ).toBeDisabled();
    await choose('Container', 'app');
    fireEvent.click(
      screen.getByRole('checkbox', { name: 'Previous container' }),
    );
    await waitFor(() =>
      expect(getLogs).toHaveBeenLastCalledWith(
        entityRef,
        expect.objectContaining({ container: 'app', previous: true }),
      ),
    );
  });

  it('highlights what the user searches for and counts the lines', async () => {
    await render({ getLogs: async () => LOG });
    await screen.findByRole('log', { name: 'log lines' });
    fireEvent.change(screen.getByLabelText('Search'), {
      target: { value: 'LISTEN' },
    });
    const marks = screen
      .getByRole('log', { name: 'log lines' })
      .querySelectorAll('mark');
    expect([...marks].map(m => m.textContent)).toEqual(['listen']);
    expect(screen.getByText('1 matching line(s)')).toBeInTheDocument();
  });

  it("shows the backend's message when there is nothing to read", async () => {
    await render({
      getLogs: async () => {
        throw new Error(
          'container app of payments/payments-api-7d9-abcde has not restarted, so it has no previous logs',
        );
      },
    });
    expect(
      await screen.findByText(/has not restarted, so it has no previous logs/),
    ).toBeInTheDocument();
  });

  it('says so when the container wrote nothing', async () => {
    await render({ getLogs: async () => '' });
    expect(
      await screen.findByText('The container has written no log lines.'),
    ).toBeInTheDocument();
  });

  it('follows: new lines appear as they come, and closing stops the stream', async () => {
    let handlers: LogFollowHandlers | undefined;
    const stop = jest.fn();
    const followLogs = jest.fn(
      (_e: unknown, _r: unknown, h: LogFollowHandlers) => {
        handlers = h;
        return stop;
      },
    );
    const { unmount } = await render({ getLogs: async () => LOG, followLogs });
    await screen.findByRole('log', { name: 'log lines' });
    fireEvent.click(screen.getByRole('checkbox', { name: 'Follow' }));
    await waitFor(() => expect(followLogs).toHaveBeenCalled());
    expect(followLogs.mock.calls[0][1]).toMatchObject({
      container: 'app',
      tailLines: 500,
      previous: false,
    });
    act(() => handlers!.onOpen?.({ container: 'app', cluster: 'local-a' }));
    expect(
      await screen.findByText(/No log lines yet; new ones appear here/),
    ).toBeInTheDocument();
    act(() => handlers!.onLine('level=info msg="request" path=/orders'));
    act(() => handlers!.onLine('level=warn msg="slow"'));
    const log = await screen.findByRole('log', { name: 'log lines' });
    expect(log).toHaveTextContent('path=/orders');
    expect(log).toHaveTextContent('msg="slow"');
    act(() => handlers!.onEnd?.());
    expect(await screen.findByText(/log stream ended/)).toBeInTheDocument();
    unmount();
    expect(stop).toHaveBeenCalled();
  });

  it('downloads the log as a file named by the backend', async () => {
    const downloadLogs = jest.fn(async () => ({
      fileName: 'payments-api-7d9-abcde_app.log',
      blob: new Blob([LOG]),
    }));
    const createObjectURL = jest.fn(() => 'blob:log');
    const revokeObjectURL = jest.fn();
    Object.assign(URL, { createObjectURL, revokeObjectURL });
    const clicked: HTMLAnchorElement[] = [];
    jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function record(this: HTMLAnchorElement) {
        clicked.push(this);
      });
    await render({ getLogs: async () => LOG, downloadLogs });
    await screen.findByRole('log', { name: 'log lines' });
    fireEvent.click(screen.getByRole('button', { name: 'Download' }));
    await waitFor(() => expect(clicked).toHaveLength(1));
    expect(downloadLogs).toHaveBeenCalledWith(
      entityRef,
      expect.objectContaining({ container: 'app', tailLines: 5000 }),
    );
    expect(clicked[0].download).toBe('payments-api-7d9-abcde_app.log');
    expect(clicked[0].href).toBe('blob:log');
    expect(revokeObjectURL).toHaveBeenCalledWith('blob:log');
  });
});
