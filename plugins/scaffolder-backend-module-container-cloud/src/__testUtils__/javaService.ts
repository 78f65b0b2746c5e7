import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { freePort } from './goldenPath';

/**
 * What only the Java golden-path tests need: the machine's JDK and Maven (checked, with the
 * command that installs them), their environment, and the local cloud's Java build image.
 */

/** The JDK's major version the skeleton is built for (pom.xml's java.version). */
export const JAVA_MAJOR = 17;

/**
 * The machine's `java` and `mvn`, or an error saying what is missing and how to install it: the
 * skeleton's build runs for real, never skipped.
 */
export function requireJavaToolchain(): { java: string; maven: string } {
  const java = spawnSync('java', ['--version'], { encoding: 'utf8' });
  const maven = spawnSync('mvn', ['-B', '--version'], { encoding: 'utf8' });
  const install =
    'install them: apt-get install -y openjdk-17-jdk-headless maven';
  if (java.error || java.status !== 0) {
    throw new Error(
      `the Java template's test builds its skeleton with the machine's JDK ${JAVA_MAJOR}, and 'java --version' failed (${
        java.error?.message ?? java.stderr
      }): ${install}`,
    );
  }
  const major = Number(/^\S+ (\d+)/.exec(java.stdout)?.[1]);
  if (!(major >= JAVA_MAJOR)) {
    throw new Error(
      `the Java template's skeleton needs Java ${JAVA_MAJOR} or later; 'java --version' says ${
        java.stdout.split('\n')[0]
      }: ${install}`,
    );
  }
  if (maven.error || maven.status !== 0) {
    throw new Error(
      `the Java template's test builds its skeleton with the machine's Maven, and 'mvn --version' failed (${
        maven.error?.message ?? maven.stderr
      }): ${install}`,
    );
  }
  return {
    java: java.stdout.split('\n')[0],
    maven: maven.stdout.split('\n')[0],
  };
}

/**
 * A clean environment for the JDK and Maven (not jest's): PATH, HOME (Maven's ~/.m2) and
 * JAVA_HOME, plus `extra`.
 */
export function javaEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...extra };
  for (const key of ['HOME', 'JAVA_HOME']) {
    if (process.env[key]) env[key] = process.env[key];
  }
  return env;
}

/**
 * A build script command for the machine's Maven: `-o` (offline) dropped, since offline is what
 * the build image's warmed repository gives, and this machine's ~/.m2 may not hold the
 * skeleton's dependencies yet (Maven downloads them once).
 */
export function onTheMachine(argv: string[]): string[] {
  return argv.filter(arg => arg !== '-o' && arg !== '--offline');
}

/**
 * The local cloud's Java build image: `java-17` among the generated app-config's build images,
 * its image (`codeflow/java:17`) and runtime image (`codeflow/java:17-jre`) in its registry. An error says how to get them (`local-cloud up` as root
 * builds and pushes the image and writes the config).
 */
export async function requireJavaBuildImage(): Promise<{
  image: string;
  runtimeImage: string;
}> {
  const file = process.env.LOCAL_CLOUD_APP_CONFIG;
  if (!file) {
    throw new Error(
      'LOCAL_CLOUD_APP_CONFIG is not set: load the local cloud environment (eval "$(node packages/local-cloud/bin/local-cloud env)")',
    );
  }
  const config = yaml.load(readFileSync(file, 'utf8')) as any;
  const images: Array<{ id: string; image: string; runtimeImage: string }> =
    config?.containerCloud?.codeflow?.buildImages ?? [];
  const java = images.find(i => i.id === 'java-17');
  if (!java) {
    throw new Error(
      `the local cloud's app-config (${file}) lists no build image java-17 (it has ${
        images.map(i => i.id).join(', ') || 'none'
      }): run 'node packages/local-cloud/bin/local-cloud up' as root, which builds codeflow/java:17, pushes it and writes the config`,
    );
  }
  for (const reference of [java.image, java.runtimeImage]) {
    // <host:port>/<repository>:<tag>
    const match = /^([^/]+)\/(.+):([^:/]+)$/.exec(reference);
    if (!match) {
      throw new Error(`java-17's image is not host/repo:tag: ${reference}`);
    }
    const [, host, repository, tag] = match;
    const res = await fetch(
      `http://${host}/v2/${repository}/manifests/${tag}`,
      {
        method: 'HEAD',
        headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
      },
    ).catch(error => {
      throw new Error(
        `the local cloud's registry (${host}) does not answer (${error.message}): is the local cloud up?`,
      );
    });
    if (res.status !== 200) {
      throw new Error(
        `the local cloud's registry has no ${repository}:${tag} (HEAD answered ${res.status}): run 'node packages/local-cloud/bin/local-cloud up' as root, which builds and pushes it`,
      );
    }
  }
  return { image: java.image, runtimeImage: java.runtimeImage };
}

/**
 * Pulls a built image of the Java golden path from the local registry (buildah, vfs storage of its
 * own, removed after) and runs it as a pod would: its entrypoint, its user, PORT. Inside, with the
 * JDK's own tools (the image has no curl): waits for "Started Application" in its log, asks
 * `/healthz` (a one-line Java program run by the `java` launcher), sends SIGTERM and reports.
 */
export async function runBuiltJavaImage(image: string): Promise<{
  files: string[];
  user: string;
  healthz: string;
  exitCode: number;
  log: string;
}> {
  const storage = mkdtempSync(join(tmpdir(), 'java-built-image-'));
  const buildah = (args: string[]) => {
    const result = spawnSync(
      'buildah',
      [
        '--storage-driver',
        'vfs',
        '--root',
        join(storage, 'root'),
        '--runroot',
        join(storage, 'run'),
        ...args,
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    if (result.error || result.status !== 0) {
      throw new Error(
        `buildah ${args[0]} failed: ${result.error?.message ?? result.stderr}`,
      );
    }
    return result.stdout.trim();
  };
  try {
    const container = buildah(['from', '--quiet', '--tls-verify=false', image]);
    const config = JSON.parse(buildah(['inspect', container])).OCIv1.config;
    const entrypoint: string[] = [
      ...(config.Entrypoint ?? []),
      ...(config.Cmd ?? []),
    ];
    const quoted = entrypoint
      .map(a => `'${a.replace(/'/g, `'\\''`)}'`)
      .join(' ');
    // java's single-file source launcher: no compiler step, no curl needed
    const probe =
      'public class Probe { public static void main(String[] a) throws Exception { var c = (java.net.HttpURLConnection) new java.net.URL("http://127.0.0.1:" + a[0] + "/healthz").openConnection(); System.out.print(new String(c.getInputStream().readAllBytes())); } }';
    const port = await freePort();
    const script = [
      'ls /app',
      'echo "user=$(id -u)"',
      `PORT=${port} ${quoted} > /tmp/app.log 2>&1 &`,
      'pid=$!',
      'i=0; until grep -q "Started Application" /tmp/app.log; do i=$((i + 1)); if [ $i -gt 240 ] || ! kill -0 $pid 2>/dev/null; then echo "never started"; cat /tmp/app.log; exit 1; fi; sleep 0.5; done',
      `printf '%s' '${probe}' > /tmp/Probe.java`,
      `echo "healthz=$(java /tmp/Probe.java ${port})"`,
      'kill -TERM $pid',
      'wait $pid; echo "exit=$?"',
      'echo "--- log"; cat /tmp/app.log',
    ].join('\n');
    const said = buildah([
      'run',
      '--isolation',
      'chroot',
      '--workingdir',
      config.WorkingDir ?? '/',
      container,
      '--',
      'sh',
      '-c',
      script,
    ]);
    const [head, log = ''] = said.split('\n--- log\n');
    const lines = head.split('\n');
    const value = (key: string) =>
      lines.find(l => l.startsWith(`${key}=`))?.slice(key.length + 1) ?? '';
    return {
      files: lines.filter(l => !l.includes('=')),
      user: value('user'),
      healthz: value('healthz'),
      exitCode: Number(value('exit')),
      log,
    };
  } finally {
    rmSync(storage, { recursive: true, force: true });
  }
}
