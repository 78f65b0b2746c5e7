import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import {
  DEFAULT_NON_ROOT_USER,
  readNonRootUser,
  shellCommand,
} from './shellCommand';

// The switch script runs here for real, in this machine's sh with its own setpriv, su and id, as a
// container's shell would run it. It needs root to switch users, as in a container that runs as
// root; the test set-up runs as root.
const UID = 65534;
/** the folders made by imageWith, removed after the tests */
const images: string[] = [];

function tool(name: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], {
    encoding: 'utf8',
  }).stdout.trim();
  if (!found) throw new Error(`the shell switch test needs ${name} on PATH`);
  return found;
}

/** A folder holding only the named programs, standing for an image that has only those. */
function imageWith(programs: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shell-image-'));
  // as an image's /bin: every user may run what is in it (mkdtemp makes it 0700)
  fs.chmodSync(dir, 0o755);
  for (const p of programs) fs.symlinkSync(tool(p), path.join(dir, p));
  images.push(dir);
  return dir;
}

/** Runs the web shell's command with `input` typed into it; the PATH stands for the image. */
function runShell(
  input: string,
  options: { path?: string; prefix?: string[] } = {},
) {
  const [cmd, ...args] = [
    ...(options.prefix ?? []),
    ...shellCommand('sh', DEFAULT_NON_ROOT_USER),
  ];
  const result = spawnSync(cmd, args, {
    input,
    encoding: 'utf8',
    env: { PATH: options.path ?? process.env.PATH },
    timeout: 20_000,
  });
  if (result.error) throw result.error;
  return {
    stdout: result.stdout.trim(),
    stderr: result.stderr.trim(),
    status: result.status,
  };
}

describe('shellCommand', () => {
  afterAll(() => {
    for (const dir of images) fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeAll(() => {
    if (process.getuid?.() !== 0) {
      throw new Error(
        'the shell switch test runs as root (as scripts/test does), to switch users as a root container would',
      );
    }
  });

  it('is the shell alone when the container keeps its user', () => {
    expect(shellCommand('bash', undefined)).toEqual(['bash']);
  });

  it('switches a root container with setpriv, and says so', () => {
    const out = runShell('id -u; id -g\n');
    expect(out.stdout.split('\n')).toEqual([String(UID), String(UID)]);
    expect(out.stderr).toBe(
      `container-cloud: the container runs as root; this shell runs as uid ${UID}`,
    );
    expect(out.status).toBe(0);
  });

  it('switches with su to the account of that uid when the image has no setpriv', () => {
    const image = imageWith(['sh', 'id', 'su']);
    const out = runShell('id -u\n', { path: image });
    expect(out.stdout).toBe(String(UID));
    expect(out.stderr).toBe(
      'container-cloud: the container runs as root; this shell runs as nobody',
    );
  });

  it('stays root and says why when the image can switch to no one', () => {
    const image = imageWith(['sh', 'id']);
    const out = runShell('id -u\n', { path: image });
    expect(out.stdout).toBe('0');
    expect(out.stderr).toBe(
      'container-cloud: this image can switch to no other user (no setpriv or su), so this shell runs as root',
    );
  });

  it('leaves a container that runs as another user as it is, without a word', () => {
    const out = runShell('id -u\n', {
      prefix: [
        tool('setpriv'),
        '--reuid=1234',
        '--regid=1234',
        '--clear-groups',
      ],
    });
    expect(out.stdout).toBe('1234');
    expect(out.stderr).toBe('');
  });

  it('passes the exit code of what the user ran', () => {
    expect(runShell('exit 7\n').status).toBe(7);
  });
});

describe('readNonRootUser', () => {
  const read = (shell?: object) =>
    readNonRootUser(
      shell ? mockServices.rootConfig({ data: shell }) : undefined,
    );

  it('defaults to nobody', () => {
    expect(read()).toEqual({ uid: 65534, gid: 65534 });
    expect(read({ maxSessions: 3 })).toEqual({ uid: 65534, gid: 65534 });
  });

  it('takes false, or another uid and gid', () => {
    expect(read({ nonRoot: false })).toBe(false);
    expect(read({ nonRoot: { uid: 1000 } })).toEqual({
      uid: 1000,
      gid: 65534,
    });
    expect(read({ nonRoot: { uid: 1000, gid: 100 } })).toEqual({
      uid: 1000,
      gid: 100,
    });
  });

  it('refuses root and what is no user id, naming the key', () => {
    expect(() => read({ nonRoot: { uid: 0 } })).toThrow(
      'containerCloud.services.shell.nonRoot.uid must be a whole number from 1 to 2147483647 (not root), got 0',
    );
    expect(() => read({ nonRoot: { gid: 1.5 } })).toThrow(
      /nonRoot\.gid must be a whole number/,
    );
  });
});
