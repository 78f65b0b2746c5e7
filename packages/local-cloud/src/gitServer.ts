import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ComponentSpec } from './components';
import { DebianBinaries } from './debianPackages';
import { LocalCloudError } from './errors';
import { HomeLayout } from './layout';
import { probe } from './probe';
import { LocalCloudSettings } from './settings';

/**
 * The local cloud's git server: Debian's `git http-backend` (clone, fetch, push over smart HTTP)
 * and a small API (repositories, webhooks) behind an nginx of its own, both run through fcgiwrap,
 * with basic auth. Repositories are bare, under `<home>/git/<name>.git`; each one's post-receive
 * hook sends GitLab-shaped push webhooks (git-server/webhooks.js).
 */

/** The credential name the generated app-config gives the git server's basic auth. @public */
export const LOCAL_GIT_CREDENTIAL = 'local-git';
/** The user of the git server's basic auth. */
export const LOCAL_GIT_USER = 'local-cloud';

/** This package's folder (its sources run in place: see bin/local-cloud). */
export const PACKAGE_DIR = path.dirname(
  fs.realpathSync(require.resolve('@internal/local-cloud/package.json')),
);

/** The plain CommonJS programs fcgiwrap and git run (no TypeScript transform per request). */
const SOURCES = path.join(PACKAGE_DIR, 'git-server');

/** What `<home>/git-server/credentials.json` holds (0600). @public */
export interface LocalGitCredentials {
  url: string;
  username: string;
  password: string;
}

/** The git server's user and password: made once per home (kept across restarts, gone with `down --purge`). */
export function gitCredentials(
  layout: HomeLayout,
  settings: LocalCloudSettings,
): LocalGitCredentials {
  const file = layout.git.credentials;
  const url = gitUrl(settings);
  try {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (saved.username && saved.password) {
      if (saved.url !== url) writeCredentials(file, { ...saved, url });
      return { ...saved, url };
    }
  } catch {
    // none yet
  }
  const made = {
    url,
    username: LOCAL_GIT_USER,
    password: randomBytes(18).toString('base64url'),
  };
  writeCredentials(file, made);
  return made;
}

function writeCredentials(file: string, value: LocalGitCredentials) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(value, null, 2)}\n`, {
    mode: 0o600,
  });
  fs.renameSync(`${file}.tmp`, file);
}

export function gitUrl(settings: LocalCloudSettings): string {
  return `http://127.0.0.1:${settings.gitPort}`;
}

/** An htpasswd line in nginx's `{SSHA}` scheme (salted SHA-1), so no crypt library is needed. */
export function htpasswdLine(username: string, password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `${username}:{SSHA}${Buffer.concat([digest, salt]).toString(
    'base64',
  )}\n`;
}

/** The programs fcgiwrap and git run: small files naming this machine's node and the sources. */
function writePrograms(
  layout: HomeLayout,
  settings: LocalCloudSettings,
  binaries: Pick<DebianBinaries, 'git'>,
) {
  const g = layout.git;
  fs.mkdirSync(g.bin, { recursive: true });
  const hookProgram = path.join(g.bin, 'post-receive');
  const config = {
    url: gitUrl(settings),
    git: binaries.git,
    hookProgram,
    reposDir: g.repos,
  };
  const program = (file: string, source: string, call: string) => {
    fs.writeFileSync(
      path.join(g.bin, file),
      `#!${
        process.execPath
      }\n// Written by local-cloud on every start of the git server.\nrequire(${JSON.stringify(
        path.join(SOURCES, source),
      )}).${call};\n`,
      { mode: 0o755 },
    );
    fs.chmodSync(path.join(g.bin, file), 0o755);
  };
  program('api.cgi', 'api.js', `cgiMain(${JSON.stringify(config)})`);
  program(
    'post-receive',
    'webhooks.js',
    `hookMain(${JSON.stringify(config)}, process.argv.slice(2))`,
  );
  // repositories made before this start link their hook to the program just written
  if (fs.existsSync(g.repos)) {
    const { installHook } = require(path.join(SOURCES, 'api.js'));
    for (const entry of fs.readdirSync(g.repos)) {
      const dir = path.join(g.repos, entry);
      if (entry.endsWith('.git') && fs.existsSync(path.join(dir, 'HEAD'))) {
        installHook(config, dir);
      }
    }
  }
  return { api: path.join(g.bin, 'api.cgi'), hook: hookProgram };
}

function writeGitNginxConfig(
  layout: HomeLayout,
  settings: LocalCloudSettings,
  binaries: Pick<DebianBinaries, 'git' | 'gitHttpBackend'>,
) {
  const g = layout.git;
  const tmp = (what: string) => path.join(g.prefix, 'tmp', what);
  for (const dir of [g.repos, path.dirname(g.errorLog), tmp('')]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  const { username, password } = gitCredentials(layout, settings);
  fs.writeFileSync(g.htpasswd, htpasswdLine(username, password), {
    mode: 0o600,
  });
  const programs = writePrograms(layout, settings, binaries);
  const fastcgi = (script: string, extra: string[] = []) =>
    [
      'include /etc/nginx/fastcgi_params;',
      `fastcgi_param SCRIPT_FILENAME ${script};`,
      'fastcgi_param PATH_INFO $uri;',
      'fastcgi_param REMOTE_USER $remote_user;',
      'fastcgi_param PATH /usr/local/bin:/usr/bin:/bin;',
      ...extra,
      `fastcgi_pass unix:${g.socket};`,
    ]
      .map(line => `      ${line}`)
      .join('\n');
  fs.writeFileSync(
    g.conf,
    `# Written by local-cloud on every start of the git server.
user root;
worker_processes 1;
pid ${g.pid};
error_log ${g.errorLog} warn;
events { worker_connections 256; }
http {
  access_log ${path.join(path.dirname(g.errorLog), 'access.log')};
  client_body_temp_path ${tmp('client_body')};
  proxy_temp_path ${tmp('proxy')};
  fastcgi_temp_path ${tmp('fastcgi')};
  uwsgi_temp_path ${tmp('uwsgi')};
  scgi_temp_path ${tmp('scgi')};
  # pushes of any size
  client_max_body_size 0;
  server {
    listen 127.0.0.1:${settings.gitPort} default_server;
    auth_basic "local-cloud git";
    auth_basic_user_file ${g.htpasswd};
    location = /healthz { auth_basic off; return 200 "ok\\n"; }
    location /api/ {
${fastcgi(programs.api)}
    }
    # smart HTTP: info/refs, git-upload-pack, git-receive-pack (push needs the authenticated user)
    location ~ ^/[a-z0-9][a-z0-9._-]*\\.git/ {
${fastcgi(binaries.gitHttpBackend, [
  `fastcgi_param GIT_PROJECT_ROOT ${g.repos};`,
  'fastcgi_param GIT_HTTP_EXPORT_ALL "";',
  'fastcgi_read_timeout 600s;',
  'fastcgi_buffering off;',
])}
    }
    location / { return 404 "no such repository path\\n"; }
  }
}
`,
  );
}

function socketAccepts(socket: string): Promise<boolean> {
  return new Promise(resolve => {
    const conn = net.connect(socket);
    const done = (ok: boolean) => {
      conn.destroy();
      resolve(ok);
    };
    conn.setTimeout(1000, () => done(false));
    conn.once('connect', () => done(true));
    conn.once('error', () => done(false));
  });
}

/** The git server's two programs: fcgiwrap (runs git http-backend and the API) and its nginx. */
export function gitServerComponents(
  settings: LocalCloudSettings,
  layout: HomeLayout,
  binaries: Pick<
    DebianBinaries,
    'nginx' | 'git' | 'gitHttpBackend' | 'fcgiwrap'
  >,
): ComponentSpec[] {
  const g = layout.git;
  return [
    {
      id: 'git-fcgiwrap',
      binary: binaries.fcgiwrap,
      stage: 'storage',
      ports: [],
      log: layout.log('git-fcgiwrap'),
      prepare: () => {
        fs.mkdirSync(g.dir, { recursive: true });
        fs.rmSync(g.socket, { force: true });
      },
      // what it runs gets nothing of ours but a PATH (nginx passes the rest per request)
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' },
      args: ['-s', `unix:${g.socket}`, '-c', '4'],
      // its preforked workers live on after the parent's SIGTERM: stop them all
      stopGroup: true,
      healthy: () => socketAccepts(g.socket),
    },
    {
      id: 'git-server',
      binary: binaries.nginx,
      stage: 'storage',
      ports: [settings.gitPort],
      log: layout.log('git-server'),
      prepare: () => writeGitNginxConfig(layout, settings, binaries),
      args: [
        '-p',
        `${g.prefix}/`,
        '-c',
        g.conf,
        '-e',
        g.errorLog,
        '-g',
        'daemon off;',
      ],
      healthy: async () => (await probe(`${gitUrl(settings)}/healthz`)) === 200,
    },
  ];
}

/** A repository on the git server, as its API describes it. @public */
export interface LocalGitRepository {
  name: string;
  cloneUrl: string;
}

/**
 * A client of the git server's API (basic auth with the local-git credential).
 *
 * @public
 */
export class LocalGitServer {
  constructor(private readonly credentials: LocalGitCredentials) {}

  get url(): string {
    return this.credentials.url;
  }

  /** `Authorization` header value: for `git -c http.extraHeader=...` and API calls. */
  get authorization(): string {
    const { username, password } = this.credentials;
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  private async call(
    method: string,
    apiPath: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${apiPath}`, {
        method,
        headers: {
          Authorization: this.authorization,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error: any) {
      throw new LocalCloudError(
        `the local git server at ${this.url} does not answer (${
          error.cause?.code ?? error.message
        }): run 'local-cloud up'`,
        { component: 'git-server' },
      );
    }
    const text = await res.text();
    let parsed: any = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed };
  }

  private fail(what: string, res: { status: number; body: any }): never {
    throw new LocalCloudError(
      `the local git server refused ${what}: ${res.status} ${
        res.body?.error?.message ?? JSON.stringify(res.body)
      }`,
      { component: 'git-server' },
    );
  }

  /** Makes the repository; resolves `created: false` when it exists already. */
  async createRepository(
    name: string,
  ): Promise<LocalGitRepository & { created: boolean }> {
    const res = await this.call('POST', '/api/repos', { name });
    if (res.status === 201) return { ...res.body, created: true };
    if (res.status === 409) {
      return { ...(await this.getRepository(name))!, created: false };
    }
    return this.fail(`repository ${name}`, res);
  }

  async getRepository(name: string): Promise<LocalGitRepository | undefined> {
    const res = await this.call(
      'GET',
      `/api/repos/${encodeURIComponent(name)}`,
    );
    if (res.status === 404) return undefined;
    if (res.status !== 200) this.fail(`a look-up of ${name}`, res);
    return res.body;
  }

  async deleteRepository(name: string): Promise<void> {
    const res = await this.call(
      'DELETE',
      `/api/repos/${encodeURIComponent(name)}`,
    );
    if (res.status !== 204 && res.status !== 404) {
      this.fail(`deleting ${name}`, res);
    }
  }

  /** Adds a push webhook (or gives the hook of that URL a new token). */
  async addHook(
    name: string,
    url: string,
    token?: string,
  ): Promise<{ id: string; url: string; created: boolean }> {
    const res = await this.call(
      'POST',
      `/api/repos/${encodeURIComponent(name)}/hooks`,
      { url, token },
    );
    if (res.status !== 201 && res.status !== 200) {
      this.fail(`a hook for ${name}`, res);
    }
    return { ...res.body, created: res.status === 201 };
  }
}
