import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { BuildSink, BuildStep, BuildCommit } from '../../types';

/** The local cloud's registry as host:port (from LOCAL_CLOUD_REGISTRY_URL). */
export function localRegistryHost(): string {
  const url = process.env.LOCAL_CLOUD_REGISTRY_URL;
  if (!url) {
    throw new Error(
      'LOCAL_CLOUD_REGISTRY_URL is not set: load the local cloud environment (eval "$(node packages/local-cloud/bin/local-cloud env)")',
    );
  }
  return new URL(url).host;
}

/**
 * A 2 MB base image from Debian's busybox-static (`/bin/busybox` on this host): `buildah from
 * scratch`, busybox and its applet links, /tmp, PATH; committed and pushed to `image` (plain HTTP).
 */
export function buildBusyboxImage(options: {
  image: string;
  dir: string;
  storageRoot: string;
  runRoot: string;
}): void {
  if (!existsSync('/bin/busybox')) {
    throw new Error(
      "/bin/busybox is missing: install Debian's busybox-static (apt-get install busybox-static); the test builds its 2 MB base image from it",
    );
  }
  const rootfs = join(options.dir, 'busybox-rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  mkdirSync(join(rootfs, 'tmp'), { recursive: true });
  mkdirSync(join(rootfs, 'etc'), { recursive: true });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  copyFileSync('/bin/busybox', join(rootfs, 'bin', 'busybox'));
  for (const applet of [
    'sh',
    'cat',
    'cp',
    'ls',
    'mkdir',
    'echo',
    'ln',
    'sleep',
    'id',
    'env',
    'test',
    'true',
    'false',
    'rm',
    'touch',
    'readlink',
  ]) {
    symlinkSync('busybox', join(rootfs, 'bin', applet));
  }
  const buildah = (...args: string[]) =>
    execFileSync(
      'buildah',
      [
        '--root',
        options.storageRoot,
        '--runroot',
        options.runRoot,
        '--storage-driver',
        'vfs',
        ...args,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    ).trim();
  const container = buildah('from', 'scratch');
  try {
    buildah('copy', container, `${rootfs}/`, '/');
    buildah('config', '--env', 'PATH=/bin', container);
    buildah('commit', '--quiet', container, options.image);
  } finally {
    buildah('rm', container);
  }
  buildah(
    'push',
    '--tls-verify=false',
    options.image,
    `docker://${options.image}`,
  );
}

const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** What the registry holds for an image: its manifest digest, config and the layers' files. */
export async function readImageFromRegistry(image: string): Promise<{
  digest: string;
  config: {
    config: {
      User?: string;
      Entrypoint?: string[];
      Cmd?: string[] | null;
      Labels?: Record<string, string>;
      WorkingDir?: string;
      ExposedPorts?: Record<string, unknown>;
    };
  };
  /** every layer, decompressed, one after the other */
  layers: Buffer[];
}> {
  const slash = image.indexOf('/');
  const host = image.slice(0, slash);
  const colon = image.lastIndexOf(':');
  const repository = image.slice(slash + 1, colon);
  const tag = image.slice(colon + 1);
  const base = `http://${host}/v2/${repository}`;
  const manifestResponse = await fetch(`${base}/manifests/${tag}`, {
    headers: { Accept: ACCEPT },
  });
  if (!manifestResponse.ok) {
    throw new Error(
      `${image}: the registry answered ${manifestResponse.status}`,
    );
  }
  const digest = manifestResponse.headers.get('docker-content-digest') ?? '';
  const manifest = (await manifestResponse.json()) as {
    config: { digest: string };
    layers: Array<{ digest: string; mediaType: string }>;
  };
  const blob = async (d: string) =>
    Buffer.from(await (await fetch(`${base}/blobs/${d}`)).arrayBuffer());
  const config = JSON.parse(
    (await blob(manifest.config.digest)).toString('utf8'),
  );
  const layers: Buffer[] = [];
  for (const layer of manifest.layers) {
    const bytes = await blob(layer.digest);
    layers.push(layer.mediaType.includes('gzip') ? gunzipSync(bytes) : bytes);
  }
  return { digest, config, layers };
}

/** The entries of an (uncompressed) tar: name, type flag ('0' file, '2' symlink…), link target, content. */
export function tarEntries(
  tar: Buffer,
): Array<{ name: string; type: string; link: string; content: Buffer }> {
  const entries: Array<{
    name: string;
    type: string;
    link: string;
    content: Buffer;
  }> = [];
  let offset = 0;
  let longName: string | null = null;
  let paxPath: string | null = null;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every(b => b === 0)) break;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const prefix = field(345, 155);
    let name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const content = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = content.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === 'x') {
      const m = /\d+ path=([^\n]*)\n/.exec(content.toString('utf8'));
      paxPath = m ? m[1] : null;
      continue;
    }
    if (longName) name = longName;
    if (paxPath) name = paxPath;
    longName = null;
    paxPath = null;
    entries.push({
      name: name.replace(/^\.?\//, ''),
      type,
      link: field(157, 100),
      content,
    });
  }
  return entries;
}

/** A BuildSink that records everything, for tests. */
export class RecordingSink implements BuildSink {
  readonly events: string[] = [];
  readonly logs: Array<{ step: BuildStep; text: string }> = [];
  readonly finished = new Map<BuildStep, { status: string; detail?: string }>();
  commitSeen: BuildCommit | null = null;
  readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  private waiters: Array<() => void> = [];

  async stepStarted(step: BuildStep) {
    this.events.push(`started ${step}`);
    this.wake();
  }
  async stepFinished(
    step: BuildStep,
    outcome: { status: 'succeeded' | 'skipped'; detail?: string },
  ) {
    this.events.push(`${outcome.status} ${step}`);
    this.finished.set(step, outcome);
    this.wake();
  }
  log(step: BuildStep, text: string) {
    this.logs.push({ step, text });
    this.wake();
  }
  async commit(commit: BuildCommit) {
    this.commitSeen = commit;
  }
  logText(step?: BuildStep): string {
    return this.logs
      .filter(l => step === undefined || l.step === step)
      .map(l => l.text)
      .join('');
  }
  /** resolves once `predicate` holds (checked after every event) */
  until(predicate: () => boolean): Promise<void> {
    return new Promise(resolve => {
      const check = () => {
        if (predicate()) resolve();
        else this.waiters.push(check);
      };
      check();
    });
  }
  private wake() {
    const waiting = this.waiters;
    this.waiters = [];
    waiting.forEach(w => w());
  }
}

/** Removes every tag's manifest of `repository` (host/path) from the registry (its delete API). */
export async function deleteFromRegistry(repository: string): Promise<void> {
  const slash = repository.indexOf('/');
  const base = `http://${repository.slice(0, slash)}/v2/${repository.slice(
    slash + 1,
  )}`;
  const list = await fetch(`${base}/tags/list`);
  if (!list.ok) return;
  const { tags } = (await list.json()) as { tags: string[] | null };
  for (const tag of tags ?? []) {
    const head = await fetch(`${base}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { Accept: ACCEPT },
    });
    const digest = head.headers.get('docker-content-digest');
    if (digest)
      await fetch(`${base}/manifests/${digest}`, { method: 'DELETE' });
  }
}
