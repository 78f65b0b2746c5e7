import type { Config } from '@backstage/config';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import {
  CodeflowCredential,
  readCodeflowConfig,
} from '../../definitions/codeflowConfig';

const KEY = 'containerCloud.codeflow.local';

/** What the local executor runs with (`containerCloud.codeflow.local`, `registry`, `credentials`). */
export interface LocalExecutorSettings {
  /** scratch folders, one per run (`<workDir>/<runId>`), removed after the run */
  workDir: string;
  /** kept working copies, one per codeflow (`<cacheDir>/<codeflowId>`) */
  cacheDir: string;
  /** buildah's `--root` (storage driver vfs) */
  storageRoot: string;
  /** buildah's `--runroot` */
  runRoot: string;
  /** the numeric uid (and gid) the build script runs as; never 0 */
  buildUser: number;
  registry: {
    /** registries reached over plain HTTP / without TLS verification (host[:port]) */
    insecureHosts: string[];
    /** the credentials' name when the plan names none */
    credentials: string | null;
  };
  credentials: CodeflowCredential[];
  /** the programs (tests may point these elsewhere); default `git`, `buildah` */
  git: string;
  buildah: string;
}

/** host[:port] of an image reference or repository (`127.0.0.1:5000/codeflow/x` → `127.0.0.1:5000`). */
export function registryHostOf(reference: string): string | null {
  const first = reference.split('/')[0];
  if (!reference.includes('/')) return null;
  return first.includes('.') || first.includes(':') || first === 'localhost'
    ? first
    : null;
}

/** Reads the local executor's settings; throws in words on a bad value. */
export function readLocalExecutorSettings(
  config: Config,
): LocalExecutorSettings {
  const local = config.getOptionalConfig(KEY);
  const base = join(tmpdir(), 'container-cloud-codeflow');
  const dir = (name: string, fallback: string) => {
    const value = local?.getOptionalString(name);
    if (value === undefined) return fallback;
    if (!isAbsolute(value)) {
      throw new Error(`${KEY}.${name} must be an absolute path, not ${value}`);
    }
    return resolve(value);
  };
  const buildUser = local?.getOptionalNumber('buildUser') ?? 10001;
  if (!Number.isInteger(buildUser) || buildUser < 1 || buildUser > 2 ** 31) {
    throw new Error(
      `${KEY}.buildUser must be a numeric uid above 0 (the build never runs as root), not ${buildUser}`,
    );
  }
  const registry = config.getOptionalConfig('containerCloud.codeflow.registry');
  const insecure = registry?.getOptionalBoolean('insecure') ?? false;
  const insecureHosts = new Set<string>();
  if (insecure) {
    for (const key of ['containerCloud.codeflow.registry.repository']) {
      const host = registryHostOf(config.getOptionalString(key) ?? '');
      if (host) insecureHosts.add(host);
    }
    const pre = config.getOptionalString(
      'containerCloud.codeflow.preprocessingRepository',
    );
    const preHost = pre ? registryHostOf(pre) : null;
    if (preHost) insecureHosts.add(preHost);
  }
  const { credentials } = readCodeflowConfig(config);
  const registryCredentials =
    registry?.getOptionalString('credentials') ?? null;
  if (
    registryCredentials &&
    !credentials.some(c => c.name === registryCredentials)
  ) {
    throw new Error(
      `containerCloud.codeflow.registry.credentials names ${registryCredentials}, which is no entry of containerCloud.codeflow.credentials`,
    );
  }
  return {
    workDir: dir('workDir', join(base, 'work')),
    cacheDir: dir('cacheDir', join(base, 'cache')),
    storageRoot: dir('storageRoot', join(base, 'storage')),
    runRoot: dir('runRoot', join(base, 'run')),
    buildUser,
    registry: {
      insecureHosts: [...insecureHosts],
      credentials: registryCredentials,
    },
    credentials,
    git: 'git',
    buildah: 'buildah',
  };
}
