import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { LocalCloudError } from './errors';

/** A process started by local-cloud, as recorded in its state file. */
export interface RecordedProcess {
  pid: number;
  /** Absolute path of the executable, checked before a pid is signalled. */
  binary: string;
  log: string;
  startedAt: string;
  /**
   * Stop the whole process group it leads (it was started detached, so its group is its own):
   * for programs whose workers outlive their parent's SIGTERM, such as fcgiwrap's preforked ones.
   */
  group?: boolean;
}

export interface StartedProcess extends RecordedProcess {
  /** Resolves with the exit code (or signal) if the process ends while we watch it. */
  exited: Promise<string>;
  hasExited(): boolean;
}

/** Starts a long-running program detached from us, its output appended to its log file. */
export function startProcess(
  binary: string,
  args: string[],
  log: string,
  options: { cwd?: string; env?: NodeJS.ProcessEnv; group?: boolean } = {},
): StartedProcess {
  const fd = fs.openSync(log, 'a');
  fs.writeSync(
    fd,
    `\n--- ${new Date().toISOString()} local-cloud starts: ${binary} ${args.join(
      ' ',
    )}\n`,
  );
  const child = spawn(binary, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  let exitText: string | undefined;
  const exited = new Promise<string>(resolve => {
    child.once('exit', (code, signal) => {
      exitText = signal ? `signal ${signal}` : `code ${code}`;
      resolve(exitText);
    });
    child.once('error', error => {
      exitText = error.message;
      resolve(exitText);
    });
  });
  child.unref();
  if (child.pid === undefined) {
    throw new LocalCloudError(`could not start ${binary}; log: ${log}`);
  }
  return {
    pid: child.pid,
    binary,
    log,
    startedAt: new Date().toISOString(),
    ...(options.group ? { group: true } : {}),
    exited,
    hasExited: () => exitText !== undefined,
  };
}

function readExe(pid: number): string | undefined {
  try {
    return fs.readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch {
    return undefined;
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** True when the process leads its own process group (local-cloud starts each one detached). */
export function leadsOwnGroup(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // after "(comm)": state, ppid, pgrp
    const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
    return pgrp === pid;
  } catch {
    return false;
  }
}

/** True when the recorded pid still runs the recorded program (pids get reused). */
export function isRunning(recorded: RecordedProcess | undefined): boolean {
  if (!recorded) return false;
  const exe = readExe(recorded.pid);
  if (exe === undefined || isZombie(recorded.pid)) return false;
  return exe === fs.realpathSync(recorded.binary);
}

function sleep(ms: number) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

/** Stops a recorded process: SIGTERM, then SIGKILL after a grace period. Never signals a reused pid. */
export async function stopProcess(
  recorded: RecordedProcess,
  graceMs = 10_000,
): Promise<void> {
  if (!isRunning(recorded)) return;
  // a group's leader was checked above: its pid is the group id local-cloud made
  const target = recorded.group ? -recorded.pid : recorded.pid;
  try {
    process.kill(target, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isRunning(recorded)) return;
    await sleep(100);
  }
  try {
    process.kill(target, 'SIGKILL');
  } catch {
    return;
  }
  while (isRunning(recorded)) await sleep(50);
}

/** Resolves true when nothing listens on 127.0.0.1:port. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise(resolve => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/** Names the program listening on a port, when the machine can tell (ss from iproute2). */
export function describePortOwner(port: number): string | undefined {
  try {
    const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const match = out.match(/users:\(\("([^"]+)",pid=(\d+)/);
    return match ? `${match[1]} pid ${match[2]}` : undefined;
  } catch {
    return undefined;
  }
}

/** The last non-empty line of a log, to make a one-line error say why. */
export function lastLogLine(log: string): string | undefined {
  try {
    const size = fs.statSync(log).size;
    const fd = fs.openSync(log, 'r');
    const length = Math.min(size, 4096);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    fs.closeSync(fd);
    const lines = buffer
      .toString('utf8')
      .split('\n')
      .map(l => l.trim())
      .filter(l => l && !l.startsWith('--- '));
    const last = lines[lines.length - 1];
    return last && last.length > 240 ? `${last.slice(0, 240)}…` : last;
  } catch {
    return undefined;
  }
}
