import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { toYaml } from './yaml';

/**
 * The key in `file` (base64 of 32 random bytes), made (0600) when there is none: the key the
 * portal's modules encrypt their secrets at rest with on the embedded default.
 */
export function portalSecretsKey(file: string): string {
  try {
    fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/**
 * The portal's own data for the embedded default: SQLite on files, one per plugin
 * (Backstage's `connection.directory`), so that Nginx domains and their versions, history
 * containers and what every other module stores survive a restart of the portal, as the local
 * cloud's own state does. Tests pass no such overlay and keep their throwaway databases.
 *
 * @public
 */
export function portalDataAppConfig(directory: string): string {
  const config = {
    backend: {
      database: {
        client: 'better-sqlite3',
        connection: { directory },
      },
    },
  };
  return `# Written by local-cloud on every 'up': the portal's data on files under the local cloud's state\n# folder; 'local-cloud down --purge' deletes it with the clusters' state. Pass it with --config.\n${toYaml(
    config,
  )}`;
}
