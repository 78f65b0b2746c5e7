import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { withCacheLock } from './cacheLock';

describe('withCacheLock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'codeflow-cache-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the work of one kept copy one after the other in a process, even after a failure', async () => {
    const gitDir = join(dir, 'cf-1');
    const events: string[] = [];
    let releaseFirst!: () => void;
    const first = withCacheLock(gitDir, async () => {
      events.push('first in');
      expect(existsSync(`${gitDir}.lock`)).toBe(true);
      await new Promise<void>(resolve => {
        releaseFirst = resolve;
      });
      events.push('first out');
      throw new Error('the fetch failed');
    });
    const second = withCacheLock(gitDir, async () => {
      events.push('second in');
      return 2;
    });
    // once the first holds its copy, another codeflow's copy is not held up by it (the two
    // acquisitions race on the file system, so the other starts only after the first is in)
    while (!releaseFirst) await new Promise(r => setImmediate(r));
    expect(
      await withCacheLock(join(dir, 'cf-2'), async () => {
        events.push('other');
        return 3;
      }),
    ).toBe(3);
    expect(events).toEqual(['first in', 'other']);
    releaseFirst();
    await expect(first).rejects.toThrow('the fetch failed');
    expect(await second).toBe(2);
    expect(events).toEqual(['first in', 'other', 'first out', 'second in']);
    expect(existsSync(`${gitDir}.lock`)).toBe(false);
  });

  it('waits for another process of this host holding the lock, and takes it over once that process is gone', async () => {
    const gitDir = join(dir, 'cf-1');
    const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
    mkdirSync(`${gitDir}.lock`, { recursive: true });
    writeFileSync(
      `${gitDir}.lock/owner.json`,
      JSON.stringify({ host: hostname(), pid: holder.pid }),
    );
    let ran = false;
    const waiting = withCacheLock(
      gitDir,
      async () => {
        ran = true;
      },
      { pollMs: 10 },
    );
    // several looks at the held lock go by without the work running
    for (let i = 0; i < 20; i++) await new Promise(r => setTimeout(r, 10));
    expect(ran).toBe(false);
    const exited = new Promise(r => holder.once('exit', r));
    holder.kill('SIGKILL');
    await exited;
    await waiting;
    expect(ran).toBe(true);
    expect(existsSync(`${gitDir}.lock`)).toBe(false);
  });

  it('stops waiting when the run is cancelled', async () => {
    const gitDir = join(dir, 'cf-1');
    mkdirSync(`${gitDir}.lock`, { recursive: true });
    writeFileSync(
      `${gitDir}.lock/owner.json`,
      JSON.stringify({ host: hostname(), pid: process.pid }),
    );
    const controller = new AbortController();
    const waiting = withCacheLock(gitDir, async () => 'ran', {
      signal: controller.signal,
      pollMs: 10,
    });
    controller.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
  });
});
