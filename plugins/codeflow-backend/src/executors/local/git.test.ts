import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BuildStepError } from '../types';
import { checkRefName, checkRepositoryUrl, prepareGitAccess } from './git';

describe('what git is given', () => {
  it.each([
    'https://git.example.com/payments/api.git',
    'http://127.0.0.1:16470/payments-api.git',
    'ssh://git@git.example.com:2222/payments/api.git',
    'git@git.example.com:payments/api.git',
    'git://git.example.com/api.git',
  ])('takes the repository URL %s', url => {
    expect(() => checkRepositoryUrl(url)).not.toThrow();
  });

  it.each([
    ['ext::sh -c touch% /tmp/pwned', /transport helpers/],
    ['file:///etc', /the scheme file: is not allowed/],
    ['fd::17', /transport helpers/],
    ['/srv/repositories/api.git', /no http\(s\), ssh or git URL/],
    ['../api.git', /no http\(s\), ssh or git URL/],
    ['--upload-pack=touch /tmp/pwned', /starts with -/],
    ['-uhttps://x', /starts with -/],
    ['https://git.example.com/a b.git', /white space/],
    ['https://bot:hunter2@git.example.com/api.git', /holds a password/],
  ])('refuses %s', (url, why) => {
    let error: unknown;
    try {
      checkRepositoryUrl(url);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BuildStepError);
    expect((error as BuildStepError).kind).toBe('fetch-failed');
    expect((error as BuildStepError).message).toMatch(why);
    expect((error as BuildStepError).message).not.toContain('hunter2');
  });

  it.each(['main', 'release/2026.12', 'v1.2.3', 'feature/x_y-z'])(
    'takes the ref %s',
    name => expect(() => checkRefName(name)).not.toThrow(),
  );

  it.each([
    '',
    '-c',
    '--upload-pack=id',
    'a..b',
    'a b',
    'a:b',
    'refs/heads/*',
    'x.lock',
    '.hidden',
    'a/.b',
    'a@{1}',
    'tab\there',
    'back\\slash',
    'end/',
  ])('refuses the ref %j', name => {
    expect(() => checkRefName(name)).toThrow(/is no valid branch or tag name/);
  });
});

describe('git access', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'codeflow-git-access-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('gives http(s) credentials through askpass and the environment only', async () => {
    const access = await prepareGitAccess({
      credential: {
        name: 'bot',
        description: '',
        username: 'bot',
        password: 'hunter2-password',
      },
      secretsDir: join(dir, 'secrets'),
      knownHostsFile: join(dir, 'known_hosts'),
    });
    expect(access.env.CODEFLOW_GIT_USERNAME).toBe('bot');
    expect(access.env.CODEFLOW_GIT_PASSWORD).toBe('hunter2-password');
    expect(access.env.GIT_TERMINAL_PROMPT).toBe('0');
    expect(access.env.GIT_CONFIG_NOSYSTEM).toBe('1');
    expect(access.env.GIT_ALLOW_PROTOCOL).toBe('https:http:ssh:git');
    const script = readFileSync(access.env.GIT_ASKPASS, 'utf8');
    expect(script).not.toContain('hunter2');
    expect(statSync(join(dir, 'secrets')).mode & 0o777).toBe(0o700);
    expect(access.secrets).toEqual(['hunter2-password']);
  });

  it('gives an ssh key as a file of mode 0600, IdentitiesOnly and accept-new under the cache’s known_hosts', async () => {
    const key =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----';
    const access = await prepareGitAccess({
      credential: { name: 'deploy-key', description: '', sshPrivateKey: key },
      secretsDir: join(dir, 'secrets'),
      knownHostsFile: join(dir, "cache's", 'known_hosts'),
    });
    const command = access.env.GIT_SSH_COMMAND;
    expect(command).toContain('-o IdentitiesOnly=yes');
    expect(command).toContain('-o StrictHostKeyChecking=accept-new');
    expect(command).toContain('-o BatchMode=yes');
    expect(command).toContain(
      `-o UserKnownHostsFile='${join(dir, "cache'\\''s", 'known_hosts')}'`,
    );
    const keyFile = join(dir, 'secrets', 'id_key');
    expect(command).toContain(`-i '${keyFile}'`);
    expect(command).not.toContain('BEGIN');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(keyFile, 'utf8')).toBe(`${key}\n`);
  });
});
