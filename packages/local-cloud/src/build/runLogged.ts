import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { LocalCloudError } from '../errors';

/** One program run of a long build step, its output appended to a log. */
export interface LoggedRun {
  /** what the progress lines and errors call it, e.g. `mmdebstrap bookworm` */
  label: string;
  program: string;
  args: string[];
  log: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** heartbeat interval; default 20 s */
  heartbeatMs?: number;
}

/**
 * Runs a program to its end with its output in `log`, printing a heartbeat line while it runs
 * (so a two-minute step is not mistaken for a hang) and resolving its stdout's last line. A
 * non-zero exit rejects with a one-line error naming the step, the log's last line and the log.
 */
export function runLogged(
  run: LoggedRun,
  progress: (line: string) => void,
): Promise<string> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const fd = fs.openSync(run.log, 'a');
    fs.writeSync(
      fd,
      `\n--- ${new Date().toISOString()} ${run.label}: ${
        run.program
      } ${run.args.join(' ')}\n`,
    );
    const child = spawn(run.program, run.args, {
      cwd: run.cwd,
      env: run.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let lastLine = '';
    const record = (chunk: Buffer) => {
      fs.writeSync(fd, chunk);
      const lines = chunk.toString('utf8').split('\n').filter(Boolean);
      if (lines.length) lastLine = lines[lines.length - 1].trim();
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      record(chunk);
    });
    child.stderr.on('data', record);
    const heartbeat = setInterval(() => {
      const seconds = Math.round((Date.now() - started) / 1000);
      progress(
        `  ${run.label}: ${seconds} s${
          lastLine ? `, last: ${lastLine.slice(0, 100)}` : ''
        }`,
      );
    }, run.heartbeatMs ?? 20_000);
    const finish = (error?: Error) => {
      clearInterval(heartbeat);
      fs.closeSync(fd);
      if (error) reject(error);
      else resolve(stdout.trim().split('\n').pop() ?? '');
    };
    child.once('error', error =>
      finish(
        new LocalCloudError(
          `${run.label}: cannot run ${run.program}: ${error.message}; log: ${run.log}`,
          { component: run.program, log: run.log },
        ),
      ),
    );
    child.once('close', code => {
      if (code === 0) {
        finish();
        return;
      }
      finish(
        new LocalCloudError(
          `${run.label} failed (${run.program} exited with code ${code})${
            lastLine ? `: ${lastLine.slice(0, 240)}` : ''
          }; log: ${run.log}`,
          { component: run.program, log: run.log },
        ),
      );
    });
  });
}
