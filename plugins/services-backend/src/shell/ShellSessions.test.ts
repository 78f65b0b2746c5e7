import type { ExecExit } from '@internal/plugin-container-cloud-node';
import { ShellEvent, ShellSessions, ShellSummary } from './ShellSessions';

const TARGET = {
  entityRef: 'component:default/payments-api',
  cluster: 'local-a',
  namespace: 'payments',
  pod: 'payments-api-1',
  container: 'app',
};

/** A fake exec: what the page typed, and a way to make the container print or exit. */
function fakeExec() {
  const typed: string[] = [];
  const sizes: Array<[number, number]> = [];
  let handlers!: { onOutput(c: Buffer): void; onExit(e: ExecExit): void };
  let closed = false;
  return {
    typed,
    sizes,
    get closed() {
      return closed;
    },
    print: (text: string) => handlers.onOutput(Buffer.from(text)),
    exit: (exit: ExecExit) => handlers.onExit(exit),
    connect: async (h: typeof handlers) => {
      handlers = h;
      return {
        write: (d: string | Buffer) => typed.push(String(d)),
        resize: (c: number, r: number) => sizes.push([c, r]),
        close: () => {
          closed = true;
        },
      };
    },
  };
}

const text = (events: ShellEvent[]) =>
  events
    .map(e =>
      e.type === 'output' ? Buffer.from(e.data, 'base64').toString() : '',
    )
    .join('');

describe('ShellSessions', () => {
  const limits = {
    maxPerUser: 2,
    maxTotal: 3,
    idleTimeoutMs: 60_000,
    bufferBytes: 10,
  };
  let sessions: ShellSessions;
  const ended: ShellSummary[] = [];
  beforeEach(() => {
    jest.useFakeTimers();
    sessions = new ShellSessions(limits);
    ended.length = 0;
  });
  afterEach(() => {
    sessions.closeAll('test over');
    jest.useRealTimers();
  });

  const open = (user: string, exec = fakeExec()) =>
    sessions.open(user, TARGET, exec.connect, s => ended.push(s));

  it('passes keystrokes and sizes on, and replays output from an offset', async () => {
    const exec = fakeExec();
    const id = await open('user:default/alice', exec);
    sessions.write(id, 'user:default/alice', 'ls\n');
    sessions.resize(id, 'user:default/alice', 100, 40);
    expect(exec.typed).toEqual(['ls\n']);
    expect(exec.sizes).toEqual([[100, 40]]);

    exec.print('abc');
    exec.print('defg');
    const fromFour: ShellEvent[] = [];
    sessions.follow(id, 'user:default/alice', 4, e => fromFour.push(e));
    expect(text(fromFour)).toBe('efg');
    expect(fromFour[0]).toMatchObject({ offset: 4 });
    exec.print('h');
    expect(text(fromFour)).toBe('efgh');
  });

  it('keeps a bounded buffer: old output goes first', async () => {
    const exec = fakeExec();
    const id = await open('user:default/alice', exec);
    exec.print('0123456');
    exec.print('789ab');
    exec.print('cd');
    const replay: ShellEvent[] = [];
    sessions.follow(id, 'user:default/alice', 0, e => replay.push(e));
    // 14 bytes written, 10 kept at most: the first chunk is gone
    expect(text(replay)).toBe('789abcd');
    expect(replay[0]).toMatchObject({ offset: 7 });
  });

  it('answers another user as if the shell did not exist', async () => {
    const id = await open('user:default/alice');
    expect(() => sessions.write(id, 'user:default/bob', 'x')).toThrow(
      `no shell ${id} of yours is open`,
    );
    expect(() => sessions.follow(id, 'user:default/bob', 0, () => {})).toThrow(
      'of yours',
    );
  });

  it('ends once, tells readers and the audit, and refuses input after', async () => {
    const exec = fakeExec();
    const id = await open('user:default/alice', exec);
    const seen: ShellEvent[] = [];
    sessions.follow(id, 'user:default/alice', 0, e => seen.push(e));
    sessions.write(id, 'user:default/alice', 'exit 2\n');
    exec.exit({ exitCode: 2 });
    exec.exit({ message: 'the connection closed' });
    expect(seen).toEqual([{ type: 'exit', exitCode: 2 }]);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({
      user: 'user:default/alice',
      bytesIn: 7,
      exit: { exitCode: 2 },
    });
    expect(exec.closed).toBe(true);
    expect(() => sessions.write(id, 'user:default/alice', 'x')).toThrow(
      'the shell has ended: exit code 2',
    );
  });

  it('limits shells per user and in all, counting only live ones', async () => {
    const a = await open('user:default/alice');
    await open('user:default/alice');
    await expect(open('user:default/alice')).rejects.toThrow('2 shells open');
    await open('user:default/bob');
    await expect(open('user:default/carol')).rejects.toThrow(
      '3 shells are open in this backend',
    );
    sessions.close(a, 'user:default/alice');
    await expect(open('user:default/alice')).resolves.toEqual(
      expect.any(String),
    );
  });

  it('does not keep a shell whose connection failed', async () => {
    await expect(
      sessions.open(
        'user:default/alice',
        TARGET,
        async () => {
          throw new Error('pod is gone');
        },
        () => {},
      ),
    ).rejects.toThrow('pod is gone');
    expect(sessions.list('user:default/alice')).toEqual([]);
  });

  it('closes a shell nobody reads or types into after the idle timeout', async () => {
    const exec = fakeExec();
    const read = fakeExec();
    const idle = await open('user:default/alice', exec);
    const watched = await open('user:default/bob', read);
    sessions.follow(watched, 'user:default/bob', 0, () => {});
    jest.advanceTimersByTime(limits.idleTimeoutMs + 60_000);
    expect(exec.closed).toBe(true);
    expect(read.closed).toBe(false);
    expect(ended.map(s => s.id)).toEqual([idle]);
    expect(ended[0].exit.message).toContain('without input or a reader');
  });

  it('refuses a reader beyond maxReadersPerSession with 409, and takes one again when a reader leaves', async () => {
    sessions.closeAll('replaced');
    sessions = new ShellSessions({ ...limits, maxReadersPerSession: 2 });
    const exec = fakeExec();
    const id = await open('user:default/alice', exec);
    const stops = [1, 2].map(() =>
      sessions.follow(id, 'user:default/alice', 0, () => {}),
    );
    expect(() =>
      sessions.follow(id, 'user:default/alice', 0, () => {}),
    ).toThrow(
      'this shell already has 2 pages reading it, the most one shell may (containerCloud.services.shell.maxReadersPerSession); close one first',
    );
    stops[0]();
    const late: ShellEvent[] = [];
    sessions.follow(id, 'user:default/alice', 0, e => late.push(e));
    exec.print('hi');
    expect(text(late)).toBe('hi');
  });

  it('has a reader cap by default', async () => {
    const id = await open('user:default/alice');
    for (let i = 0; i < 3; i++) {
      sessions.follow(id, 'user:default/alice', 0, () => {});
    }
    expect(() =>
      sessions.follow(id, 'user:default/alice', 0, () => {}),
    ).toThrow(/maxReadersPerSession/);
  });
});
