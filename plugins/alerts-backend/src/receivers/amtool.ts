import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type AmtoolResult = { ok: true } | { ok: false; message: string };

/**
 * Runs the real `amtool check-config` on a configuration text (in a scratch file): what
 * Alertmanager would refuse on reload is refused before the file is written.
 */
export async function amtoolCheck(
  amtool: string,
  text: string,
): Promise<AmtoolResult> {
  const dir = await mkdtemp(join(tmpdir(), 'amtool-'));
  const file = join(dir, 'alertmanager.yml');
  try {
    await writeFile(file, text, { mode: 0o600 });
    return await new Promise<AmtoolResult>((resolve, reject) => {
      execFile(
        amtool,
        ['check-config', file],
        { timeout: 30_000 },
        (error, stdout, stderr) => {
          if (!error) {
            resolve({ ok: true });
            return;
          }
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
            reject(
              new Error(
                `amtool not found at '${amtool}' (containerCloud.alerts.alertmanager.amtool)`,
              ),
            );
            return;
          }
          // "Checking '<file>'  FAILED: <reason>"; the scratch file's name means nothing to a person
          const said = `${stdout}\n${stderr}`;
          const failed = /FAILED:\s*(.+)/.exec(said)?.[1]?.trim();
          resolve({
            ok: false,
            message: (failed ?? said.trim())
              .split(file)
              .join('the configuration'),
          });
        },
      );
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
