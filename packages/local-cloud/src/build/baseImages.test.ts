import { loadYaml } from '@kubernetes/client-node';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_DIR } from '../gitServer';
import { LOCAL_CLOUD_VERSIONS } from '../settings';
import { useLocalCloud } from '../testing';
import {
  JAVA_SKELETON_DIR,
  JAVA_VERSION,
  MAVEN_REPOSITORY,
  PYTHON_VERSION,
  baseImageFiles,
  baseImageReferences,
  baseImages,
  debianSourceLines,
  mavenMirrorSettings,
  readBaseImageRecord,
  writeJavaWarmUpProject,
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
      'codeflow/java:17',
      'codeflow/java:17-jre',
    ]);
  });
});

describe('the Java build image', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-java-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("warms its Maven repository with the skeleton's own pom.xml and sources, the template values filled in", () => {
    const out = path.join(dir, 'warm-up');
    writeJavaWarmUpProject(out);
    const pom = fs.readFileSync(path.join(out, 'pom.xml'), 'utf8');
    expect(pom).toContain('<artifactId>warm-up</artifactId>');
    // the dependency set is the skeleton's: the same parent, starters and plugins
    expect(pom.replace(/warm-up/g, '')).toBe(
      fs
        .readFileSync(path.join(JAVA_SKELETON_DIR, 'pom.xml'), 'utf8')
        .replace(/\$\{\{ values\.\w+ \}\}/g, ''),
    );
    expect(pom).toMatch(
      /<artifactId>spring-boot-starter-parent<\/artifactId>\s*<version>3\.5\.7<\/version>/,
    );
    const properties = fs.readFileSync(
      path.join(out, 'src/main/resources/application.properties'),
      'utf8',
    );
    expect(properties).toContain('server.port=${PORT:8080}');
    expect(fs.existsSync(path.join(out, 'src/test/java'))).toBe(true);
  });

  it('says which template value it cannot fill, instead of warming a broken project', () => {
    const skeleton = path.join(dir, 'skeleton');
    fs.mkdirSync(path.join(skeleton, 'src'), { recursive: true });
    fs.writeFileSync(
      path.join(skeleton, 'pom.xml'),
      '<artifactId>${{ values.team }}</artifactId>',
    );
    expect(() =>
      writeJavaWarmUpProject(path.join(dir, 'out1'), skeleton),
    ).toThrow(/\$\{\{ values\.team \}\} has no warm-up value/);
    fs.writeFileSync(
      path.join(skeleton, 'pom.xml'),
      '{% if values.x %}<x/>{% endif %}',
    );
    expect(() =>
      writeJavaWarmUpProject(path.join(dir, 'out2'), skeleton),
    ).toThrow(/cannot render is left \(\{% if values/);
  });

  it('reaches Maven Central directly unless LOCAL_CLOUD_MAVEN_MIRROR names a mirror, which takes central’s id', () => {
    expect(mavenMirrorSettings({})).toBeUndefined();
    const settings = mavenMirrorSettings({
      LOCAL_CLOUD_MAVEN_MIRROR: 'https://maven.invalid/central/',
    })!;
    expect(settings).toContain('<id>central</id>');
    expect(settings).toContain('<mirrorOf>central</mirrorOf>');
    expect(settings).toContain('<url>https://maven.invalid/central/</url>');
    expect(() =>
      mavenMirrorSettings({ LOCAL_CLOUD_MAVEN_MIRROR: 'maven.invalid' }),
    ).toThrow(/must be an http\(s\) URL/);
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
      // what apt-get installed, Java the JDK, Maven and the warmed repository, its runtime the JRE
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
        // Java: Debian's OpenJDK 17, the update the mirror's
        java: expect.stringMatching(
          new RegExp(`^${JAVA_VERSION}\\.\\d+\\.\\d+$`),
        ),
        'java-jre': expect.stringMatching(
          new RegExp(`^${JAVA_VERSION}\\.\\d+\\.\\d+$`),
        ),
      }[image.id];
      expect(version).toEqual(expected);
      expect(config.config.Env.includes(`PYTHON_VERSION=${version}`)).toBe(
        image.id === 'python',
      );
      expect(config.config.Env.includes(`JAVA_VERSION=${version}`)).toBe(
        image.id === 'java' || image.id === 'java-jre',
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
    {
      name: 'codeflow/java:17 and Java 17, an offline Maven build of the Java skeleton as the build user, Debian 12 answer inside',
      reference: () => baseImageReferences(lc.cloud.settings.registryPort).java,
      // what the local executor does: the sources in /workspace owned by the build user, who runs
      // the build script with HOME=/tmp; `-o`: every artifact from the image's repository
      workspace: true,
      script: [
        "java --version | head -n 1 | cut -d' ' -f2 | cut -d. -f1",
        'mvn -B -o package > /tmp/mvn.log 2>&1 || { tail -n 40 /tmp/mvn.log; exit 1; }',
        // the skeleton's tests, however many, all passed
        "grep -q 'Tests run: [1-9][0-9]*, Failures: 0, Errors: 0, Skipped: 0$' /tmp/mvn.log && echo 'tests passed'",
        'ls target/app.jar',
        'id -u',
        `test -w ${MAVEN_REPOSITORY} && echo writable`,
        'cut -d. -f1 /etc/debian_version',
      ],
      expected: () => [
        JAVA_VERSION,
        'tests passed',
        'target/app.jar',
        '10001',
        'writable',
        '12',
      ],
    },
    {
      name: 'codeflow/java:17-jre and Java 17 answer inside, and neither javac nor mvn (a JRE only)',
      reference: () =>
        baseImageReferences(lc.cloud.settings.registryPort).javaRuntime,
      script: [
        "java --version | head -n 1 | cut -d' ' -f2 | cut -d. -f1",
        'command -v javac mvn || echo "no javac, no mvn"',
        'cut -d. -f1 /etc/debian_version',
      ],
      expected: () => [JAVA_VERSION, 'no javac, no mvn', '12'],
    },
  ] as Array<{
    name: string;
    reference: () => string;
    workspace?: boolean;
    script: string[];
    expected: () => string[];
  }>;

  it.each(pulls)(
    'runs from the registry: buildah pulls $name',
    async ({ reference, workspace, script, expected }) => {
      const storage = fs.mkdtempSync(path.join(os.tmpdir(), 'lc-pull-'));
      const asBuildUser: string[] = [];
      if (workspace) {
        const sources = path.join(storage, 'workspace');
        writeJavaWarmUpProject(sources);
        spawnSync('chown', ['-R', '10001:10001', sources]);
        asBuildUser.push(
          '--user',
          '10001:10001',
          '--volume',
          `${sources}:/workspace:rw`,
          '--workingdir',
          '/workspace',
          '--env',
          'HOME=/tmp',
        );
      }
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
          ...asBuildUser,
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
      java: `${registry}/codeflow/java:17`,
      javaRuntime: `${registry}/codeflow/java:17-jre`,
    });
    const { python, java, javaRuntime } = baseImageReferences(
      lc.cloud.settings.registryPort,
    );
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
        id: 'java-17',
        title: 'Java 17 (Maven)',
        image: java,
        runtimeImage: javaRuntime,
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
