import { execFileSync } from 'node:child_process';
import { serveGitHttpBackend } from '@internal/local-cloud/testing';
import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A git smart-HTTP server on 127.0.0.1 for tests: Debian's `git http-backend` (CGI) behind a small
 * Node server that asks for basic auth (one user and password) on every request. Repositories are
 * bare folders under `root`; `url(name)` is their clone URL. Records every Authorization header
 * and request line, so a test can see that credentials were sent (and never in the URL).
 */
export interface GitHttpServer {
  url(name: string): string;
  root: string;
  requests: Array<{ method: string; url: string; authorized: boolean }>;
  close(): Promise<void>;
}

export async function startGitHttpServer(options: {
  root: string;
  username: string;
  password: string;
}): Promise<GitHttpServer> {
  mkdirSync(options.root, { recursive: true });
  const expected = `Basic ${Buffer.from(
    `${options.username}:${options.password}`,
  ).toString('base64')}`;
  const requests: GitHttpServer['requests'] = [];
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const authorized = req.headers.authorization === expected;
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorized });
    if (!authorized) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' });
      res.end('authentication required\n');
      return;
    }
    serveGitHttpBackend(req, res, {
      root: options.root,
      user: options.username,
    });
  };
  const server: Server = createServer(handle);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    root: options.root,
    url: name => `http://127.0.0.1:${port}/${name}.git`,
    requests,
    close: () =>
      new Promise<void>(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A working repository for a test to commit into and push (by path) to the server's bare one. */
export class TestRepository {
  readonly bare: string;
  constructor(
    readonly server: GitHttpServer,
    readonly name: string,
    readonly work: string,
  ) {
    this.bare = join(server.root, `${name}.git`);
    execFileSync('git', ['init', '--bare', '--quiet', '-b', 'main', this.bare]);
    execFileSync('git', ['init', '--quiet', '-b', 'main', work]);
  }

  git(...args: string[]): string {
    return execFileSync('git', args, {
      cwd: this.work,
      env: {
        PATH: process.env.PATH,
        HOME: this.work,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_AUTHOR_NAME: 'Ada Lovelace',
        GIT_AUTHOR_EMAIL: 'ada@example.com',
        GIT_COMMITTER_NAME: 'Ada Lovelace',
        GIT_COMMITTER_EMAIL: 'ada@example.com',
      },
      encoding: 'utf8',
    }).trim();
  }

  /** commits everything in the work tree and pushes the branch (and tags); returns the sha */
  commit(message: string, branch = 'main'): string {
    this.git('add', '--all');
    this.git('commit', '--quiet', '--allow-empty', '-m', message);
    this.git(
      'push',
      '--quiet',
      '--tags',
      this.bare,
      `HEAD:refs/heads/${branch}`,
    );
    return this.git('rev-parse', 'HEAD');
  }

  get url(): string {
    return this.server.url(this.name);
  }
}
