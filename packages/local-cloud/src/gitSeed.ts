import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalCloudError } from './errors';
import { LocalGitServer, PACKAGE_DIR } from './gitServer';

/**
 * The example services' source on the git server: each folder of `examples/apps/` becomes the
 * repository of its name, its `main` branch two commits made from the folder (the service, then
 * its tests and README), with fixed authors and dates so the commits are the same on every
 * machine. A repository whose `main` exists is left as it is (it may carry pushes since).
 */

/** The repository's examples/apps/ ($LOCAL_CLOUD_APPS_DIR names another). */
export function findExampleApps(): string {
  return process.env.LOCAL_CLOUD_APPS_DIR
    ? path.resolve(process.env.LOCAL_CLOUD_APPS_DIR)
    : path.resolve(PACKAGE_DIR, '..', '..', 'examples', 'apps');
}

const AUTHOR = {
  GIT_AUTHOR_NAME: 'Team Payments',
  GIT_AUTHOR_EMAIL: 'team-payments@example.com',
  GIT_COMMITTER_NAME: 'Team Payments',
  GIT_COMMITTER_EMAIL: 'team-payments@example.com',
};

/** What goes into the second commit; the first holds everything else. */
function inSecondCommit(file: string): boolean {
  return file.startsWith('test/') || file === 'README.md';
}

function git(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): string {
  const result = spawnSync('git', args, {
    cwd: options.cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: os.tmpdir(),
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_TERMINAL_PROMPT: '0',
      ...options.env,
    },
  });
  if (result.error || result.status !== 0) {
    throw new LocalCloudError(
      `git ${args
        .filter(a => !a.startsWith('http.extraHeader'))
        .join(' ')} failed: ${(result.stderr || result.error?.message || '')
        .trim()
        .split('\n')
        .pop()}`,
      { component: 'git-server' },
    );
  }
  return result.stdout;
}

function filesOf(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap(entry => {
      const relative = path.posix.join(prefix, entry.name);
      if (entry.name === 'node_modules' || entry.name === 'dist') return [];
      return entry.isDirectory() ? filesOf(dir, relative) : [relative];
    })
    .sort();
}

/** The two commits of one example folder, made in a scratch repository; resolves its head. */
function commitExample(source: string, work: string): string {
  git(['init', '--quiet', '--initial-branch=main', work]);
  const files = filesOf(source);
  const commits: Array<{ files: string[]; message: string; date: string }> = [
    {
      files: files.filter(f => !inSecondCommit(f)),
      message: `${path.basename(
        source,
      )}: the service, its build and start scripts`,
      date: '2026-11-02T09:00:00+00:00',
    },
    {
      files: files.filter(inSecondCommit),
      message: `${path.basename(source)}: a test of /healthz and a README`,
      date: '2026-11-02T10:00:00+00:00',
    },
  ];
  for (const commit of commits) {
    for (const file of commit.files) {
      fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      fs.copyFileSync(path.join(source, file), path.join(work, file));
    }
    git(['add', '--', ...commit.files], { cwd: work });
    git(['commit', '--quiet', '--no-gpg-sign', '-m', commit.message], {
      cwd: work,
      env: {
        ...AUTHOR,
        GIT_AUTHOR_DATE: commit.date,
        GIT_COMMITTER_DATE: commit.date,
      },
    });
  }
  return git(['rev-parse', 'HEAD'], { cwd: work }).trim();
}

/** What seedGitRepositories did with one repository. @public */
export interface GitSeedResult {
  name: string;
  cloneUrl: string;
  /** the commit main points at */
  head: string;
  pushed: boolean;
}

/** Pushes every example app to the git server as its `main` branch, unless main exists. */
export async function seedGitRepositories(
  server: LocalGitServer,
  progress: (line: string) => void,
  appsDir = findExampleApps(),
): Promise<GitSeedResult[]> {
  if (!fs.existsSync(appsDir)) return [];
  const auth = `http.extraHeader=Authorization: ${server.authorization}`;
  const results: GitSeedResult[] = [];
  const names = fs
    .readdirSync(appsDir, { withFileTypes: true })
    .filter(e => e.isDirectory())
    .map(e => e.name)
    .sort();
  for (const name of names) {
    const { cloneUrl } = await server.createRepository(name);
    const repo = { name, cloneUrl };
    const existing = git([
      '-c',
      auth,
      'ls-remote',
      repo.cloneUrl,
      'refs/heads/main',
    ])
      .trim()
      .split(/\s+/)[0];
    if (existing) {
      results.push({ ...repo, head: existing, pushed: false });
      continue;
    }
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `local-cloud-${name}-`));
    try {
      const head = commitExample(path.join(appsDir, name), work);
      git(['-c', auth, 'push', '--quiet', repo.cloneUrl, 'main:main'], {
        cwd: work,
      });
      results.push({ ...repo, head, pushed: true });
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  progress(
    `  git: ${results
      .map(r => `${r.name} (main ${r.head.slice(0, 12)})`)
      .join(', ')} at ${server.url} (${
      results.filter(r => r.pushed).length
    } pushed, ${results.filter(r => !r.pushed).length} unchanged)`,
  );
  return results;
}
