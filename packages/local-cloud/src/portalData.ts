import { toYaml } from './yaml';

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
