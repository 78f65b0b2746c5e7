import { chmod, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CodeflowCredential } from '../../definitions/codeflowConfig';
import type { BuildCommit } from '../types';
import { BuildStepError } from '../types';
import { CommandOutcome, lastLines, runCommand } from './run';

/**
 * Git for the local executor: a kept bare copy per codeflow, fetched into; the commit exported
 * into the run's scratch folder without any `.git`. Every call is an argv array; the repository
 * URL, the ref and the commit are checked first and passed as values (never as options); the
 * credentials reach git only through environment variables read by an askpass helper or a key
 * file of mode 0600 — never the URL, argv or the log.
 */

const SCHEMES = new Set(['https:', 'http:', 'ssh:', 'git:']);
/** scp-like ssh address: user@host:path */
const SCP_LIKE = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!\/\/)[^\s]+$/;
const FULL_SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;
const SHA = /^[0-9a-f]{7,64}$/;

/** Checks a repository URL: http(s), ssh, git or scp-like; no transport helpers, no local paths, no password in it. */
export function checkRepositoryUrl(url: string): void {
  const refuse = (why: string) => {
    throw new BuildStepError(
      'fetch',
      `the repository URL ${redactUrl(url)} is refused: ${why}`,
      'fetch-failed',
    );
  };
  if (url.startsWith('-')) refuse('it starts with -');
  if (url.includes('::'))
    refuse('transport helpers (ext::, file:: and the like) are not allowed');
  if (/[\s\0]/.test(url)) refuse('it holds white space or control characters');
  if (SCP_LIKE.test(url)) return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    refuse('it is no http(s), ssh or git URL');
    return;
  }
  if (!SCHEMES.has(parsed.protocol)) {
    refuse(
      `the scheme ${parsed.protocol} is not allowed (https, http, ssh or git)`,
    );
  }
  if (parsed.password) {
    refuse(
      'it holds a password; name a credential of containerCloud.codeflow.credentials instead',
    );
  }
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** Checks a branch or tag name as git does (`git check-ref-format`), and refuses option-like names. */
export function checkRefName(name: string): void {
  const bad =
    name.length === 0 ||
    name.length > 255 ||
    name.startsWith('-') ||
    name.startsWith('/') ||
    name.endsWith('/') ||
    name.endsWith('.') ||
    name.endsWith('.lock') ||
    name.includes('..') ||
    name.includes('//') ||
    name.includes('@{') ||
    name === '@' ||
    /[\0-\x20\x7f~^:?*[\\]/.test(name) ||
    name.split('/').some(part => part.startsWith('.'));
  if (bad) {
    throw new BuildStepError(
      'fetch',
      `${JSON.stringify(name)} is no valid branch or tag name`,
      'fetch-failed',
    );
  }
}

/** The environment and files git needs for one fetch; `dispose` removes the files. */
export interface GitAccess {
  env: Record<string, string>;
  /** the secrets to keep out of every log (password, key) */
  secrets: string[];
}

/** The base environment of every git call: no system or global config, no prompts. */
function baseEnv(home: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    // transports: only these, whatever a URL, a submodule or a redirect asks for
    GIT_ALLOW_PROTOCOL: 'https:http:ssh:git',
  };
}

const sq = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * Prepares git's access to the repository in `secretsDir` (a folder of mode 0700 outside anything
 * a build sees): for http(s) a GIT_ASKPASS script answering from environment variables; for ssh
 * the private key in a file of mode 0600 and GIT_SSH_COMMAND with IdentitiesOnly, BatchMode and
 * StrictHostKeyChecking=accept-new under the cache's own known_hosts.
 */
export async function prepareGitAccess(options: {
  credential: CodeflowCredential | null;
  secretsDir: string;
  knownHostsFile: string;
}): Promise<GitAccess> {
  const { credential, secretsDir, knownHostsFile } = options;
  await mkdir(secretsDir, { recursive: true, mode: 0o700 });
  await chmod(secretsDir, 0o700);
  const env = baseEnv(secretsDir);
  const secrets: string[] = [];
  const askpass = join(secretsDir, 'askpass.sh');
  await writeFile(
    askpass,
    [
      '#!/bin/sh',
      '# answers git from the environment; holds no secret itself',
      'case "$1" in',
      '  Username*) printf "%s\\n" "$CODEFLOW_GIT_USERNAME" ;;',
      '  *) printf "%s\\n" "$CODEFLOW_GIT_PASSWORD" ;;',
      'esac',
      '',
    ].join('\n'),
    { mode: 0o700 },
  );
  env.GIT_ASKPASS = askpass;
  env.CODEFLOW_GIT_USERNAME = credential?.username ?? '';
  env.CODEFLOW_GIT_PASSWORD = credential?.password ?? '';
  if (credential?.password) secrets.push(credential.password);
  const ssh = [
    'ssh',
    '-F /dev/null',
    '-o BatchMode=yes',
    '-o IdentitiesOnly=yes',
    '-o StrictHostKeyChecking=accept-new',
    `-o UserKnownHostsFile=${sq(knownHostsFile)}`,
  ];
  if (credential?.sshPrivateKey) {
    const keyFile = join(secretsDir, 'id_key');
    const key = credential.sshPrivateKey.endsWith('\n')
      ? credential.sshPrivateKey
      : `${credential.sshPrivateKey}\n`;
    await writeFile(keyFile, key, { mode: 0o600 });
    await chmod(keyFile, 0o600);
    ssh.push(`-i ${sq(keyFile)}`);
    secrets.push(credential.sshPrivateKey.trim());
  }
  env.GIT_SSH_COMMAND = ssh.join(' ');
  return { env, secrets };
}

/** `-c` settings every network git call gets (our own argv, never a value from a codeflow). */
const SAFE_CONFIG = [
  '-c',
  'protocol.allow=never',
  '-c',
  'protocol.https.allow=always',
  '-c',
  'protocol.http.allow=always',
  '-c',
  'protocol.ssh.allow=always',
  '-c',
  'protocol.git.allow=always',
  '-c',
  'credential.helper=',
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'core.fsmonitor=false',
];

export interface FetchOutcome {
  sha: string;
  /** true: the kept copy was made now (a clone); false: fetched into it */
  cloned: boolean;
  /** objects the fetch added to the kept copy */
  objects: number;
  seconds: number;
}

export interface GitRunner {
  git: string;
  signal?: AbortSignal;
  onOutput?: (text: string) => void;
}

async function git(
  runner: GitRunner,
  gitDir: string,
  args: string[],
  env: Record<string, string>,
  options: { quiet?: boolean; extraEnv?: Record<string, string> } = {},
): Promise<CommandOutcome> {
  return runCommand(
    [runner.git, `--git-dir=${gitDir}`, ...SAFE_CONFIG, ...args],
    {
      env: { ...env, ...options.extraEnv },
      signal: runner.signal,
      captureStdout: true,
      onOutput: options.quiet ? undefined : runner.onOutput,
    },
  );
}

function failed(what: string, outcome: CommandOutcome): BuildStepError {
  const lines = lastLines(outcome.tail, 3).join(' / ');
  return new BuildStepError(
    'fetch',
    `${what} (git exited with ${outcome.code ?? outcome.signal})${
      lines ? `: ${lines}` : ''
    }`,
    'fetch-failed',
  );
}

async function objectCount(
  runner: GitRunner,
  gitDir: string,
  env: Record<string, string>,
): Promise<number> {
  const out = await git(runner, gitDir, ['count-objects', '-v'], env, {
    quiet: true,
  });
  let total = 0;
  for (const line of out.stdout.split('\n')) {
    const m = /^(count|in-pack): (\d+)$/.exec(line.trim());
    if (m) total += Number(m[2]);
  }
  return total;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/**
 * Fetches the ref (and the commit, if asked and not on it) into the kept bare copy `gitDir`,
 * making it first if missing; the whole history is kept, so a later fetch brings only what is
 * new. Resolves the commit to build.
 */
export async function fetchIntoCache(options: {
  runner: GitRunner;
  gitDir: string;
  url: string;
  ref: { kind: 'branch' | 'tag'; name: string };
  commit: string | null;
  access: GitAccess;
}): Promise<FetchOutcome> {
  const { runner, gitDir, url, ref, commit, access } = options;
  checkRepositoryUrl(url);
  checkRefName(ref.name);
  if (commit !== null && !SHA.test(commit)) {
    throw new BuildStepError(
      'fetch',
      `${JSON.stringify(commit)} is no commit id (7 to 64 hex digits)`,
      'fetch-failed',
    );
  }
  const started = Date.now();
  const env = access.env;
  const cloned = !(await exists(join(gitDir, 'HEAD')));
  if (cloned) {
    await mkdir(gitDir, { recursive: true, mode: 0o700 });
    const init = await runCommand(
      [runner.git, 'init', '--bare', '--quiet', gitDir],
      { env, signal: runner.signal },
    );
    if (init.code !== 0) throw failed('the kept copy could not be made', init);
  }
  const setUrl = await git(
    runner,
    gitDir,
    ['config', 'remote.origin.url', url],
    env,
    { quiet: true },
  );
  if (setUrl.code !== 0)
    throw failed('the kept copy could not be configured', setUrl);
  const before = cloned ? 0 : await objectCount(runner, gitDir, env);
  const localRef =
    ref.kind === 'branch'
      ? `refs/remotes/origin/${ref.name}`
      : `refs/tags/${ref.name}`;
  const remoteRef =
    ref.kind === 'branch' ? `refs/heads/${ref.name}` : `refs/tags/${ref.name}`;
  const fetch = await git(
    runner,
    gitDir,
    [
      'fetch',
      '--prune',
      '--no-tags',
      '--no-write-fetch-head',
      '--no-recurse-submodules',
      'origin',
      `+${remoteRef}:${localRef}`,
    ],
    env,
  );
  if (fetch.code !== 0) {
    throw failed(
      `the ${ref.kind} ${ref.name} could not be fetched from ${redactUrl(url)}`,
      fetch,
    );
  }
  let sha: string;
  if (commit === null) {
    sha = await resolveCommit(runner, gitDir, env, localRef);
  } else {
    const present = await git(
      runner,
      gitDir,
      ['cat-file', '-e', `${commit}^{commit}`],
      env,
      { quiet: true },
    );
    if (present.code !== 0) {
      if (!FULL_SHA.test(commit)) {
        throw new BuildStepError(
          'fetch',
          `the commit ${commit} is not on the ${ref.kind} ${ref.name}; give its full id to fetch it on its own`,
          'fetch-failed',
        );
      }
      const byId = await git(
        runner,
        gitDir,
        ['fetch', '--no-tags', '--no-write-fetch-head', 'origin', commit],
        env,
      );
      if (byId.code !== 0)
        throw failed(`the commit ${commit} could not be fetched`, byId);
    }
    sha = await resolveCommit(runner, gitDir, env, commit);
  }
  const objects = Math.max(
    0,
    (await objectCount(runner, gitDir, env)) - before,
  );
  return { sha, cloned, objects, seconds: (Date.now() - started) / 1000 };
}

async function resolveCommit(
  runner: GitRunner,
  gitDir: string,
  env: Record<string, string>,
  name: string,
): Promise<string> {
  const out = await git(
    runner,
    gitDir,
    [
      'rev-parse',
      '--verify',
      '--quiet',
      '--end-of-options',
      `${name}^{commit}`,
    ],
    env,
    { quiet: true },
  );
  const sha = out.stdout.trim();
  if (out.code !== 0 || !FULL_SHA.test(sha)) {
    throw new BuildStepError(
      'fetch',
      `${name} is no commit of the repository`,
      'fetch-failed',
    );
  }
  return sha;
}

/** The commit's id, subject and author (`Name <email>`). */
export async function readCommit(
  runner: GitRunner,
  gitDir: string,
  env: Record<string, string>,
  sha: string,
): Promise<BuildCommit> {
  const out = await git(
    runner,
    gitDir,
    ['show', '-s', '--format=%H%x00%s%x00%an <%ae>', sha, '--'],
    env,
    { quiet: true },
  );
  if (out.code !== 0) throw failed(`the commit ${sha} could not be read`, out);
  const [id, subject, author] = out.stdout.replace(/\n$/, '').split('\0');
  return { sha: id, message: subject ?? '', author: author ?? '' };
}

/**
 * Writes the commit's files into `dest` (which must not exist or be empty) with a throw-away
 * index: git's own checkout, which never writes through a symlink it made, and no `.git` in
 * `dest` (the build never sees the kept copy, its remote or its credentials).
 */
export async function exportCommit(options: {
  runner: GitRunner;
  gitDir: string;
  env: Record<string, string>;
  sha: string;
  dest: string;
  indexFile: string;
}): Promise<void> {
  const { runner, gitDir, env, sha, dest, indexFile } = options;
  await mkdir(dest, { recursive: true });
  const extraEnv = { GIT_INDEX_FILE: indexFile };
  const read = await git(runner, gitDir, ['read-tree', sha], env, {
    quiet: true,
    extraEnv,
  });
  if (read.code !== 0)
    throw failed(`the commit ${sha} could not be read`, read);
  const out = await git(
    runner,
    gitDir,
    [`--work-tree=${dest}`, 'checkout-index', '--all', '--force'],
    env,
    { quiet: true, extraEnv },
  );
  await rm(indexFile, { force: true });
  if (out.code !== 0)
    throw failed(`the commit ${sha} could not be written out`, out);
}
