import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
// the codeflow backend's own parser of GitLab deliveries: what the git server sends must pass it.
// A test-only cross-check of the wire format: the codeflow backend depends on this package, so it
// cannot be a dependency here, and the parser is no export of its package.
// eslint-disable-next-line @backstage/no-relative-monorepo-imports
import { parseDelivery } from '../../../plugins/codeflow-backend/src/webhooks/payloads';
import { LocalGitServer } from './gitServer';
import { useLocalCloud } from './testing';

// Runs against the shared local cloud's git server (nginx + fcgiwrap + git http-backend).
const lc = useLocalCloud();
// pushes, clones and webhook round trips on a machine shared with other builds: minutes, not 5 s
jest.setTimeout(120_000);

interface Delivery {
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  body: any;
}

/** A loopback webhook receiver that keeps every delivery. */
async function startReceiver() {
  const deliveries: Delivery[] = [];
  const waiters: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', chunk => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      deliveries.push({
        headers: req.headers,
        raw,
        body: JSON.parse(`${raw}`),
      });
      res.writeHead(202).end('queued');
      waiters.splice(0).forEach(wake => wake());
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    deliveries,
    /** resolves once `count` deliveries came (the test's timeout bounds the wait) */
    async waitFor(count: number) {
      while (deliveries.length < count) {
        await new Promise<void>(resolve => waiters.push(resolve));
      }
      return deliveries.slice(0, count);
    },
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: cwd,
      GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: 'Ada Payments',
      GIT_AUTHOR_EMAIL: 'ada@example.com',
      GIT_COMMITTER_NAME: 'Ada Payments',
      GIT_COMMITTER_EMAIL: 'ada@example.com',
      ...env,
    },
  });
  return {
    status: result.status,
    stdout: result.stdout.trim(),
    stderr: result.stderr.trim(),
  };
}

function ok(cwd: string, args: string[]) {
  const result = git(cwd, args);
  if (result.status !== 0) {
    throw new Error(`git ${args[0]} failed: ${result.stderr}`);
  }
  return result.stdout;
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('the git server', () => {
  let server: LocalGitServer;
  let auth: string;
  const repos: string[] = [];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-git-test-'));
  const newName = (stem: string) => {
    const name = `${lc.namespace}-${stem}`.slice(0, 90);
    repos.push(name);
    return name;
  };

  beforeAll(() => {
    server = lc.cloud.gitServer();
    auth = `http.extraHeader=Authorization: ${server.authorization}`;
  });

  afterAll(async () => {
    for (const name of repos) await server.deleteRepository(name);
    fs.rmSync(work, { recursive: true, force: true });
  });

  const api = (
    method: string,
    apiPath: string,
    body?: unknown,
    authorization = server.authorization,
  ) =>
    fetch(`${lc.info.git.url}${apiPath}`, {
      method,
      headers: {
        Authorization: authorization,
        'Content-Type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('is announced by info and env, with credentials in a 0600 file', () => {
    expect(lc.info.git.url).toBe(
      `http://127.0.0.1:${lc.cloud.settings.gitPort}`,
    );
    expect(lc.cloud.envExports()).toContain(
      `LOCAL_CLOUD_GIT_URL='${lc.info.git.url}'`,
    );
    expect(lc.cloud.envExports()).toContain(
      `LOCAL_CLOUD_GIT_CREDENTIALS='${lc.info.git.credentialsFile}'`,
    );
    expect(fs.statSync(lc.info.git.credentialsFile).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(
      fs.readFileSync(lc.info.git.credentialsFile, 'utf8'),
    );
    expect(saved).toEqual({
      url: lc.info.git.url,
      username: 'local-cloud',
      password: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/),
    });
  });

  it('makes a repository once: 201, then 409; GET finds it, an unknown one is a 404', async () => {
    const name = newName('create');
    const created = await api('POST', '/api/repos', { name });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({
      name,
      cloneUrl: `${lc.info.git.url}/${name}.git`,
    });
    const again = await api('POST', '/api/repos', { name });
    expect(again.status).toBe(409);
    expect((await again.json()).error.message).toBe(
      `repository ${name} exists`,
    );
    const got = await api('GET', `/api/repos/${name}`);
    expect(got.status).toBe(200);
    expect((await got.json()).cloneUrl).toBe(`${lc.info.git.url}/${name}.git`);
    expect((await api('GET', `/api/repos/${name}-nothing`)).status).toBe(404);
    expect(
      fs.existsSync(path.join(lc.info.git.reposDir, `${name}.git`, 'HEAD')),
    ).toBe(true);
  });

  it.each([
    ['../escape', 'is not a repository name'],
    ['Upper', 'is not a repository name'],
    ['-dash', 'is not a repository name'],
    ['a..b', "must not contain '..'"],
    ['x'.repeat(101), 'is not a repository name'],
    [42, 'a string is required'],
  ])(
    'refuses the repository name %j with a 400 that says why, making nothing',
    async (name, why) => {
      const before = fs.readdirSync(lc.info.git.reposDir).sort();
      const res = await api('POST', '/api/repos', { name });
      expect(res.status).toBe(400);
      expect((await res.json()).error.message).toContain(why);
      expect(fs.readdirSync(lc.info.git.reposDir).sort()).toEqual(before);
    },
  );

  it('refuses a body that is no JSON object, and a hook URL that is not http(s)', async () => {
    const bad = await fetch(`${lc.info.git.url}/api/repos`, {
      method: 'POST',
      headers: { Authorization: server.authorization },
      body: 'name=x',
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toBe('the body is not JSON');
    const name = newName('badhook');
    await server.createRepository(name);
    const file = await api('POST', `/api/repos/${name}/hooks`, {
      url: 'file:///etc/passwd',
    });
    expect(file.status).toBe(400);
    expect((await file.json()).error.message).toContain('only http and https');
    const listed = await api('GET', `/api/repos/${name}/hooks`);
    expect((await listed.json()).items).toEqual([]);
  });

  it('answers 401 without the credentials or with a wrong password, to the API and to git', async () => {
    expect((await fetch(`${lc.info.git.url}/api/repos`)).status).toBe(401);
    const wrong = `Basic ${Buffer.from('local-cloud:not-the-password').toString(
      'base64',
    )}`;
    expect((await api('GET', '/api/repos', undefined, wrong)).status).toBe(401);
    const name = newName('auth');
    await server.createRepository(name);
    const anonymous = await fetch(
      `${lc.info.git.url}/${name}.git/info/refs?service=git-upload-pack`,
    );
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Basic');
    const clone = git(work, [
      'clone',
      `${lc.info.git.url}/${name}.git`,
      'anonymous',
    ]);
    expect(clone.status).not.toBe(0);
    expect(clone.stderr).toMatch(
      /Authentication failed|could not read Username/,
    );
  });

  it('sends GitLab-shaped push and tag push webhooks with the token and a fresh UUID each, which the codeflow backend accepts', async () => {
    const receiver = await startReceiver();
    try {
      const name = newName('hooks');
      const repo = await server.createRepository(name);
      const token = crypto.randomBytes(12).toString('hex');
      const hook = await server.addHook(name, receiver.url, token);
      expect(hook.created).toBe(true);
      // the list names the hook, never its token
      const listed = await (
        await api('GET', `/api/repos/${name}/hooks`)
      ).json();
      expect(listed.items).toEqual([
        { id: hook.id, url: receiver.url, createdAt: expect.any(String) },
      ]);
      expect(JSON.stringify(listed)).not.toContain(token);
      // the hook list is in the repository's folder, but git http-backend serves only git's files
      for (const file of ['webhooks.json', 'config', 'hooks/post-receive']) {
        const res = await api('GET', `/${name}.git/${file}`);
        expect(res.status).toBe(404);
        expect(await res.text()).not.toContain(token);
      }

      const dir = path.join(work, name);
      ok(work, ['init', '--quiet', '--initial-branch=main', dir]);
      fs.writeFileSync(path.join(dir, 'server.js'), 'console.log(1)\n');
      ok(dir, ['add', 'server.js']);
      ok(dir, ['commit', '--quiet', '-m', 'the service\n\nwith a body line']);
      fs.writeFileSync(path.join(dir, 'README.md'), '# hi\n');
      ok(dir, ['add', 'README.md']);
      ok(dir, ['commit', '--quiet', '-m', 'a README']);
      ok(dir, ['tag', '-a', 'v1.0.0', '-m', 'release 1.0.0']);
      const head = ok(dir, ['rev-parse', 'HEAD']);
      const pushed = git(dir, [
        '-c',
        auth,
        'push',
        repo.cloneUrl,
        'main',
        'v1.0.0',
      ]);
      expect(pushed.status).toBe(0);
      expect(pushed.stderr).toContain('2 webhook deliveries queued');

      const [push, tag] = await receiver.waitFor(2);
      expect(push.headers['x-gitlab-event']).toBe('Push Hook');
      expect(tag.headers['x-gitlab-event']).toBe('Tag Push Hook');
      for (const d of [push, tag]) {
        expect(d.headers['x-gitlab-token']).toBe(token);
        expect(d.headers['x-gitlab-event-uuid']).toMatch(/^[0-9a-f-]{36}$/);
        expect(d.headers['content-type']).toBe('application/json');
      }
      expect(push.headers['x-gitlab-event-uuid']).not.toBe(
        tag.headers['x-gitlab-event-uuid'],
      );
      expect(push.body).toMatchObject({
        object_kind: 'push',
        event_name: 'push',
        ref: 'refs/heads/main',
        before: '0'.repeat(40),
        after: head,
        checkout_sha: head,
        user_username: 'local-cloud',
        total_commits_count: 2,
        project: {
          name,
          git_http_url: repo.cloneUrl,
          default_branch: 'main',
        },
        repository: { name, git_http_url: repo.cloneUrl },
      });
      expect(
        push.body.commits.map((c: any) => [c.title, c.message, c.added]),
      ).toEqual([
        ['the service', 'the service\n\nwith a body line', ['server.js']],
        ['a README', 'a README', ['README.md']],
      ]);
      expect(push.body.commits[1]).toMatchObject({
        id: head,
        author: { name: 'Ada Payments', email: 'ada@example.com' },
        timestamp: expect.stringMatching(
          /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/,
        ),
      });
      expect(tag.body).toMatchObject({
        object_kind: 'tag_push',
        ref: 'refs/tags/v1.0.0',
        checkout_sha: head,
        message: 'release 1.0.0',
        commits: [],
        total_commits_count: 0,
      });
      expect(tag.body.after).not.toBe(head); // the annotated tag's own object

      expect(parseDelivery('gitlab', 'Push Hook', push.raw)).toEqual({
        kind: 'build',
        trigger: 'gitlab-push',
        ref: 'main',
        refKind: 'branch',
        commitSha: head,
        commitMessage: 'a README',
        commitAuthor: 'Ada Payments',
        pushedBy: 'local-cloud',
        repositoryUrl: repo.cloneUrl,
      });
      expect(parseDelivery('gitlab', 'Tag Push Hook', tag.raw)).toMatchObject({
        kind: 'build',
        trigger: 'gitlab-tag',
        ref: 'v1.0.0',
        refKind: 'tag',
        commitSha: head,
      });

      // a later push lists only what it brought; a deletion has no checkout_sha
      fs.writeFileSync(path.join(dir, 'server.js'), 'console.log(2)\n');
      ok(dir, ['commit', '--quiet', '-am', 'change the service']);
      const next = ok(dir, ['rev-parse', 'HEAD']);
      expect(git(dir, ['-c', auth, 'push', repo.cloneUrl, 'main']).status).toBe(
        0,
      );
      const third = (await receiver.waitFor(3))[2];
      expect(third.body).toMatchObject({
        before: head,
        after: next,
        total_commits_count: 1,
        commits: [
          { id: next, title: 'change the service', modified: ['server.js'] },
        ],
      });
      expect(
        git(dir, ['-c', auth, 'push', repo.cloneUrl, ':refs/tags/v1.0.0'])
          .status,
      ).toBe(0);
      const deleted = (await receiver.waitFor(4))[3];
      expect(deleted.body).toMatchObject({
        object_kind: 'tag_push',
        after: '0'.repeat(40),
        checkout_sha: null,
      });
      expect(parseDelivery('gitlab', 'Tag Push Hook', deleted.raw).kind).toBe(
        'ignore',
      );
      const uuids = receiver.deliveries.map(
        d => d.headers['x-gitlab-event-uuid'],
      );
      expect(new Set(uuids).size).toBe(4);

      // what was pushed clones back
      const clone = path.join(work, `${name}-clone`);
      expect(
        git(work, ['-c', auth, 'clone', '--quiet', repo.cloneUrl, clone])
          .status,
      ).toBe(0);
      expect(ok(clone, ['log', '--format=%s'])).toBe(
        'change the service\na README\nthe service',
      );
    } finally {
      await receiver.close();
    }
  });

  it('lists the newest 20 commits of a push, oldest first, and counts them all', async () => {
    const receiver = await startReceiver();
    try {
      const name = newName('many');
      const repo = await server.createRepository(name);
      await server.addHook(name, receiver.url, 't');
      const dir = path.join(work, name);
      ok(work, ['init', '--quiet', '--initial-branch=main', dir]);
      for (let i = 1; i <= 23; i++) {
        ok(dir, ['commit', '--quiet', '--allow-empty', '-m', `commit ${i}`]);
      }
      expect(git(dir, ['-c', auth, 'push', repo.cloneUrl, 'main']).status).toBe(
        0,
      );
      const [push] = await receiver.waitFor(1);
      expect(push.body.total_commits_count).toBe(23);
      expect(push.body.commits.map((c: any) => c.title)).toEqual(
        Array.from({ length: 20 }, (_, i) => `commit ${i + 4}`),
      );
    } finally {
      await receiver.close();
    }
  });

  it('never blocks or fails a push when a receiver is down, and logs the failed delivery', async () => {
    const name = newName('down');
    const repo = await server.createRepository(name);
    // a port nobody listens on: bind one, note it, close it
    const probe = http.createServer();
    await new Promise<void>(resolve => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise(resolve => probe.close(resolve));
    await server.addHook(name, `http://127.0.0.1:${port}/gone`, 't');
    const dir = path.join(work, name);
    ok(work, ['init', '--quiet', '--initial-branch=main', dir]);
    ok(dir, ['commit', '--quiet', '--allow-empty', '-m', 'one']);
    const pushed = git(dir, ['-c', auth, 'push', repo.cloneUrl, 'main']);
    expect(pushed.status).toBe(0);
    const log = path.join(lc.info.git.reposDir, `${name}.git`, 'webhooks.log');
    while (
      !fs.existsSync(log) ||
      !fs.readFileSync(log, 'utf8').includes('FAILED')
    ) {
      await sleep(100);
    }
    expect(fs.readFileSync(log, 'utf8')).toMatch(
      new RegExp(
        `Push Hook refs/heads/main -> http://127\\.0\\.0\\.1:${port}/gone \\(uuid [0-9a-f-]{36}\\): FAILED ECONNREFUSED`,
      ),
    );
    expect(
      git(dir, ['-c', auth, 'ls-remote', repo.cloneUrl, 'refs/heads/main'])
        .stdout,
    ).toContain(ok(dir, ['rev-parse', 'HEAD']));
  });
});
