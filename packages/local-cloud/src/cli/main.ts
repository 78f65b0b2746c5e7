import fs from 'node:fs';
import { LocalCloud } from '../LocalCloud';
import { LocalCloudError } from '../errors';

const USAGE = `usage: local-cloud <command>

  up       build (once, cached) and start the local cloud; idempotent
  down     stop every process local-cloud started (by recorded pid); --purge also deletes
           its state (etcd data, certificates, logs, written config) and the portal's data
           (portal-data/, the SQLite files ./scripts/start uses), keeping built binaries
  status   each component: healthy or not, pid, ports, log path (exit 1 unless all healthy)
  seed     namespaces + Deployments for examples/entities.yaml's services on both clusters
           (--entities FILE to use another catalog file), the example images' tags, and the
           project's charts (charts/) pushed to the registry as OCI artifacts (unchanged: skipped)
           and the source of examples/apps/* pushed to the git server as main (once)
  env      shell exports (KUBECONFIG, LOCAL_CLOUD_APP_CONFIG, LOCAL_CLOUD_PORTAL_DATA_CONFIG, ...): eval "$(local-cloud env)"
  info     connection details as JSON (cluster URLs, CA, tokens, nginx/prometheus URLs, git server)
  git create <name>                          a repository on the git server (prints its clone URL)
  git hook <name> <url> [--token-file F]     a push webhook (GitLab-shaped) of a repository

environment: LOCAL_CLOUD_HOME (state folder), LOCAL_CLOUD_PORT_BASE (first port, default 16400),
             LOCAL_CLOUD_CACHE_DIR (built binaries), LOCAL_CLOUD_NO_INSTALL=1 (never apt-get),
             LOCAL_CLOUD_ENTITIES (seed's catalog file), LOCAL_CLOUD_CHARTS_DIR (seed's charts
             folder), LOCAL_CLOUD_APPS_DIR (seed's example sources), LOCAL_CLOUD_DEBUG=1 (stack traces)
`;

function progressLine(line: string) {
  const time = new Date().toTimeString().slice(0, 8);
  process.stderr.write(`[local-cloud ${time}] ${line}\n`);
}

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (!value || value.startsWith('--')) {
    throw new LocalCloudError(`${name} needs a value`);
  }
  return value;
}

async function gitCommand(cloud: LocalCloud, args: string[]): Promise<number> {
  const [sub, name, url] = args;
  const server = cloud.gitServer();
  if (sub === 'create' && name) {
    const repo = await server.createRepository(name);
    progressLine(
      repo.created
        ? `made repository ${repo.name}`
        : `repository ${repo.name} exists`,
    );
    process.stdout.write(`${repo.cloneUrl}\n`);
    return 0;
  }
  if (sub === 'hook' && name && url && !url.startsWith('--')) {
    const tokenFile = option(args, '--token-file');
    const token = tokenFile
      ? fs.readFileSync(tokenFile, 'utf8').trim()
      : undefined;
    const hook = await server.addHook(name, url, token);
    progressLine(
      `${hook.created ? 'added' : 'updated'} hook ${hook.id} of ${name}: ${
        hook.url
      }`,
    );
    return 0;
  }
  throw new LocalCloudError(
    `usage: local-cloud git create <name> | git hook <name> <url> [--token-file FILE]`,
  );
}

/** Runs one command; resolves the process exit code. Errors are printed as one line. */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  try {
    const cloud = new LocalCloud({ progress: progressLine });
    switch (command) {
      case 'up':
        await cloud.up();
        return 0;
      case 'down':
        await cloud.down({ purge: rest.includes('--purge') });
        return 0;
      case 'status': {
        const components = await cloud.status();
        if (rest.includes('--json')) {
          process.stdout.write(`${JSON.stringify(components, null, 2)}\n`);
        } else {
          for (const c of components) {
            let state = 'stopped  ';
            if (c.running) state = c.healthy ? 'healthy  ' : 'UNHEALTHY';
            const pid = c.pid ? `pid ${c.pid}` : '';
            process.stdout.write(
              `${state} ${c.id.padEnd(32)} ${pid.padEnd(11)} ports ${c.ports
                .join(',')
                .padEnd(12)} log ${c.log}\n`,
            );
          }
        }
        return components.every(c => c.healthy) ? 0 : 1;
      }
      case 'seed': {
        const results = await cloud.seed(option(rest, '--entities'));
        progressLine(
          `seeded ${results.length} services: ${results
            .map(r => `${r.namespace}/${r.service} on ${r.clusters.join('+')}`)
            .join(', ')}`,
        );
        return 0;
      }
      case 'env':
        process.stdout.write(cloud.envExports());
        return 0;
      case 'git':
        return await gitCommand(cloud, rest);
      case 'info':
        process.stdout.write(`${JSON.stringify(cloud.info(), null, 2)}\n`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return command ? 0 : 2;
      default:
        process.stderr.write(
          `local-cloud: unknown command '${command}'\n${USAGE}`,
        );
        return 2;
    }
  } catch (error: any) {
    const message =
      process.env.LOCAL_CLOUD_DEBUG && error?.stack
        ? error.stack
        : error?.message ?? String(error);
    process.stderr.write(`local-cloud: ${command}: ${message}\n`);
    return 1;
  }
}
