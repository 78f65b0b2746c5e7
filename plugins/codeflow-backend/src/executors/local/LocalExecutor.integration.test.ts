import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { parse as parseYaml } from 'yaml';
import { readLocalExecutorSettings } from './config';
import {
  BUILD_ARGS,
  generateDockerfile,
  LABELS,
  preprocessingDockerfile,
  preprocessingImageKey,
} from '../../dockerfile';
import { BuildPlan, BuildStepError, imageTagsOf } from '../types';
import type { LocalExecutorSettings } from './config';
import { LocalExecutor } from './LocalExecutor';
import {
  GitHttpServer,
  startGitHttpServer,
  TestRepository,
} from './__testUtils__/gitHttpServer';
import {
  buildBusyboxImage,
  deleteFromRegistry,
  localRegistryHost,
  readImageFromRegistry,
  RecordingSink,
  tarEntries,
} from './__testUtils__/images';

jest.setTimeout(300_000);

// The local executor with the real tools: git fetching over smart HTTP (Debian's git
// http-backend behind basic auth, on 127.0.0.1), buildah (vfs, chroot isolation) building in a
// busybox image made here from Debian's busybox-static, pushing to the local cloud's registry.
const suffix = randomBytes(4).toString('hex');
const registry = localRegistryHost();
const testRepository = `codeflow-local-test-${suffix}`;
const baseImage = `${registry}/${testRepository}/busybox:1`;
const password = `pw-${randomBytes(12).toString('hex')}`;
const root = mkdtempSync(join(tmpdir(), 'codeflow-local-'));
// a file of "the backend's host" a build must never get at
const hostSecretFile = join(root, 'host-secret.txt');
const hostSecret = `host-secret-${randomBytes(12).toString('hex')}`;

let server: GitHttpServer;
let repo: TestRepository;
let settings: LocalExecutorSettings;
let executor: LocalExecutor;
let runs = 0;

function plan(overrides: Partial<BuildPlan> = {}): BuildPlan {
  runs += 1;
  return {
    runId: `run-${suffix}-${runs}`,
    codeflowId: `cf-${suffix}`,
    buildNumber: runs,
    repository: { url: repo.url, credentials: 'git-bot' },
    ref: { kind: 'branch', name: 'main' },
    commit: null,
    buildImage: { id: 'busybox', image: baseImage, runtimeImage: baseImage },
    buildScript: [['sh', './build.sh']],
    artifactPath: 'dist',
    dockerfile: generateDockerfile({
      codeflowId: `cf-${suffix}`,
      baseImage,
      definition: {
        repositoryUrl: repo.url,
        artifactPath: 'dist',
        deployPath: '/app',
        startCommand: ['/bin/sh', '/app/app.sh'],
        port: 8080,
        env: [{ name: 'GREETING', value: 'hello' }],
      },
    }),
    buildArgs: {
      [BUILD_ARGS.created]: '2026-12-07T06:00:00Z',
      [BUILD_ARGS.buildId]: `${runs}`,
    },
    preprocessing: null,
    image: {
      repository: `${registry}/${testRepository}/app`,
      branchTag: 'main',
    },
    registryCredentials: null,
    ...overrides,
  };
}

beforeAll(async () => {
  writeFileSync(hostSecretFile, `${hostSecret}\n`);
  settings = {
    workDir: join(root, 'work'),
    cacheDir: join(root, 'cache'),
    storageRoot: join(root, 'storage'),
    runRoot: join(root, 'runroot'),
    buildUser: 10001,
    registry: { insecureHosts: [registry], credentials: null },
    credentials: [
      { name: 'git-bot', description: '', username: 'builder', password },
      {
        name: 'wrong',
        description: '',
        username: 'builder',
        password: `${password}-wrong`,
      },
    ],
    git: 'git',
    buildah: 'buildah',
  };
  executor = new LocalExecutor(settings, {
    logger: mockServices.logger.mock(),
  });
  buildBusyboxImage({
    image: baseImage,
    dir: root,
    storageRoot: join(root, 'base-storage'),
    runRoot: join(root, 'base-runroot'),
  });
  server = await startGitHttpServer({
    root: join(root, 'git'),
    username: 'builder',
    password,
  });
  repo = new TestRepository(server, 'app', join(root, 'app-work'));
  const work = repo.work;
  writeFileSync(
    join(work, 'build.sh'),
    [
      'set -e',
      'mkdir -p dist',
      'cp app.sh dist/app.sh',
      'echo "built by $(id -u) with CI=$CI HOME=$HOME" > dist/built.txt',
      '',
    ].join('\n'),
  );
  writeFileSync(join(work, 'app.sh'), 'echo "$GREETING from the app"\n');
  mkdirSync(join(work, 'dist'));
  // symlinks in the repository to the host's files, as artifacts
  symlinkSync('/etc/shadow', join(work, 'dist', 'shadow'));
  symlinkSync(hostSecretFile, join(work, 'dist', 'secret'));
  symlinkSync(
    `${'../'.repeat(12)}${hostSecretFile.replace(/^\//, '')}`,
    join(work, 'dist', 'secret-relative'),
  );
  repo.commit('first version');
});

afterAll(async () => {
  for (const name of ['app', 'busybox', 'preprocessed']) {
    await deleteFromRegistry(`${registry}/${testRepository}/${name}`);
  }
  await server?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the local executor with git, buildah and the local cloud’s registry', () => {
  it('fetches, builds in the build image as the build user, builds and pushes the image', async () => {
    const sha = repo.git('rev-parse', 'HEAD');
    const sink = new RecordingSink();
    const p = plan();
    const result = await executor.build(p, sink);

    expect(sink.events).toEqual([
      'started fetch',
      'succeeded fetch',
      'skipped preprocess',
      'started build',
      'succeeded build',
      'started image',
      'succeeded image',
      'started push',
      'succeeded push',
    ]);
    expect(sink.finished.get('fetch')!.detail).toMatch(
      /^cloned into the cache in \d+\.\d s \(\d+ objects\)/,
    );
    expect(sink.commitSeen).toEqual({
      sha,
      message: 'first version',
      author: 'Ada Lovelace <ada@example.com>',
    });
    expect(result.commit.sha).toBe(sha);
    expect(result.images).toEqual(imageTagsOf(p, sha));
    expect(result.images[0]).toBe(
      `${registry}/${testRepository}/app:${sha.slice(0, 7)}-${p.buildNumber}`,
    );
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.preprocessingReused).toBeNull();
    // the build's output streamed, its commands shown
    expect(sink.logText('build')).toContain('$ sh ./build.sh');
    expect(sink.logText('fetch')).toContain(
      `fetching the branch main from ${repo.url} as git-bot`,
    );

    // the registry has both tags, the digest is the pushed one
    const pushed = await readImageFromRegistry(result.images[0]);
    expect(pushed.digest).toBe(result.digest);
    expect((await readImageFromRegistry(result.images[1])).digest).toBe(
      result.digest,
    );
    const config = pushed.config.config;
    expect(config.User).toBe('10001:10001');
    expect(config.Entrypoint).toEqual(['/bin/sh', '/app/app.sh']);
    expect(config.Labels?.[LABELS.revision]).toBe(sha);
    expect(config.Labels?.[LABELS.buildId]).toBe(`${p.buildNumber}`);
    expect(config.WorkingDir).toBe('/app');

    // what the build made is in the image; the host's files behind the symlinks are not
    const files = pushed.layers.flatMap(tarEntries);
    const built = files.find(f => f.name === 'app/built.txt');
    expect(built?.content.toString()).toBe(
      'built by 10001 with CI=true HOME=/tmp\n',
    );
    expect(files.find(f => f.name === 'app/app.sh')).toBeDefined();
    for (const name of ['app/shadow', 'app/secret', 'app/secret-relative']) {
      const entry = files.find(f => f.name === name);
      expect(entry).toBeDefined();
      expect(entry!.type).toBe('2'); // still a symlink, resolved (if ever) inside the image
    }
    const everything = Buffer.concat(pushed.layers);
    expect(everything.includes(hostSecret)).toBe(false);
    const shadow = readFileSync('/etc/shadow', 'utf8');
    expect(everything.includes(shadow.split('\n')[0])).toBe(false);

    // the scratch folder and the working container are gone, the kept copy stays
    expect(existsSync(join(settings.workDir, p.runId))).toBe(false);
    expect(existsSync(join(settings.cacheDir, p.codeflowId, 'HEAD'))).toBe(
      true,
    );
    expect(containers()).not.toContain(`codeflow-${p.runId}`);
    // the credentials went in the Authorization header, never in a URL
    expect(server.requests.some(r => r.authorized)).toBe(true);
    expect(server.requests.every(r => !r.url.includes(password))).toBe(true);
    expect(allLogs(sink)).not.toContain(password);
    // nor in the kept copy (its config holds the URL alone)
    expect(grepFiles(join(settings.cacheDir, p.codeflowId), password)).toEqual(
      [],
    );
  });

  it('fetches only what is new into the kept copy, and builds an older commit or a tag on request', async () => {
    const older = repo.git('rev-parse', 'HEAD');
    writeFileSync(join(repo.work, 'app.sh'), 'echo "second version"\n');
    const newer = repo.commit('second version');
    repo.git('tag', 'v1.0.0', older);
    repo.git('push', '--quiet', repo.bare, 'refs/tags/v1.0.0');

    const sink = new RecordingSink();
    const result = await executor.build(plan(), sink);
    expect(result.commit.sha).toBe(newer);
    expect(sink.finished.get('fetch')!.detail).toMatch(
      /^fetched into the cache in \d+\.\d s \([1-9]\d* objects\)/,
    );

    const again = new RecordingSink();
    await executor.build(plan({ buildScript: [['true']] }), again);
    expect(again.finished.get('fetch')!.detail).toMatch(/\(0 objects\)/);

    const byCommit = await executor.build(
      plan({ commit: older, buildScript: [] }),
      new RecordingSink(),
    );
    expect(byCommit.commit.sha).toBe(older);

    const tagSink = new RecordingSink();
    const byTag = await executor.build(
      plan({
        ref: { kind: 'tag', name: 'v1.0.0' },
        image: {
          repository: `${registry}/${testRepository}/app`,
          branchTag: null,
        },
        buildScript: [],
      }),
      tagSink,
    );
    expect(byTag.commit.sha).toBe(older);
    expect(byTag.images).toHaveLength(1);
    expect(tagSink.finished.get('build')!.status).toBe('skipped');
  });

  it('builds the pre-processing image once per key and reuses it', async () => {
    const script = [['sh', '-c', `echo prepared-${suffix} > /prepared.txt`]];
    const pre = (s: string[][]) => {
      const key = preprocessingImageKey(baseImage, s);
      const image = `${registry}/${testRepository}/preprocessed:${key}`;
      return {
        preprocessing: {
          key,
          dockerfile: preprocessingDockerfile(baseImage, s),
          image,
        },
        dockerfile: plan().dockerfile.replace(
          `FROM ${baseImage}`,
          `FROM ${image}`,
        ),
      };
    };
    const first = new RecordingSink();
    const built = await executor.build(plan(pre(script)), first);
    expect(built.preprocessingReused).toBe(false);
    expect(first.finished.get('preprocess')!.detail).toMatch(
      /^built pre-processing image [0-9a-f]{12} in/,
    );
    const files = (await readImageFromRegistry(built.images[0])).layers.flatMap(
      tarEntries,
    );
    expect(files.find(f => f.name === 'prepared.txt')?.content.toString()).toBe(
      `prepared-${suffix}\n`,
    );

    const second = new RecordingSink();
    const reused = await executor.build(plan(pre(script)), second);
    expect(reused.preprocessingReused).toBe(true);
    expect(second.finished.get('preprocess')!.detail).toBe(
      `reused pre-processing image ${preprocessingImageKey(
        baseImage,
        script,
      ).slice(0, 12)}`,
    );

    const changed = [['sh', '-c', `echo changed-${suffix} > /prepared.txt`]];
    const third = new RecordingSink();
    const rebuilt = await executor.build(plan(pre(changed)), third);
    expect(rebuilt.preprocessingReused).toBe(false);
  });
});

// The local cloud's git server (git http-backend behind nginx and basic auth, with a REST API),
// when the local cloud runs one: the same build from a repository made through its API.
const localGit = process.env.LOCAL_CLOUD_GIT_URL;
describe('the local cloud’s git server', () => {
  // a component the test needs and cannot find fails it, never skips it
  beforeAll(() => {
    if (!localGit) {
      throw new Error(
        'LOCAL_CLOUD_GIT_URL is not set: load `eval "$(node packages/local-cloud/bin/local-cloud env)"` with the local cloud up (it runs the git server)',
      );
    }
  });
  const name = `codeflow-local-test-${suffix}`;
  let git: { username: string; password: string };
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${localGit}${path}`, {
      method,
      headers: {
        Authorization: `Basic ${Buffer.from(
          `${git.username}:${git.password}`,
        ).toString('base64')}`,
        'Content-Type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  beforeAll(() => {
    git = JSON.parse(
      readFileSync(process.env.LOCAL_CLOUD_GIT_CREDENTIALS!, 'utf8'),
    );
  });
  afterAll(async () => {
    await api('DELETE', `/api/repos/${name}`);
  });
  // (the images both tests push go with the test repository's, see the file's afterAll)

  it('builds from a repository on it, with its credentials', async () => {
    const created = await api('POST', '/api/repos', { name });
    expect(created.status).toBe(201);
    const { cloneUrl } = (await created.json()) as { cloneUrl: string };
    const header = `Authorization: Basic ${Buffer.from(
      `${git.username}:${git.password}`,
    ).toString('base64')}`;
    repo.git(
      '-c',
      `http.extraHeader=${header}`,
      'push',
      '--quiet',
      cloneUrl,
      'HEAD:refs/heads/main',
    );
    const withLocalGit = new LocalExecutor(
      {
        ...settings,
        credentials: [
          {
            name: 'local-git',
            description: '',
            username: git.username,
            password: git.password,
          },
        ],
      },
      { logger: mockServices.logger.mock() },
    );
    const sink = new RecordingSink();
    const result = await withLocalGit.build(
      plan({
        codeflowId: `cf-${suffix}-local-git`,
        repository: { url: cloneUrl, credentials: 'local-git' },
      }),
      sink,
    );
    expect(result.commit.sha).toBe(repo.git('rev-parse', 'HEAD'));
    expect(sink.finished.get('fetch')!.detail).toMatch(
      /^cloned into the cache/,
    );
    expect(allLogs(sink)).not.toContain(git.password);
  });

  it('builds the seeded payments-api with npm in the local cloud’s Node image', async () => {
    const seeded = await api('GET', '/api/repos/payments-api');
    expect(seeded.status).toBe(200);
    const { cloneUrl } = (await seeded.json()) as { cloneUrl: string };
    const node = `${registry}/codeflow/node:22`;
    const withLocalGit = new LocalExecutor(
      {
        ...settings,
        credentials: [
          {
            name: 'local-git',
            description: '',
            username: git.username,
            password: git.password,
          },
        ],
      },
      { logger: mockServices.logger.mock() },
    );
    const sink = new RecordingSink();
    const p = plan({
      codeflowId: `cf-${suffix}-payments`,
      repository: { url: cloneUrl, credentials: 'local-git' },
      buildImage: { id: 'node-22', image: node, runtimeImage: node },
      buildScript: [
        ['npm', 'ci'],
        ['npm', 'test'],
        ['npm', 'run', 'build'],
      ],
      dockerfile: generateDockerfile({
        codeflowId: `cf-${suffix}-payments`,
        baseImage: node,
        definition: {
          repositoryUrl: cloneUrl,
          artifactPath: 'dist',
          deployPath: '/app',
          startCommand: ['node', 'server.js'],
          port: 8080,
          env: [],
        },
      }),
    });
    const result = await withLocalGit.build(p, sink);
    expect(sink.logText('build')).toContain('$ npm test');
    const pushed = await readImageFromRegistry(result.images[0]);
    expect(pushed.digest).toBe(result.digest);
    expect(pushed.config.config.User).toBe('10001:10001');
    expect(pushed.config.config.Entrypoint).toEqual(['node', 'server.js']);
    const top = tarEntries(pushed.layers[pushed.layers.length - 1]);
    expect(top.some(f => f.name === 'app/server.js' && f.type === '0')).toBe(
      true,
    );
  });
});

describe('the local cloud’s generated codeflow config', () => {
  it('gives the local executor its folders, build user and the registry as insecure', () => {
    const file = process.env.LOCAL_CLOUD_APP_CONFIG;
    expect(file).toBeDefined();
    const read = readLocalExecutorSettings(
      new ConfigReader(parseYaml(readFileSync(file!, 'utf8'))),
    );
    expect(read.buildUser).toBe(10001);
    expect(read.registry.insecureHosts).toContain(registry);
    for (const folder of [
      read.workDir,
      read.cacheDir,
      read.storageRoot,
      read.runRoot,
    ]) {
      expect(folder.startsWith('/')).toBe(true);
    }
  });
});

describe('what a build cannot do', () => {
  it('cannot read the backend’s files: a script reading them finds none in the build image', async () => {
    // the repository's root, where the backend's app-config.yaml is
    const appConfig = join(__dirname, '../../../../../app-config.yaml');
    expect(existsSync(appConfig)).toBe(true);
    for (const file of [appConfig, hostSecretFile]) {
      const sink = new RecordingSink();
      const p = plan({ buildScript: [['cat', file]] });
      const error = await executor.build(p, sink).catch(e => e);
      expect(error).toBeInstanceOf(BuildStepError);
      expect(error.step).toBe('build');
      expect(error.message).toBe(`cat ${file} exited with 1`);
      expect(sink.logText('build')).toContain('No such file or directory');
      expect(containers()).not.toContain(`codeflow-${p.runId}`);
      expect(existsSync(join(settings.workDir, p.runId))).toBe(false);
    }
    expect(existsSync(hostSecretFile)).toBe(true);
  });

  it('cannot write outside its scratch folder', async () => {
    const p = plan({
      buildScript: [
        [
          'sh',
          '-c',
          'echo x > ../../escaped; echo x > /workspace/../../../escaped2; true',
        ],
        [
          'sh',
          '-c',
          'mkdir -p dist && ln -s /etc dist/etc && echo x > dist/etc/escaped3; true',
        ],
      ],
    });
    await executor.build(p, new RecordingSink());
    for (const dir of [settings.workDir, root, dirname(root), '/', '/etc']) {
      for (const name of ['escaped', 'escaped2', 'escaped3']) {
        expect(existsSync(join(dir, name))).toBe(false);
      }
    }
  });

  it('keeps the password out of the log and fails the fetch in words with wrong credentials', async () => {
    const sink = new RecordingSink();
    const error = await executor
      .build(
        plan({ repository: { url: repo.url, credentials: 'wrong' } }),
        sink,
      )
      .catch(e => e);
    expect(error).toBeInstanceOf(BuildStepError);
    expect(error.step).toBe('fetch');
    expect(error.kind).toBe('fetch-failed');
    expect(error.message).toMatch(/could not be fetched/);
    expect(error.message).not.toContain(password);
    expect(allLogs(sink)).not.toContain(password);
  });

  it('masks the credentials in the log even when a build prints them', async () => {
    const sink = new RecordingSink();
    await executor.build(
      plan({
        buildScript: [
          ['echo', `token=${password}`],
          [
            'sh',
            '-c',
            `printf '%s' '${password.slice(
              0,
              10,
            )}'; sleep 0.2; echo '${password.slice(10)}'`,
          ],
        ],
      }),
      sink,
    );
    const text = allLogs(sink);
    expect(text).toContain('token=***');
    expect(text).not.toContain(password);
    expect(text).not.toContain(Buffer.from(password).toString('base64'));
  });

  it('refuses transport helpers and local paths as repositories', async () => {
    for (const url of [
      'ext::sh -c touch% /tmp/pwned',
      'file:///etc',
      '/etc',
      `http://builder:${password}@127.0.0.1/app.git`,
    ]) {
      const sink = new RecordingSink();
      const error = await executor
        .build(plan({ repository: { url, credentials: null } }), sink)
        .catch(e => e);
      expect(error).toBeInstanceOf(BuildStepError);
      expect(error.kind).toBe('fetch-failed');
      expect(error.message).toMatch(/is refused/);
      expect(error.message).not.toContain(password);
    }
    expect(existsSync('/tmp/pwned')).toBe(false);
  });
});

describe('pushing and cancelling', () => {
  let refusing: Server;
  afterAll(() => new Promise(resolve => refusing?.close(resolve)));

  it('says push-denied when the registry refuses the push', async () => {
    refusing = createServer((_req, res) => {
      res.writeHead(401, {
        'WWW-Authenticate': 'Basic realm="registry"',
        'Content-Type': 'application/json',
        'Docker-Distribution-API-Version': 'registry/2.0',
      });
      res.end(
        '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
      );
    });
    await new Promise<void>(r => refusing.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(refusing.address() as AddressInfo).port}`;
    const refusingExecutor = new LocalExecutor(
      {
        ...settings,
        registry: { insecureHosts: [registry, host], credentials: null },
      },
      { logger: mockServices.logger.mock() },
    );
    const sink = new RecordingSink();
    const error = await refusingExecutor
      .build(
        plan({
          buildScript: [],
          image: {
            repository: `${host}/${testRepository}/app`,
            branchTag: null,
          },
        }),
        sink,
      )
      .catch(e => e);
    expect(error).toBeInstanceOf(BuildStepError);
    expect(error.step).toBe('push');
    expect(error.kind).toBe('push-denied');
    expect(error.message).toMatch(/^the registry refused the push: /);
  });

  it('stops a cancelled build: its processes, its container and its scratch folder are gone', async () => {
    const marker = `${7000 + Math.floor(Math.random() * 999)}`;
    const sink = new RecordingSink();
    const p = plan({ buildScript: [['sleep', marker]] });
    const building = executor.build(p, sink).catch(e => e);
    await sink.until(() => sink.logText('build').includes(`$ sleep ${marker}`));
    await waitFor(() => sleeping(marker));
    sink.controller.abort(new Error('cancelled by a person'));
    const error = await building;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('cancelled by a person');
    expect(sleeping(marker)).toBe(false);
    expect(containers()).not.toContain(`codeflow-${p.runId}`);
    expect(existsSync(join(settings.workDir, p.runId))).toBe(false);
  });
});

function allLogs(sink: RecordingSink): string {
  return sink.logText();
}

/** the files under `dir` holding `text` */
function grepFiles(dir: string, text: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...grepFiles(path, text));
    else if (entry.isFile() && readFileSync(path).includes(text))
      found.push(path);
  }
  return found;
}

function containers(): string[] {
  return execFileSync(
    'buildah',
    [
      '--root',
      settings.storageRoot,
      '--runroot',
      settings.runRoot,
      '--storage-driver',
      'vfs',
      'containers',
      '--format',
      '{{.ContainerName}}',
    ],
    { encoding: 'utf8' },
  )
    .split('\n')
    .filter(Boolean);
}

/** whether a `sleep <marker>` process runs on this host */
function sleeping(marker: string): boolean {
  for (const pid of readdirSync('/proc').filter(d => /^\d+$/.test(d))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv[0].endsWith('sleep') && argv[1] === marker) return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

async function waitFor(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (predicate()) return;
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error('waited 60 s in vain');
}
