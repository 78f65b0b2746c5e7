import { loadYaml } from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_DIR } from '../gitServer';
import { LOCAL_CLOUD_VERSIONS } from '../settings';
import { useLocalCloud } from '../testing';
import {
  PYTHON_VERSION,
  baseImageFiles,
  baseImageReferences,
  baseImages,
  debianSourceLines,
  readBaseImageRecord,
} from './baseImages';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

describe('debianSourceLines', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-apt-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("reads the suite's sources from deb822 and one-line files, skipping other suites, deb-src and disabled stanzas", () => {
    const sources = path.join(dir, 'debian.sources');
    fs.writeFileSync(
      sources,
      [
        'Types: deb',
        '# a comment',
        'URIs: http://mirror.invalid/debian',
        'Suites: bookworm bookworm-updates',
        'Components: main',
        'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
        '',
        'Types: deb',
        'URIs: http://mirror.invalid/debian-security',
        'Suites: bookworm-security',
        'Components: main contrib',
        '',
        'Types: deb-src',
        'URIs: http://mirror.invalid/debian',
        'Suites: bookworm',
        'Components: main',
        '',
        'Enabled: no',
        'Types: deb',
        'URIs: http://disabled.invalid/debian',
        'Suites: bookworm',
        'Components: main',
        '',
      ].join('\n'),
    );
    const list = path.join(dir, 'extra.list');
    fs.writeFileSync(
      list,
      [
        '# deb http://commented.invalid/debian bookworm main',
        'deb [arch=amd64] http://other.invalid/debian bookworm main non-free',
        'deb http://other.invalid/debian trixie main',
        'deb-src http://other.invalid/debian bookworm main',
      ].join('\n'),
    );
    expect(
      debianSourceLines('bookworm', [
        sources,
        list,
        path.join(dir, 'missing.list'),
      ]),
    ).toEqual([
      'deb http://mirror.invalid/debian bookworm main',
      'deb http://mirror.invalid/debian bookworm-updates main',
      'deb http://mirror.invalid/debian-security bookworm-security main contrib',
      'deb http://other.invalid/debian bookworm main non-free',
    ]);
  });

  it("finds this machine's mirror for the build image's suite", () => {
    expect(
      debianSourceLines(LOCAL_CLOUD_VERSIONS.debianSuite).length,
    ).toBeGreaterThan(0);
  });
});

describe('the Node build image', () => {
  it('carries the Node version scripts/lib.sh brings for the repository', () => {
    const lib = fs.readFileSync(
      path.resolve(PACKAGE_DIR, '../../scripts/lib.sh'),
      'utf8',
    );
    expect(lib).toMatch(
      new RegExp(
        `^NODE_VERSION=${LOCAL_CLOUD_VERSIONS.node.replace(/\./g, '\\.')}$`,
        'm',
      ),
    );
    expect(baseImages().map(i => `${i.repository}:${i.tag}`)).toEqual([
      'codeflow/debian:bookworm',
      'codeflow/node:22',
      'codeflow/python:3.11',
    ]);
  });
});

describe('the codeflow build images on the local cloud', () => {
  const lc = useLocalCloud();

  it.each(baseImages().map(i => [`${i.repository}:${i.tag}`, i] as const))(
    '%s is in the registry after up, the manifest of the cached archive',
    async (_reference, image) => {
      const cached = readBaseImageRecord(lc.cloud.settings, image);
      expect(cached).toBeDefined();
      expect(
        fs.existsSync(baseImageFiles(lc.cloud.settings, image).archive),
      ).toBe(true);
      const registry = lc.info.registry.url;
      const res = await fetch(
        `${registry}/v2/${image.repository}/manifests/${image.tag}`,
        {
          headers: { Accept: OCI_MANIFEST },
        },
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('docker-content-digest')).toBe(
        cached!.manifestDigest,
      );
      const manifest = await res.json();
      expect(manifest.mediaType ?? OCI_MANIFEST).toBe(OCI_MANIFEST);
      // Debian is one layer (the minbase root file system); Node adds /usr/local on it, Python
      // what apt-get installed
      expect(manifest.layers).toHaveLength(image.id === 'debian' ? 1 : 2);
      for (const layer of manifest.layers) {
        expect(layer.mediaType).toBe(
          'application/vnd.oci.image.layer.v1.tar+gzip',
        );
      }
      const config = await (
        await fetch(
          `${registry}/v2/${image.repository}/blobs/${manifest.config.digest}`,
        )
      ).json();
      expect(config.os).toBe('linux');
      expect(config.config.Env).toContain(
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      );
      const node = `NODE_VERSION=${LOCAL_CLOUD_VERSIONS.node}`;
      expect(config.config.Env.includes(node)).toBe(image.id === 'node');
      const version: string =
        config.config.Labels['org.opencontainers.image.version'];
      // Python: Debian's python3 of the suite, the minor version fixed, the patch the mirror's
      const expected = {
        debian: LOCAL_CLOUD_VERSIONS.debianSuite,
        node: LOCAL_CLOUD_VERSIONS.node,
        python: expect.stringMatching(
          new RegExp(`^${PYTHON_VERSION.replace('.', '\\.')}\\.\\d+$`),
        ),
      }[image.id];
      expect(version).toEqual(expected);
      expect(config.config.Env.includes(`PYTHON_VERSION=${version}`)).toBe(
        image.id === 'python',
      );
    },
  );

  // each build image pulled back from the registry: what a codeflow build runs in answers inside it
  const pulls = [
    {
      name: 'codeflow/node:22 and Node, npm and Debian 12 answer inside',
      reference: () => lc.info.codeflowImages.node,
      script: [
        'node --version; npm --version; cut -d. -f1 /etc/debian_version',
      ],
      expected: () => [
        `v${LOCAL_CLOUD_VERSIONS.node}`,
        LOCAL_CLOUD_VERSIONS.npm,
        '12',
      ],
    },
    {
      name: 'codeflow/python:3.11 and Python 3.11, venv and Debian 12 answer inside',
      reference: () =>
        baseImageReferences(lc.cloud.settings.registryPort).python,
      script: [
        'python3 -c "import sys; print(\'%d.%d\' % sys.version_info[:2])"',
        // a venv with pip (ensurepip, no network): what a build script with dependencies does
        'python3 -m venv /tmp/venv',
        '/tmp/venv/bin/python -m pip --version | cut -d" " -f1',
        'cut -d. -f1 /etc/debian_version',
      ],
      expected: () => [PYTHON_VERSION, 'pip', '12'],
    },
  ];

  it.each(pulls)(
    'runs from the registry: buildah pulls $name',
    async ({ reference, script, expected }) => {
      const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-pull-'));
      const buildah = (args: string[]) => {
        const result = spawnSync(
          'buildah',
          [
            '--storage-driver',
            'vfs',
            '--root',
            path.join(storage, 'root'),
            '--runroot',
            path.join(storage, 'run'),
            ...args,
          ],
          { encoding: 'utf8' },
        );
        if (result.status !== 0)
          throw new Error(`buildah ${args[0]}: ${result.stderr}`);
        return result.stdout.trim();
      };
      try {
        const container = buildah([
          'from',
          '--quiet',
          '--tls-verify=false',
          reference(),
        ]);
        const said = buildah([
          'run',
          '--isolation',
          'chroot',
          container,
          '--',
          'sh',
          '-c',
          script.join('; '),
        ]);
        expect(said.split('\n')).toEqual(expected());
      } finally {
        fs.rmSync(storage, { recursive: true, force: true });
      }
    },
    300_000,
  );

  it('are the build images of the generated app-config, with the registry and executor keys', () => {
    const registry = `127.0.0.1:${lc.cloud.settings.registryPort}`;
    const codeflow = (
      loadYaml(fs.readFileSync(lc.info.appConfig, 'utf8')) as any
    ).containerCloud.codeflow;
    expect(lc.info.codeflowImages).toEqual({
      debian: `${registry}/codeflow/debian:bookworm`,
      node: `${registry}/codeflow/node:22`,
      python: `${registry}/codeflow/python:3.11`,
    });
    const { python } = baseImageReferences(lc.cloud.settings.registryPort);
    expect(codeflow.buildImages).toEqual([
      {
        id: 'node-22',
        title: 'Node 22',
        image: lc.info.codeflowImages.node,
        runtimeImage: lc.info.codeflowImages.node,
      },
      {
        id: 'python-3.11',
        title: 'Python 3.11',
        image: python,
        runtimeImage: python,
      },
      {
        id: 'debian-12',
        title: 'Debian 12',
        image: lc.info.codeflowImages.debian,
        runtimeImage: lc.info.codeflowImages.debian,
      },
    ]);
    expect(codeflow.executor).toBe('local');
    expect(codeflow.registry).toEqual({
      repository: `${registry}/codeflow`,
      insecure: true,
    });
    expect(codeflow.preprocessingRepository).toBe(
      `${registry}/codeflow/preprocessed`,
    );
    expect(codeflow.git).toEqual({
      url: lc.info.git.url,
      credentials: 'local-git',
    });
    expect(codeflow.repositoryHosts).toEqual([new URL(lc.info.git.url).host]);
    const saved = JSON.parse(
      fs.readFileSync(lc.info.git.credentialsFile, 'utf8'),
    );
    expect(codeflow.credentials).toEqual([
      {
        name: 'local-git',
        description: `the local cloud's git server (${lc.info.git.url})`,
        username: saved.username,
        password: saved.password,
      },
    ]);
    expect(codeflow.local).toEqual({
      workDir: path.join(lc.info.home, 'codeflow', 'work'),
      cacheDir: path.join(lc.info.home, 'codeflow', 'cache'),
      storageRoot: path.join(lc.info.home, 'codeflow', 'storage'),
      runRoot: path.join(lc.info.home, 'codeflow', 'runroot'),
      buildUser: 10001,
    });
    expect(codeflow.runs).toEqual({
      concurrency: 2,
      timeoutMinutes: 30,
      onNewPush: 'queue',
      maxLogBytes: 5242880,
      rolloutTimeoutSeconds: 600,
    });
    expect(codeflow.webhooks.encryptionKey).toEqual(expect.any(String));
  });
});
