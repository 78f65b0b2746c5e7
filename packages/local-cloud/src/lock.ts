import fs from 'node:fs';
import path from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: any) {
    return error.code === 'EPERM';
  }
}

/**
 * Takes a lock folder and returns its release: waits (polling) while another living process holds
 * it, calling onWait once with the holder's pid; a lock whose holder has died is taken over. A
 * lock this process already holds is taken again at once (one process's calls do not overlap).
 */
export async function acquireLock(
  lockDir: string,
  onWait: (holderPid: number) => void,
): Promise<() => void> {
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  const pidFile = path.join(lockDir, 'pid');
  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(pidFile, String(process.pid));
      break;
    } catch (error: any) {
      if (error.code !== 'EEXIST') throw error;
      let holder = NaN;
      try {
        holder = Number(fs.readFileSync(pidFile, 'utf8'));
      } catch {
        // the holder is between mkdir and writing its pid
      }
      if (holder === process.pid) break;
      if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (!announced && Number.isInteger(holder)) {
        onWait(holder);
        announced = true;
      }
      await new Promise(resolve => setTimeout(resolve, 250));
    }
  }
  return () => fs.rmSync(lockDir, { recursive: true, force: true });
}

/**
 * Runs fn while holding a lock folder (acquireLock), so that two commands (or two jest workers)
 * never start or stop the same instance at once.
 */
export async function withLock<T>(
  lockDir: string,
  onWait: (holderPid: number) => void,
  fn: () => Promise<T>,
): Promise<T> {
  const release = await acquireLock(lockDir, onWait);
  try {
    return await fn();
  } finally {
    release();
  }
}
