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
 * Runs fn while holding a lock folder, so that two commands (or two jest workers) never start or
 * stop the same instance at once. A lock whose holder has died is taken over.
 */
export async function withLock<T>(
  lockDir: string,
  onWait: (holderPid: number) => void,
  fn: () => Promise<T>,
): Promise<T> {
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
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}
