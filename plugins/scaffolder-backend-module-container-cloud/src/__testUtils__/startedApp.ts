import type { ChildProcess } from 'node:child_process';

/**
 * A skeleton's app started as its image starts it: waits until `GET /healthz` on `port` answers
 * (a process that exits first fails in words, with what it printed) and hands back that first
 * answer, the exit (a code, -1 for a signal the process did not handle) and what it printed so far.
 */
export async function startedApp(
  child: ChildProcess,
  port: number,
  pollMs = 100,
): Promise<{
  health: Response;
  exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', c => (stdout += c));
  child.stderr?.on('data', c => (stderr += c));
  const exited = new Promise<number | null>(ok =>
    child.on('exit', (code, signal) => ok(signal ? -1 : code)),
  );
  let health: Response | undefined;
  while (!health) {
    const early = await Promise.race([
      exited.then(code => ({ code })),
      new Promise(r => setTimeout(r, pollMs)).then(() => undefined),
    ]);
    if (early) {
      throw new Error(`the app exited (${early.code}): ${stdout}${stderr}`);
    }
    health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(
      () => undefined,
    );
  }
  return { health, exited, stdout: () => stdout, stderr: () => stderr };
}
