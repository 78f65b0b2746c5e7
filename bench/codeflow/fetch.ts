/*
 * Codeflow: the local executor's fetch step into its kept copy vs a fresh clone, for a repository
 * with 1,000 commits.
 *
 *   node bench/codeflow/fetch.js [--commits 1000] [--files 300] [--runs 5]
 *
 * Real: the repository is generated with `git fast-import` (`--commits` commits, each changing one
 * of `--files` text files of 4 KB of generated text that does not compress away) and served over
 * smart HTTP by Debian's `git http-backend` behind basic auth on 127.0.0.1 (the integration test's
 * server, plugins/codeflow-backend/src/executors/local/__testUtils__/gitHttpServer.ts). Measured
 * is what the executor's fetch step does (src/executors/local/git.ts): `fetchIntoCache` (git
 * fetch of the branch into the kept bare copy, credentials through askpass) then `exportCommit`
 * (the commit's files into an empty scratch folder).
 *   - cache: a new commit is pushed before each run, then fetched into the kept copy;
 *   - clone: the kept copy is removed before each run (the first run of a codeflow).
 * p50 (and min/max) of `--runs` runs each, wall-clock milliseconds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  exportCommit,
  fetchIntoCache,
  prepareGitAccess,
} from '../../plugins/codeflow-backend/src/executors/local/git';
import {
  startGitHttpServer,
  TestRepository,
} from '../../plugins/codeflow-backend/src/executors/local/__testUtils__/gitHttpServer';
import { options, say } from '../ops/shared';

function p50(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** `count` commits on main, each rewriting one of `files` files, through git fast-import. */
function generateHistory(repo: TestRepository, count: number, files: number) {
  const lines: string[] = [];
  // ~4 KB of text per version that does not compress away (a seeded generator: the same
  // repository every time)
  let seed = 42;
  const filler = () => {
    let text = '';
    for (let n = 0; n < 456; n++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      text += `${seed.toString(36).padStart(8, '0')}${
        n % 8 === 7 ? '\n' : ' '
      }`;
    }
    return text.slice(0, 4096);
  };
  for (let i = 1; i <= count; i++) {
    const content = `// commit ${i}\n${filler()}${i}\n`;
    const message = `change ${i}`;
    lines.push(
      'commit refs/heads/main',
      `committer Ada Lovelace <ada@example.com> ${1_700_000_000 + i} +0000`,
      `data ${Buffer.byteLength(message)}`,
      message,
    );
    if (i === 1) {
      for (let f = 0; f < files; f++) {
        const initial = `// file ${f}\n${filler()}\n`;
        lines.push(
          `M 100644 inline src/file-${f}.txt`,
          `data ${Buffer.byteLength(initial)}`,
          initial,
        );
      }
    }
    lines.push(
      `M 100644 inline src/file-${i % files}.txt`,
      `data ${Buffer.byteLength(content)}`,
      content,
      '',
    );
  }
  execFileSync('git', ['--git-dir', repo.bare, 'fast-import', '--quiet'], {
    input: `${lines.join('\n')}\n`,
  });
}

export async function main(argv: string[]): Promise<number> {
  const option = options(argv);
  const commits = Number(option('--commits', '1000'));
  const files = Number(option('--files', '300'));
  const runs = Number(option('--runs', '5'));
  const root = mkdtempSync(join(tmpdir(), 'bench-codeflow-fetch-'));
  const password = 'bench-password';
  const server = await startGitHttpServer({
    root: join(root, 'git'),
    username: 'bench',
    password,
  });
  try {
    const repo = new TestRepository(server, 'app', join(root, 'work'));
    say(`generating ${commits} commits over ${files} files`);
    generateHistory(repo, commits, files);
    repo.git('fetch', '--quiet', repo.bare, 'main');
    repo.git('reset', '--quiet', '--hard', 'FETCH_HEAD');
    const size = execFileSync('du', ['-sk', repo.bare], { encoding: 'utf8' });
    say(`repository: ${size.split('\t')[0]} KB`);
    const gitDir = join(root, 'cache', 'cf-bench');
    const access = await prepareGitAccess({
      credential: {
        name: 'bench',
        description: '',
        username: 'bench',
        password,
      },
      secretsDir: join(root, 'secrets'),
      knownHostsFile: join(gitDir, 'known_hosts'),
    });
    const runner = { git: 'git' };
    const once = async (label: string, i: number) => {
      const dest = join(root, 'scratch', `${label}-${i}`);
      const started = process.hrtime.bigint();
      const fetched = await fetchIntoCache({
        runner,
        gitDir,
        url: repo.url,
        ref: { kind: 'branch', name: 'main' },
        commit: null,
        access,
      });
      const fetchedAt = process.hrtime.bigint();
      await exportCommit({
        runner,
        gitDir,
        env: access.env,
        sha: fetched.sha,
        dest,
        indexFile: join(root, 'secrets', 'index'),
      });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const fetchMs = Number(fetchedAt - started) / 1e6;
      rmSync(dest, { recursive: true, force: true });
      return { ms, fetchMs, objects: fetched.objects, cloned: fetched.cloned };
    };

    const clone: number[] = [];
    const cloneFetch: number[] = [];
    let cloneObjects = 0;
    for (let i = 0; i < runs; i++) {
      rmSync(gitDir, { recursive: true, force: true });
      const r = await once('clone', i);
      if (!r.cloned) throw new Error('expected a clone');
      clone.push(r.ms);
      cloneFetch.push(r.fetchMs);
      cloneObjects = r.objects;
      say(
        `clone ${i + 1}/${runs}: ${r.ms.toFixed(0)} ms, ${r.objects} objects`,
      );
    }
    const cache: number[] = [];
    const cacheFetch: number[] = [];
    let cacheObjects = 0;
    for (let i = 0; i < runs; i++) {
      writeFileSync(join(repo.work, 'src', 'file-0.txt'), `new commit ${i}\n`);
      repo.commit(`bench commit ${i}`);
      const r = await once('cache', i);
      if (r.cloned) throw new Error('expected a fetch into the cache');
      cache.push(r.ms);
      cacheFetch.push(r.fetchMs);
      cacheObjects = r.objects;
      say(
        `cache ${i + 1}/${runs}: ${r.ms.toFixed(0)} ms, ${r.objects} objects`,
      );
    }
    const row = (
      label: string,
      values: number[],
      fetchOnly: number[],
      objects: number,
    ) =>
      `| ${label} | ${p50(values).toFixed(0)} | ${Math.min(...values).toFixed(
        0,
      )} | ${Math.max(...values).toFixed(0)} | ${p50(fetchOnly).toFixed(
        0,
      )} | ${objects} |`;
    process.stdout.write(
      [
        `fetch step (git fetch + export of the commit), ${commits} commits, ${files} files, ${runs} runs each`,
        '',
        '| | p50 ms | min ms | max ms | p50 ms of git fetch alone | objects fetched |',
        '|---|---|---|---|---|---|',
        row('fresh clone (empty cache)', clone, cloneFetch, cloneObjects),
        row(
          'fetch into the kept copy (1 new commit)',
          cache,
          cacheFetch,
          cacheObjects,
        ),
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  }
}
