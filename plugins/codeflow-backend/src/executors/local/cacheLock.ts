import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

/**
 * One fetch at a time per kept copy: in this process (a promise chain per folder) and across the
 * processes of this host (backend replicas started on one machine share `cacheDir`) through a
 * lock folder `<gitDir>.lock` made with mkdir (atomic), holding the owner's host and pid. A lock
 * whose process is gone (same host), or older than `staleAfterMs` (another host), is taken over.
 */
const inProcess = new Map<string, Promise<unknown>>();

export interface CacheLockOptions {
  signal?: AbortSignal;
  /** how long to wait between looks at a held lock; default 200 ms */
  pollMs?: number;
  /** a lock of another host older than this is stale; default 30 minutes */
  staleAfterMs?: number;
}

export async function withCacheLock<T>(
  gitDir: string,
  work: () => Promise<T>,
  options: CacheLockOptions = {},
): Promise<T> {
  const previous = inProcess.get(gitDir) ?? Promise.resolve();
  const locked = async () => {
    const release = await acquireFileLock(`${gitDir}.lock`, options);
    try {
      return await work();
    } finally {
      await release();
    }
  };
  const mine = previous.then(locked, locked);
  const settled = mine.catch(() => undefined);
  inProcess.set(gitDir, settled);
  try {
    return await mine;
  } finally {
    if (inProcess.get(gitDir) === settled) inProcess.delete(gitDir);
  }
}

interface Owner {
  host: string;
  pid: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(lock: string, staleAfterMs: number): Promise<boolean> {
  let owner: Owner | null = null;
  try {
    owner = JSON.parse(await readFile(`${lock}/owner.json`, 'utf8'));
  } catch {
    owner = null;
  }
  if (owner && owner.host === hostname()) return !alive(owner.pid);
  // another host's lock, or one whose owner file is not written yet / unreadable: by its age
  try {
    return Date.now() - (await stat(lock)).mtimeMs > staleAfterMs;
  } catch {
    return true; // gone meanwhile
  }
}

async function acquireFileLock(
  lock: string,
  options: CacheLockOptions,
): Promise<() => Promise<void>> {
  await mkdir(dirname(lock), { recursive: true });
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      await mkdir(lock);
      await writeFile(
        `${lock}/owner.json`,
        JSON.stringify({ host: hostname(), pid: process.pid }),
      );
      return () => rm(lock, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(lock, options.staleAfterMs ?? 30 * 60_000)) {
      await rm(lock, { recursive: true, force: true });
      continue;
    }
    await new Promise<void>(resolve => {
      const timer = setTimeout(resolve, options.pollMs ?? 200);
      options.signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}
