import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { LocalCloudError } from './errors';

/** The Debian programs local-cloud runs, and the package that ships each. */
const PROGRAMS = {
  nginx: { names: ['nginx'], pkg: 'nginx' },
  prometheus: { names: ['prometheus'], pkg: 'prometheus' },
  promtool: { names: ['promtool'], pkg: 'prometheus' },
  alertmanager: {
    names: ['prometheus-alertmanager', 'alertmanager'],
    pkg: 'prometheus-alertmanager',
  },
  amtool: { names: ['amtool'], pkg: 'prometheus-alertmanager' },
  // the CNCF distribution registry: the example images and their tags
  registry: { names: ['docker-registry'], pkg: 'docker-registry' },
  // the git server: git http-backend behind nginx through fcgiwrap
  git: { names: ['git'], pkg: 'git' },
  gitHttpBackend: { names: ['git-http-backend'], pkg: 'git' },
  fcgiwrap: { names: ['fcgiwrap'], pkg: 'fcgiwrap' },
  // the codeflow build images (mmdebstrap minbase + buildah) and the local executor's builds
  buildah: { names: ['buildah'], pkg: 'buildah' },
  mmdebstrap: { names: ['mmdebstrap'], pkg: 'mmdebstrap' },
  // a 2 MB static base image the codeflow executor's tests build from
  busybox: { names: ['busybox'], pkg: 'busybox-static' },
} as const;

export type DebianProgram = keyof typeof PROGRAMS;
export type DebianBinaries = Record<DebianProgram, string>;

function findOnPath(names: readonly string[]): string | undefined {
  // nginx lives in /usr/sbin, which a non-root PATH often lacks
  // git-http-backend lives in git's exec path, never on PATH
  const dirs = [
    ...(process.env.PATH ?? '').split(path.delimiter),
    '/usr/sbin',
    '/usr/lib/git-core',
  ].filter(Boolean);
  for (const name of names) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

function locate(): {
  found: Partial<DebianBinaries>;
  missing: DebianProgram[];
} {
  const found: Partial<DebianBinaries> = {};
  const missing: DebianProgram[] = [];
  for (const [program, { names }] of Object.entries(PROGRAMS)) {
    const binary = findOnPath(names);
    if (binary) found[program as DebianProgram] = binary;
    else missing.push(program as DebianProgram);
  }
  return { found, missing };
}

function aptInstall(packages: string[], log: string): boolean {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args: string[]) => {
    const result = spawnSync('apt-get', args, { env, encoding: 'utf8' });
    fs.appendFileSync(
      log,
      `$ apt-get ${args.join(' ')}\n${result.stdout ?? ''}${
        result.stderr ?? ''
      }\n`,
    );
    return !result.error && result.status === 0;
  };
  const install = ['install', '-y', '--no-install-recommends', ...packages];
  return run(install) || (run(['update']) && run(install));
}

/**
 * Finds nginx, Prometheus, promtool, Alertmanager, the registry, git (and its http-backend),
 * fcgiwrap, buildah and mmdebstrap; installs the missing Debian packages with
 * apt-get when running as root (unless LOCAL_CLOUD_NO_INSTALL is set), else names what to install.
 */
export function ensureDebianPrograms(
  logDir: string,
  progress: (line: string) => void,
): DebianBinaries {
  let { found, missing } = locate();
  if (missing.length === 0) return found as DebianBinaries;
  const packages = [...new Set(missing.map(p => PROGRAMS[p].pkg))];
  const canInstall =
    process.getuid?.() === 0 &&
    !process.env.LOCAL_CLOUD_NO_INSTALL &&
    findOnPath(['apt-get']);
  if (!canInstall) {
    throw new LocalCloudError(
      `Debian package${packages.length > 1 ? 's' : ''} ${packages.join(
        ', ',
      )} missing (no ${missing.join(
        ', ',
      )} on PATH): apt-get install -y ${packages.join(' ')}`,
      { component: packages.join(', ') },
    );
  }
  fs.mkdirSync(logDir, { recursive: true });
  const log = path.join(logDir, 'apt-get.log');
  progress(
    `installing Debian packages ${packages.join(
      ' ',
    )} with apt-get (log: ${log})`,
  );
  const installed = aptInstall(packages, log);
  ({ found, missing } = locate());
  if (!installed || missing.length > 0) {
    throw new LocalCloudError(
      `could not install Debian package${
        packages.length > 1 ? 's' : ''
      } ${packages.join(', ')} with apt-get; log: ${log}`,
      { component: packages.join(', '), log },
    );
  }
  return found as DebianBinaries;
}
