import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import {
  DEFAULT_NON_ROOT_USER,
  fileReadCommand,
  readNonRootUser,
  shellCommand,
  WRAPPER_REFUSED,
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

  it('runs nothing, and says why, in an image without id: it cannot tell the user', () => {
    const image = imageWith(['sh', 'setpriv', 'su']);
    // no input: the script ends before it would read any, and writing some could race its exit
    // (EPIPE)
    const out = runShell('', { path: image });
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(
      'container-cloud: this image has no working id command, so the portal cannot tell which user the container runs as; refused',
    );
    expect(out.status).toBe(WRAPPER_REFUSED);
  });
});

describe('fileReadCommand', () => {
  // a container's files, in a folder of this machine: logs/ is the allowed folder
  let root: string;
  const read = (
    file: string,
    options: { path?: string; folders?: string[] } = {},
  ) => {
    const [cmd, ...args] = fileReadCommand(
      file,
      options.folders ?? [`${root}/logs/`],
      DEFAULT_NON_ROOT_USER,
    );
    const result = spawnSync(cmd, args, {
      encoding: 'utf8',
      env: { PATH: options.path ?? process.env.PATH },
      timeout: 20_000,
    });
    if (result.error) throw result.error;
    return {
      stdout: result.stdout,
      stderr: result.stderr.trim(),
      status: result.status,
    };
  };

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'file-read-'));
    fs.chmodSync(root, 0o755);
    images.push(root);
    for (const dir of ['logs', 'logs-x']) {
      fs.mkdirSync(path.join(root, dir), { mode: 0o755 });
    }
    const file = (name: string, content: string, mode = 0o644) => {
      fs.writeFileSync(path.join(root, name), content);
      fs.chmodSync(path.join(root, name), mode);
    };
    file('logs/app.log', 'line 1\nline 2\n');
    file('logs/root-only.log', 'root only\n', 0o600);
    file('logs-x/a.log', 'next door\n');
    file('secret', 'outside\n');
    fs.symlinkSync('../secret', path.join(root, 'logs/link.log'));
    fs.symlinkSync(`${root}/logs`, path.join(root, 'logs-link'));
  });

  it('reads a file in an allowed folder, as the non-root user', () => {
    expect(read(`${root}/logs/app.log`)).toEqual({
      stdout: 'line 1\nline 2\n',
      stderr: '',
      status: 0,
    });
    // uid 65534 may not read a file only root may
    const rootOnly = read(`${root}/logs/root-only.log`);
    expect(rootOnly.stdout).toBe('');
    expect(rootOnly.stderr).toContain('Permission denied');
    expect(rootOnly.status).not.toBe(0);
  });

  it('switches with su where the image has no setpriv, and reads as root (as the shell would run) where it can switch to no one', () => {
    const withSu = imageWith(['sh', 'id', 'su', 'realpath', 'cat']);
    expect(read(`${root}/logs/app.log`, { path: withSu }).stdout).toBe(
      'line 1\nline 2\n',
    );
    expect(
      read(`${root}/logs/root-only.log`, { path: withSu }).stderr,
    ).toContain('Permission denied');
    const noSwitch = imageWith(['sh', 'id', 'realpath', 'cat']);
    expect(read(`${root}/logs/root-only.log`, { path: noSwitch }).stdout).toBe(
      'root only\n',
    );
  });

  it('refuses a symlink that leads out of the allowed folders, naming where it leads', () => {
    expect(read(`${root}/logs/link.log`)).toEqual({
      stdout: '',
      stderr: `container-cloud: ${root}/logs/link.log leads to ${root}/secret, outside the folders files may be downloaded from; refused`,
      status: WRAPPER_REFUSED,
    });
  });

  it('follows a symlink that stays inside the allowed folders', () => {
    expect(read(`${root}/logs-link/app.log`).stdout).toBe('line 1\nline 2\n');
  });

  it('matches folders on whole path segments: /logs does not allow /logs-x', () => {
    for (const folders of [[`${root}/logs`], [`${root}/logs/`]]) {
      const out = read(`${root}/logs-x/a.log`, { folders });
      expect(out.status).toBe(WRAPPER_REFUSED);
      expect(out.stdout).toBe('');
    }
    expect(read(`${root}/logs/app.log`, { folders: [`${root}/logs`] })).toEqual(
      expect.objectContaining({ status: 0 }),
    );
  });

  it('says plainly when the file is not there', () => {
    const out = read(`${root}/logs/none.log`);
    expect(out.stderr).toContain('No such file');
    expect(out.status).not.toBe(0);
    expect(out.status).not.toBe(WRAPPER_REFUSED);
  });

  it('reads nothing in an image without id, and nothing it cannot resolve', () => {
    const noId = read(`${root}/logs/app.log`, {
      path: imageWith(['sh', 'setpriv', 'realpath', 'cat']),
    });
    expect(noId).toEqual({
      stdout: '',
      stderr: expect.stringContaining('no working id command'),
      status: WRAPPER_REFUSED,
    });
    const noRealpath = read(`${root}/logs/app.log`, {
      path: imageWith(['sh', 'id', 'setpriv', 'cat']),
    });
    expect(noRealpath).toEqual({
      stdout: '',
      stderr: expect.stringContaining('neither realpath nor readlink'),
      status: WRAPPER_REFUSED,
    });
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
