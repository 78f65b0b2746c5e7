import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireLock, withLock } from './lock';

describe('acquireLock', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-cloud-lock-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('waits while another living process holds the lock, says so once, and takes it when that process is gone', async () => {
    const lockDir = path.join(dir, '.example-services.lock');
    const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
    fs.mkdirSync(lockDir);
    fs.writeFileSync(path.join(lockDir, 'pid'), String(holder.pid));
    const waitedFor: number[] = [];
    let taken = false;
    const acquiring = acquireLock(lockDir, pid => waitedFor.push(pid)).then(
      release => {
        taken = true;
        return release;
      },
    );
    // several looks at the held lock (one every 250 ms) go by without taking it
    await new Promise(resolve => setTimeout(resolve, 800));
    expect(taken).toBe(false);
    expect(waitedFor).toEqual([holder.pid]);
    const exited = new Promise(resolve => holder.once('exit', resolve));
    holder.kill('SIGKILL');
    await exited;
    const release = await acquiring;
    expect(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8')).toBe(
      String(process.pid),
    );
    release();
    expect(fs.existsSync(lockDir)).toBe(false);
  });

  it('releases the lock when the work fails', async () => {
    const lockDir = path.join(dir, '.lock');
    await expect(
      withLock(
        lockDir,
        () => undefined,
        async () => {
          expect(fs.existsSync(lockDir)).toBe(true);
          throw new Error('the work failed');
        },
      ),
    ).rejects.toThrow('the work failed');
    expect(fs.existsSync(lockDir)).toBe(false);
  });
});
