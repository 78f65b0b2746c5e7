import { execFileSync } from 'node:child_process';
import { serveGitHttpBackend } from '@internal/local-cloud/testing';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A git server on loopback speaking what the local cloud's git server speaks (config.md of issue
 * 16): the small API (`POST /api/repos`, `GET /api/repos/:name`) and smart HTTP clone/fetch/push
 * at `/<name>.git` through Debian's real `git http-backend` (as CGI), basic auth on everything.
 * For the publish action's tests while the local cloud's own server is not there
 * (`LOCAL_CLOUD_GIT_URL`).
 */
export class LocalGitTestServer {
  readonly root = mkdtempSync(join(tmpdir(), 'cc-git-server-'));
  readonly username = 'local-git';
  readonly password = 'pw-Zq81-local';
  private server!: Server;
  /** the requests, as `METHOD path` */
  readonly requests: string[] = [];

  async start() {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>(r => this.server.listen(0, '127.0.0.1', r));
    return this;
  }

  get url() {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop() {
    await new Promise(r => this.server.close(r));
    rmSync(this.root, { recursive: true, force: true });
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url!, 'http://x');
    this.requests.push(`${req.method} ${url.pathname}`);
    const expected = `Basic ${Buffer.from(
      `${this.username}:${this.password}`,
    ).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' });
      res.end('authentication required');
      return;
    }
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const valid = (name: string) =>
      /^[a-z0-9][a-z0-9._-]{0,99}$/.test(name) && !name.includes('..');
    const repo = (name: string) => ({
      name,
      cloneUrl: `${this.url}/${name}.git`,
    });
    if (url.pathname === '/api/repos' && req.method === 'POST') {
      let body = '';
      req.on('data', c => (body += c));
      req.on('end', () => {
        const { name } = JSON.parse(body || '{}');
        if (typeof name !== 'string' || !valid(name)) {
          json(400, { error: { message: `bad repository name ${name}` } });
        } else if (existsSync(join(this.root, `${name}.git`))) {
          json(409, { error: { message: `${name} exists` } });
        } else {
          execFileSync('git', [
            'init',
            '-q',
            '--bare',
            '-b',
            'main',
            join(this.root, `${name}.git`),
          ]);
          json(201, repo(name));
        }
      });
      return;
    }
    const api = /^\/api\/repos\/([^/]+)$/.exec(url.pathname);
    if (api && req.method === 'GET') {
      const name = decodeURIComponent(api[1]);
      if (valid(name) && existsSync(join(this.root, `${name}.git`))) {
        json(200, repo(name));
      } else json(404, { error: { message: `no repository ${name}` } });
      return;
    }
    serveGitHttpBackend(req, res, { root: this.root, user: this.username });
  }
}
