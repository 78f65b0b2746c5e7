import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { generateDockerfile, preprocessingDockerfile } from '../../dockerfile';
import { examplePlan, recordingSink } from '../__testUtils__/buildPlan';
import { buildParameters, buildStages } from '../buildStages';
import type { BuildPlan } from '../types';
import { FakeJenkins } from './__testUtils__/fakeJenkins';
import { JenkinsBuildExecutor } from './JenkinsBuildExecutor';
import { JenkinsClient } from './JenkinsClient';
import { JenkinsExecutor } from './JenkinsExecutor';

jest.setTimeout(300_000);

// The stages a Jenkins agent runs, run for real on this host as the agent would (each stage's
// `sh -euc` script, with the run's parameters as environment and a workspace kept between runs):
// git fetches a repository on disk, buildah (vfs storage, chroot isolation) builds the
// pre-processing image, runs the build script in the build image, assembles the image and pushes
// it to the local cloud's registry. The registry's digest must be the one the push step printed.
// Then the console text these outputs make, as Jenkins would serve it, goes through the adapter;
// a third run's build step is killed (SIGKILL) and the adapter says so.
const lc = useLocalCloud({ namespacePrefix: 'cfagent' });

describe('the Jenkins agent’s stage scripts, run with git and buildah', () => {
  let dir: string;
  let registry: string;
  let prefix: string;
  let env: Record<string, string>;

  const sh = (args: string[], extra: Record<string, string> = {}) =>
    execFileSync(args[0], args.slice(1), {
      encoding: 'utf8',
      env: { ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-agent-'));
    registry = lc.info.registry.url.replace(/^https?:\/\//, '');
    prefix = `${registry}/codeflow-agent-${randomBytes(4).toString('hex')}`;
    fs.writeFileSync(
      path.join(dir, 'storage.conf'),
      `[storage]\ndriver = "vfs"\ngraphroot = "${dir}/storage"\nrunroot = "${dir}/run"\n`,
    );
    env = {
      PATH: process.env.PATH!,
      HOME: dir,
      CONTAINERS_STORAGE_CONF: path.join(dir, 'storage.conf'),
      BUILDAH_ISOLATION: 'chroot',
      GIT_AUTHOR_NAME: 'Ada',
      GIT_AUTHOR_EMAIL: 'ada@example.com',
      GIT_COMMITTER_NAME: 'Ada',
      GIT_COMMITTER_EMAIL: 'ada@example.com',
    };
    // the base image: Debian's static busybox, pushed to the local registry
    const ctr = sh(['buildah', 'from', 'scratch']).trim();
    sh(['buildah', 'copy', ctr, '/usr/bin/busybox', '/bin/busybox']);
    sh(['buildah', 'run', ctr, '/bin/busybox', '--install', '-s', '/bin']);
    sh(['buildah', 'commit', '--quiet', ctr, `${prefix}/busybox:1`]);
    sh([
      'buildah',
      'push',
      '--tls-verify=false',
      `${prefix}/busybox:1`,
      `docker://${prefix}/busybox:1`,
    ]);
    sh(['buildah', 'rm', ctr]);
    // the app's repository
    sh(['git', 'init', '-q', '-b', 'main', `${dir}/shop`]);
    fs.writeFileSync(path.join(dir, 'shop', 'greeting.txt'), 'hello\n');
    sh(['git', '-C', `${dir}/shop`, 'add', '.']);
    sh(['git', '-C', `${dir}/shop`, 'commit', '-q', '-m', 'shop: greet']);
  });

  afterAll(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  function plan(buildNumber: number): BuildPlan {
    const base = `${prefix}/busybox:1`;
    const preScript = [['sh', '-c', 'echo pre > /etc/pre.txt']];
    const pre = `${prefix}/preprocessed:k1`;
    return examplePlan({
      codeflowId: 'cf-0123456789abcdef01234567',
      buildNumber,
      repository: { url: `file://${dir}/shop`, credentials: null },
      buildImage: { id: 'busybox', image: base, runtimeImage: base },
      buildScript: [
        ['mkdir', '-p', 'dist'],
        [
          'sh',
          '-c',
          'cat greeting.txt /etc/hostname >/dev/null; cp greeting.txt dist/; id -u >dist/uid',
        ],
      ],
      artifactPath: 'dist',
      dockerfile: generateDockerfile({
        codeflowId: 'cf-0123456789abcdef01234567',
        definition: {
          repositoryUrl: `file://${dir}/shop`,
          artifactPath: 'dist',
          deployPath: '/app',
          startCommand: ['cat', '/app/greeting.txt'],
          port: 8080,
          env: [],
        },
        baseImage: pre,
      }),
      preprocessing: {
        key: 'k1',
        dockerfile: preprocessingDockerfile(base, preScript),
        image: pre,
      },
      image: { repository: `${prefix}/app`, branchTag: 'main' },
    });
  }

  /** Runs the plan's stages as a Jenkins agent would; the console text Jenkins would serve. */
  function runOnAgent(p: BuildPlan, failing = false): string {
    const parameters = buildParameters(p, { registryInsecure: true });
    let console =
      'Started by user codeflow-bot\n[Pipeline] Start of Pipeline\n';
    let failed = false;
    for (const stage of buildStages(p, 'buildah')) {
      console += `[Pipeline] stage\n[Pipeline] { (${stage.name})\n`;
      if (failed) {
        // what Jenkins writes for the stages after a failure
        console += `Stage "${stage.name}" skipped due to earlier failure(s)\n[Pipeline] }\n[Pipeline] // stage\n`;
        continue;
      }
      console += '[Pipeline] sh\n';
      const result = spawnSync(
        stage.commands[0][0],
        stage.commands[0].slice(1),
        {
          encoding: 'utf8',
          env: { ...env, ...parameters, WORKSPACE: `${dir}/workspace` },
        },
      );
      console += `${result.stdout}${result.stderr}`;
      if (result.status !== 0) {
        if (!failing) {
          throw new Error(`the ${stage.name} stage failed:\n${console}`);
        }
        failed = true;
      }
      console += '[Pipeline] }\n[Pipeline] // stage\n';
    }
    if (failed)
      console +=
        '[Pipeline] End of Pipeline\nERROR: script returned exit code 1\n';
    else console += '[Pipeline] End of Pipeline\n';
    return console;
  }

  async function manifestDigest(reference: string) {
    const [repo, tag] = reference.replace(`${registry}/`, '').split(':');
    const response = await fetch(
      `${lc.info.registry.url}/v2/${repo}/manifests/${tag}`,
      {
        method: 'HEAD',
        headers: {
          Accept: [
            'application/vnd.oci.image.manifest.v1+json',
            'application/vnd.docker.distribution.manifest.v2+json',
          ].join(', '),
        },
      },
    );
    expect(response.status).toBe(200);
    return response.headers.get('docker-content-digest');
  }

  it('fetches, pre-processes, builds as a non-root user, assembles and pushes; the adapter reads the result from the console', async () => {
    // the agent's work first: the stages block this process while they run
    const plans = [plan(1), plan(2)];
    const consoles = plans.map(p => runOnAgent(p));
    // a third run whose build script the kernel kills (SIGKILL, as the OOM killer does)
    const killed = { ...plan(3), buildScript: [['sh', '-c', 'kill -9 $$']] };
    const killedConsole = runOnAgent(killed, true);
    const sha = sh(['git', '-C', `${dir}/shop`, 'rev-parse', 'HEAD']).trim();
    const jenkins = new FakeJenkins();
    await jenkins.start();
    try {
      const adapter = new JenkinsBuildExecutor(
        new JenkinsExecutor({
          client: new JenkinsClient({
            baseUrl: jenkins.url,
            username: jenkins.username,
            apiToken: jenkins.apiToken,
          }),
          sleep: async () => {},
        }),
        { sleep: async () => {}, registryInsecure: true },
      );
      const results = [];
      for (const [i, p] of plans.entries()) {
        jenkins.script('codeflow-cf-0123456789abcdef01234567', {
          chunks: [consoles[i]],
          result: 'SUCCESS',
        });
        const { sink, logs } = recordingSink();
        results.push(await adapter.build(p, sink));
        expect(logs.build).toBeDefined();
      }
      jenkins.script('codeflow-cf-0123456789abcdef01234567', {
        chunks: [killedConsole],
        result: 'FAILURE',
      });
      const failing = recordingSink();
      await expect(adapter.build(killed, failing.sink)).rejects.toMatchObject({
        name: 'BuildStepError',
        step: 'build',
        kind: 'build-failed',
        message:
          'the build step was killed, most likely out of memory (SIGKILL, exit 137); give the build more memory',
      });
      expect(failing.logs.build).toContain('subprocess exited on killed');
      expect(
        failing.events.filter(e => e[0] === 'started').map(e => e[1]),
      ).toEqual(['fetch', 'preprocess', 'build']);
      const [first, second] = results;
      expect(first).toEqual({
        commit: {
          sha,
          author: 'Ada <ada@example.com>',
          message: 'shop: greet',
        },
        images: [`${prefix}/app:${sha.slice(0, 7)}-1`, `${prefix}/app:main`],
        digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        preprocessingReused: false,
      });
      // the second run finds the pre-processing image of the same key in the registry
      expect(second.preprocessingReused).toBe(true);
      expect(await manifestDigest(first.images[0])).toBe(first.digest);
      expect(await manifestDigest(second.images[1])).toBe(second.digest);

      // the image: the artifact built by uid 10001, the revision label, on the pre-processed base
      const ctr = sh([
        'buildah',
        'from',
        '--tls-verify=false',
        second.images[0],
      ]).trim();
      // read from the container's mounted root (vfs), not through `buildah run`
      const root = sh(['buildah', 'mount', ctr]).trim();
      const mount = (file: string) =>
        fs.readFileSync(path.join(root, file), 'utf8');
      expect(mount('/app/greeting.txt')).toBe('hello\n');
      expect(mount('/app/uid')).toBe('10001\n');
      expect(mount('/etc/pre.txt')).toBe('pre\n');
      const labels = JSON.parse(sh(['buildah', 'inspect', ctr])).OCIv1.config
        .Labels;
      expect(labels['org.opencontainers.image.revision']).toBe(sha);
      sh(['buildah', 'umount', ctr]);
      sh(['buildah', 'rm', ctr]);
    } finally {
      await jenkins.stop();
    }
  });
});
