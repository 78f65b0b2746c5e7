import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import {
  ShellApi,
  shellApiRef,
  ShellOutputHandlers,
} from '../../api/ShellClient';
import { DebugApi, debugApiRef } from '../../api/DebugClient';
import { ShellDialog } from './ShellDialog';
import { DebugDialog } from '../DebugDialog';
import { paymentsApi as entity } from '../../testUtils/fixtures';

// jsdom has no canvas or layout for xterm.js: a stand-in terminal records what it is given and
// lets the test type. The real xterm runs in Chromium in the end-to-end test.
const terminals: FakeTerminal[] = [];
class FakeTerminal {
  cols = 120;
  rows = 30;
  written = '';
  disposed = false;
  private typed?: (data: string) => void;
  constructor() {
    terminals.push(this);
  }
  loadAddon() {}
  open() {}
  focus() {}
  write(data: string | Uint8Array) {
    this.written +=
      typeof data === 'string' ? data : new TextDecoder().decode(data);
  }
  onData(listener: (data: string) => void) {
    this.typed = listener;
    return { dispose: () => (this.typed = undefined) };
  }
  type(data: string) {
    this.typed?.(data);
  }
  dispose() {
    this.disposed = true;
  }
}
jest.mock('@xterm/xterm', () => ({
  Terminal: jest.fn().mockImplementation(() => new FakeTerminal()),
}));
jest.mock('@xterm/addon-fit', () => ({
  FitAddon: jest.fn().mockImplementation(() => ({ fit: () => {} })),
}));
jest.mock('@xterm/xterm/css/xterm.css', () => ({}), { virtual: true });

beforeAll(() => {
  (globalThis as any).ResizeObserver ??= class {
    observe() {}
    disconnect() {}
  };
  (globalThis as any).TextDecoder ??= require('util').TextDecoder;
});

const pod = {
  cluster: 'local-a',
  namespace: 'payments',
  pod: 'payments-api-7d9-abcde',
  containers: ['app', 'sidecar'],
};
const bytes = (text: string) => new Uint8Array(Buffer.from(text));

/** A shell backend the test drives: sessions it opened and the output handlers of each. */
function fakeApi(overrides: Partial<ShellApi> = {}) {
  const follows: Array<{
    id: string;
    offset: number;
    handlers: ShellOutputHandlers;
  }> = [];
  let sessions = 0;
  const api = {
    open: jest.fn(async () => `shell-${++sessions}`),
    send: jest.fn(async () => {}),
    resize: jest.fn(async () => {}),
    close: jest.fn(async () => {}),
    debugImages: jest.fn(async () => [
      'nicolaka/netshoot:v0.13',
      'busybox:1.36',
    ]),
    addDebugContainer: jest.fn(async () => 'debug-a1b2c3'),
    downloadFile: jest.fn(async () => ({
      fileName: 'payments-api-7d9-abcde_app_app.log',
      blob: new Blob(['line 1\n']),
    })),
    follow: jest.fn(
      (
        _e: unknown,
        id: string,
        offset: number,
        handlers: ShellOutputHandlers,
      ) => new Promise<void>(() => follows.push({ id, offset, handlers })),
    ),
  };
  Object.assign(api, overrides);
  return { api, follows };
}

/** The shell and debug routes the dialogs reach through their apiRefs, driven by the test. */
function withApis(api: ShellApi & DebugApi, children: JSX.Element) {
  return (
    <TestApiProvider
      apis={[
        [shellApiRef, api],
        [debugApiRef, api],
      ]}
    >
      {children}
    </TestApiProvider>
  );
}

function render(api: ShellApi & DebugApi, onClose: () => void) {
  return renderInTestApp(
    withApis(api, <ShellDialog entity={entity} pod={pod} onClose={onClose} />),
  );
}

describe('ShellDialog', () => {
  beforeEach(() => {
    terminals.length = 0;
  });

  it('opens a shell in the first container, shows its output and sends what is typed', async () => {
    const { api, follows } = fakeApi();
    await render(api, jest.fn());
    await waitFor(() => expect(follows).toHaveLength(1));
    expect(api.open).toHaveBeenCalledWith(
      entity,
      {
        cluster: 'local-a',
        namespace: 'payments',
        pod: pod.pod,
        container: 'app',
      },
      'sh',
      { columns: 120, rows: 30 },
    );
    expect(
      await screen.findByText(
        'Connected to app in payments-api-7d9-abcde on local-a',
      ),
    ).toBeInTheDocument();

    act(() => follows[0].handlers.onOutput(bytes('$ '), 0));
    const terminal = terminals[terminals.length - 1];
    expect(terminal.written).toBe('$ ');

    // keystrokes close together go in one request
    act(() => {
      terminal.type('l');
      terminal.type('s');
      terminal.type('\r');
    });
    await waitFor(() =>
      expect(api.send).toHaveBeenCalledWith(entity, 'shell-1', 'ls\r'),
    );
    expect(api.send).toHaveBeenCalledTimes(1);
  });

  it('sends one input request at a time, so keystrokes reach the shell in the order typed', async () => {
    const answers: Array<() => void> = [];
    const { api, follows } = fakeApi({
      send: jest.fn(() => new Promise<void>(resolve => answers.push(resolve))),
    });
    await render(api, jest.fn());
    await waitFor(() => expect(follows).toHaveLength(1));
    const terminal = terminals[terminals.length - 1];
    act(() => terminal.type('e'));
    await waitFor(() => expect(api.send).toHaveBeenCalledTimes(1));
    // typed while the first request is on its way: held back, then sent together
    act(() => {
      terminal.type('c');
      terminal.type('h');
    });
    await new Promise(resolve => setTimeout(resolve, 100));
    expect(api.send).toHaveBeenCalledTimes(1);
    await act(async () => answers[0]());
    await waitFor(() => expect(api.send).toHaveBeenCalledTimes(2));
    expect((api.send as jest.Mock).mock.calls.map(c => c[2])).toEqual([
      'e',
      'ch',
    ]);
  });

  it('reconnects from the last byte after a dropped stream, skipping what it already has', async () => {
    const { api, follows } = fakeApi();
    await render(api, jest.fn());
    await waitFor(() => expect(follows).toHaveLength(1));
    act(() => follows[0].handlers.onOutput(bytes('hello'), 0));
    act(() => follows[0].handlers.onDisconnect(new Error('network')));
    expect(
      await screen.findByText('Connection lost, reconnecting…'),
    ).toBeInTheDocument();
    await waitFor(() => expect(follows).toHaveLength(2), { timeout: 3000 });
    expect(follows[1]).toMatchObject({ id: 'shell-1', offset: 5 });
    // the server replays from 3: "lo" is known, " world" is new
    act(() => follows[1].handlers.onOutput(bytes('lo world'), 3));
    expect(terminals[terminals.length - 1].written).toBe('hello world');
  });

  it('shows how the shell ended, and closes the session with the dialog', async () => {
    const onClose = jest.fn();
    const { api, follows } = fakeApi();
    const { unmount } = await render(api, onClose);
    await waitFor(() => expect(follows).toHaveLength(1));
    act(() => follows[0].handlers.onExit({ exitCode: 3 }));
    expect(
      await screen.findByText('the shell exited with code 3'),
    ).toBeInTheDocument();

    fireEvent.click(screen.getByRole('button', { name: 'New session' }));
    await waitFor(() => expect(follows).toHaveLength(2));
    expect(follows[1].id).toBe('shell-2');
    fireEvent.click(screen.getByRole('button', { name: 'Close' }));
    expect(onClose).toHaveBeenCalled();
    unmount();
    expect(api.close).toHaveBeenCalledWith(entity, 'shell-2');
    expect(terminals.every(t => t.disposed)).toBe(true);
  });

  it('says why a shell could not open', async () => {
    const { api } = fakeApi({
      open: jest.fn(async () => {
        throw new Error(
          'you may not container.exec component:default/payments-api: only its owners and ops admins may',
        );
      }),
    });
    await render(api, jest.fn());
    expect(
      await screen.findByText(/only its owners and ops admins may/),
    ).toBeInTheDocument();
    expect(api.follow).not.toHaveBeenCalled();
  });

  it('downloads a file from the container, and shows why one cannot be read', async () => {
    const { api } = fakeApi();
    const saved: string[] = [];
    (URL as any).createObjectURL = jest.fn(() => 'blob:file');
    (URL as any).revokeObjectURL = jest.fn();
    const click = jest
      .spyOn(HTMLAnchorElement.prototype, 'click')
      .mockImplementation(function saveLink(this: HTMLAnchorElement) {
        saved.push(this.download);
      });
    await render(api, jest.fn());
    const path = screen.getByLabelText('File in the container');
    const button = screen.getByRole('button', { name: 'Download file' });
    // a folder is not a file
    expect(button).toBeDisabled();
    fireEvent.change(path, { target: { value: '/var/log/app.log' } });
    fireEvent.click(button);
    await waitFor(() =>
      expect(saved).toEqual(['payments-api-7d9-abcde_app_app.log']),
    );
    expect(api.downloadFile).toHaveBeenCalledWith(
      entity,
      {
        cluster: 'local-a',
        namespace: 'payments',
        pod: pod.pod,
        container: 'app',
      },
      '/var/log/app.log',
    );

    api.downloadFile.mockRejectedValueOnce(
      new Error(
        'could not read /var/log/gone.log in payments-api-7d9-abcde (app): No such file',
      ),
    );
    fireEvent.change(path, { target: { value: '/var/log/gone.log' } });
    fireEvent.click(button);
    expect(await screen.findByText(/No such file/)).toBeInTheDocument();
    click.mockRestore();
  });

  it('starts a debug container from a chosen tools image, then opens a shell in it once it runs', async () => {
    const { api, follows } = fakeApi();
    api.open
      .mockRejectedValueOnce(
        new Error(
          'container debug-a1b2c3 of pod payments/payments-api-7d9-abcde is not running; only a running container can run a command',
        ),
      )
      .mockResolvedValueOnce('shell-9');
    await renderInTestApp(
      withApis(
        api,
        <DebugDialog entity={entity} pod={pod} onClose={jest.fn()} />,
      ),
    );
    fireEvent.mouseDown(await screen.findByLabelText('Tools image'));
    fireEvent.click(
      await screen.findByRole('option', { name: 'busybox:1.36' }),
    );
    fireEvent.click(
      screen.getByRole('button', { name: 'Start debug container' }),
    );
    await waitFor(() =>
      expect(api.addDebugContainer).toHaveBeenCalledWith(
        entity,
        {
          cluster: 'local-a',
          namespace: 'payments',
          pod: pod.pod,
          container: 'app',
        },
        'busybox:1.36',
      ),
    );
    // the first try finds it not running yet; the second opens the shell
    await waitFor(() => expect(follows).toHaveLength(1), { timeout: 5000 });
    expect(follows[0].id).toBe('shell-9');
    expect(api.open).toHaveBeenLastCalledWith(
      entity,
      expect.objectContaining({ container: 'debug-a1b2c3' }),
      'sh',
      expect.anything(),
    );
  });
});
