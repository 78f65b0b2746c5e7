import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findExampleApps, seedGitRepositories } from './gitSeed';
import { useLocalCloud } from './testing';

const lc = useLocalCloud();
// pushes, clones and webhook round trips on a machine shared with other builds: minutes, not 5 s
jest.setTimeout(120_000);

function git(cwd: string, args: string[]) {
  const result = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: cwd, GIT_TERMINAL_PROMPT: '0' },
  });
  if (result.status !== 0) throw new Error(`git ${args[0]}: ${result.stderr}`);
  return result.stdout.trim();
}

describe("seeding the example apps' source", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-git-seed-'));
  let name = '';
  beforeAll(() => {
    name = `${lc.namespace}-app`.slice(0, 90);
  });

  afterAll(async () => {
    if (name) await lc.cloud.gitServer().deleteRepository(name);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('pushes an app folder as main in two commits once; a second seed changes nothing', async () => {
    // a copy of payments-api under a name of this test's own, so the shared repository is untouched
    const apps = path.join(work, 'apps');
    fs.cpSync(
      path.join(findExampleApps(), 'payments-api'),
      path.join(apps, name),
      {
        recursive: true,
        filter: source => !/node_modules|dist/.test(path.basename(source)),
      },
    );
    const server = lc.cloud.gitServer();
    const lines: string[] = [];
    const [first] = await seedGitRepositories(server, l => lines.push(l), apps);
    expect(first).toMatchObject({
      name,
      pushed: true,
      cloneUrl: `${lc.info.git.url}/${name}.git`,
    });
    expect(lines.at(-1)).toContain('(1 pushed, 0 unchanged)');
    const [second] = await seedGitRepositories(
      server,
      l => lines.push(l),
      apps,
    );
    expect(second).toEqual({ ...first, pushed: false });
    expect(lines.at(-1)).toContain('(0 pushed, 1 unchanged)');

    const clone = path.join(work, 'clone');
    git(work, [
      '-c',
      `http.extraHeader=Authorization: ${server.authorization}`,
      'clone',
      '--quiet',
      first.cloneUrl,
      clone,
    ]);
    expect(git(clone, ['rev-parse', 'HEAD'])).toBe(first.head);
    expect(git(clone, ['log', '--format=%an|%s'])).toBe(
      [
        `Team Payments|${name}: a test of /healthz and a README`,
        `Team Payments|${name}: the service, its build and start scripts`,
      ].join('\n'),
    );
    expect(git(clone, ['ls-files']).split('\n')).toEqual([
      '.gitignore',
      'README.md',
      'package-lock.json',
      'package.json',
      'scripts/build.js',
      'src/server.js',
      'test/server.test.js',
    ]);
    // the service's npm scripts run with no dependencies and no network
    const test = spawnSync(process.execPath, ['--test'], {
      cwd: clone,
      encoding: 'utf8',
    });
    expect(test.stdout).toContain('# pass 3');
    expect(test.status).toBe(0);
  });

  it('has pushed payments-api itself (seed), with history', async () => {
    const [repo] = await seedGitRepositories(
      lc.cloud.gitServer(),
      () => {},
      findExampleApps(),
    );
    expect(repo.name).toBe('payments-api');
    expect(repo.cloneUrl).toBe(`${lc.info.git.url}/payments-api.git`);
    const clone = path.join(work, 'payments-api');
    git(work, [
      '-c',
      `http.extraHeader=Authorization: ${lc.cloud.gitServer().authorization}`,
      'clone',
      '--quiet',
      repo.cloneUrl,
      clone,
    ]);
    expect(
      Number(git(clone, ['rev-list', '--count', 'HEAD'])),
    ).toBeGreaterThanOrEqual(2);
  });
});
