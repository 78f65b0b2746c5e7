import { spawn } from 'node:child_process';

/** What a finished command gave: its exit code (or the signal) and the last lines it wrote. */
export interface CommandOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout + stderr, the last `tailBytes` of it (for error messages and checks) */
  tail: string;
  /** stdout alone, in full when `captureStdout` was asked */
  stdout: string;
}

export interface RunOptions {
  cwd?: string;
  /** the whole environment of the command (nothing of the backend's is passed on otherwise) */
  env: Record<string, string>;
  /** aborted: the command's process group gets SIGTERM, then SIGKILL after `killGraceMs` */
  signal?: AbortSignal;
  /** each chunk of stdout/stderr as it comes */
  onOutput?: (text: string) => void;
  /** keep stdout whole (small outputs: a sha, a count) */
  captureStdout?: boolean;
  stdin?: string;
  tailBytes?: number;
  killGraceMs?: number;
}

/** The error an aborted command ends with. */
export class CommandAbortedError extends Error {
  readonly name = 'CommandAbortedError';
  constructor(readonly command: string) {
    super(`${command} was stopped (the run was cancelled or timed out)`);
  }
}

/**
 * Runs one program with an argv array (never a shell line) in its own process group, so a cancel
 * stops it and everything it started. Resolves with the outcome whatever the exit code; rejects
 * only when it cannot start or was aborted.
 */
export function runCommand(
  argv: readonly string[],
  options: RunOptions,
): Promise<CommandOutcome> {
  const [program, ...args] = argv;
  const tailBytes = options.tailBytes ?? 16_384;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new CommandAbortedError(program));
      return;
    }
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true, // its own process group: killed as a whole
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let tail = '';
    let stdout = '';
    let aborted = false;
    let killTimer: NodeJS.Timeout | undefined;
    const onText = (chunk: Buffer, isStdout: boolean) => {
      const text = chunk.toString('utf8');
      if (isStdout && options.captureStdout) stdout += text;
      tail = (tail + text).slice(-tailBytes);
      options.onOutput?.(text);
    };
    child.stdout!.on('data', (c: Buffer) => onText(c, true));
    child.stderr!.on('data', (c: Buffer) => onText(c, false));
    const killGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    const onAbort = () => {
      aborted = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(
        () => killGroup('SIGKILL'),
        options.killGraceMs ?? 5_000,
      );
      killTimer.unref?.();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', error => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(
        (error as NodeJS.ErrnoException).code === 'ENOENT'
          ? new Error(`${program} is not installed on the backend's host`)
          : error,
      );
    });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (aborted) {
        // what the group may have left behind gets the hard stop too
        killGroup('SIGKILL');
        if (killTimer) clearTimeout(killTimer);
        reject(new CommandAbortedError(program));
        return;
      }
      resolve({ code, signal, tail, stdout });
    });
    child.stdin!.on('error', () => {});
    child.stdin!.end(options.stdin ?? '');
  });
}

/** The last `count` non-empty lines of a text. */
export function lastLines(text: string, count: number): string[] {
  return text
    .split(/\r?\n|\r/)
    .map(l => l.trimEnd())
    .filter(l => l.length > 0)
    .slice(-count);
}
