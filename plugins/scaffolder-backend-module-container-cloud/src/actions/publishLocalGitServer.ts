import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RootConfigService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';

/** The local cloud's git server, as `containerCloud.codeflow.git` names it. */
export interface LocalGitServer {
  /** e.g. http://127.0.0.1:16500 (repositories at <url>/<name>.git, API at <url>/api) */
  url: string;
  username: string;
  password: string;
}

/** A repository name the git server accepts. */
export const REPOSITORY_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

/**
 * `containerCloud.codeflow.git` and its credential from `containerCloud.codeflow.credentials`;
 * undefined when the git server is not configured (any other setup than the local cloud).
 */
export function localGitServerFromConfig(
  config: RootConfigService,
): LocalGitServer | undefined {
  const git = config.getOptionalConfig('containerCloud.codeflow.git');
  if (!git) return undefined;
  const url = git.getString('url').replace(/\/+$/, '');
  const name = git.getString('credentials');
  const credential = (
    config.getOptionalConfigArray('containerCloud.codeflow.credentials') ?? []
  ).find(c => c.getString('name') === name);
  if (!credential) {
    throw new Error(
      `containerCloud.codeflow.git.credentials names '${name}', which is not in containerCloud.codeflow.credentials`,
    );
  }
  return {
    url,
    username: credential.getString('username'),
    password: credential.getString('password'),
  };
}

/** A repository as the git server's API answers it. */
export interface LocalRepository {
  name: string;
  cloneUrl: string;
}

/** The git server's small API (create and read a repository), with its basic auth. */
export class LocalGitApi {
  constructor(private readonly server: LocalGitServer) {}

  private async call(method: string, path: string, body?: object) {
    const { username, password, url } = this.server;
    const response = await fetch(`${url}/api${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${username}:${password}`).toString(
          'base64',
        )}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  }

  private fail(what: string, answer: { status: number; text: string }) {
    return new Error(
      `the local git server answered ${
        answer.status
      } to ${what}: ${answer.text.slice(0, 300)}`,
    );
  }

  async get(name: string): Promise<LocalRepository | undefined> {
    const answer = await this.call('GET', `/repos/${encodeURIComponent(name)}`);
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) throw this.fail(`reading ${name}`, answer);
    return answer.json;
  }

  /** Creates it; one that exists already (a race) is read back. */
  async create(name: string): Promise<LocalRepository> {
    const answer = await this.call('POST', '/repos', { name });
    if (answer.status === 201) return answer.json;
    if (answer.status === 409) {
      const existing = await this.get(name);
      if (existing) return existing;
    }
    if (answer.status === 400) {
      throw new InputError(
        `repoName: the local git server refused '${name}': ${
          answer.json?.error?.message ?? answer.json?.message ?? answer.text
        }`,
      );
    }
    throw this.fail(`creating ${name}`, answer);
  }
}

/** What a push of a folder to a repository's `main` found or did. */
export type PushOutcome = 'pushed' | 'unchanged' | 'would-push';

/**
 * git through child_process with argv only, in a scratch GIT_DIR outside the folder (the
 * workspace gets no .git), the credentials through GIT_ASKPASS reading environment variables:
 * never in a URL, an argument or the log. Only http(s) transports, no credential helpers or hooks
 * of the machine.
 */
export class FolderPush {
  private constructor(
    private readonly scratch: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly secret: string,
  ) {}

  static async start(
    folder: string,
    server: LocalGitServer,
    author: { name: string; email: string },
  ): Promise<FolderPush> {
    const scratch = await mkdtemp(join(tmpdir(), 'cc-publish-'));
    const askpass = join(scratch, 'askpass.sh');
    await writeFile(
      askpass,
      '#!/bin/sh\ncase "$1" in\n  Username*) printf \'%s\\n\' "$CC_GIT_USERNAME" ;;\n  *) printf \'%s\\n\' "$CC_GIT_PASSWORD" ;;\nesac\n',
    );
    await chmod(askpass, 0o700);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: scratch,
      GIT_DIR: join(scratch, 'git'),
      GIT_WORK_TREE: folder,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_TERMINAL_PROMPT: '0',
      GIT_ASKPASS: askpass,
      CC_GIT_USERNAME: server.username,
      CC_GIT_PASSWORD: server.password,
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
    };
    const push = new FolderPush(scratch, env, server.password);
    await push.git(['init', '-q', '-b', 'main']);
    return push;
  }

  /** git with fixed safety settings; a failure names the command, never the credentials. */
  async git(args: string[]): Promise<string> {
    return (await this.gitRaw(args)).toString('utf8').trim();
  }

  /** As `git`, its output as the bytes git wrote. */
  gitRaw(args: string[]): Promise<Buffer> {
    const argv = [
      '-c',
      'credential.helper=',
      '-c',
      'protocol.allow=never',
      '-c',
      'protocol.http.allow=always',
      '-c',
      'protocol.https.allow=always',
      '-c',
      `core.hooksPath=${join(this.scratch, 'no-hooks')}`,
      ...args,
    ];
    return new Promise((resolve, reject) => {
      execFile(
        'git',
        argv,
        { env: this.env, maxBuffer: 16 * 1024 * 1024, encoding: 'buffer' },
        (error, stdout, stderr) => {
          if (error) {
            const words = `${stderr.length ? stderr : error.message}`
              .split(this.secret)
              .join('***')
              .trim();
            reject(new Error(`git ${args[0]} failed: ${words}`));
          } else resolve(stdout);
        },
      );
    });
  }

  /**
   * Pushes the folder as one commit to `main` of an empty repository; a repository whose `main`
   * holds the same files is `unchanged`; other files fail with a ConflictError (never a force
   * push). `dryRun`: finds out, pushes nothing.
   */
  async pushMain(
    cloneUrl: string,
    message: string,
    dryRun: boolean,
  ): Promise<{ outcome: PushOutcome; commitSha: string }> {
    await this.git(['add', '-A', '.']);
    const tree = await this.git(['write-tree']);
    const remote = await this.git(['ls-remote', cloneUrl, 'refs/heads/main']);
    const remoteSha = remote.split(/\s+/)[0];
    if (remoteSha) {
      await this.git(['fetch', '-q', '--depth=1', cloneUrl, 'refs/heads/main']);
      const remoteTree = await this.git(['rev-parse', 'FETCH_HEAD^{tree}']);
      if (remoteTree === tree)
        return { outcome: 'unchanged', commitSha: remoteSha };
      const changed = await this.git([
        'diff',
        '--name-status',
        remoteTree,
        tree,
      ]);
      const files = changed.split('\n').filter(Boolean);
      throw new ConflictError(
        `the repository ${cloneUrl} has other files on main than this template made (${
          files.length
        } differ: ${files
          .slice(0, 5)
          .map(f => f.replace(/\s+/, ' '))
          .join(', ')}${
          files.length > 5 ? ', …' : ''
        }); nothing was pushed: choose another name, or remove that repository`,
      );
    }
    if (dryRun) return { outcome: 'would-push', commitSha: '' };
    const commitSha = await this.git(['commit-tree', tree, '-m', message]);
    await this.git(['push', '-q', cloneUrl, `${commitSha}:refs/heads/main`]);
    return { outcome: 'pushed', commitSha };
  }

  async close() {
    await rm(this.scratch, { recursive: true, force: true });
  }
}
