/**
 * Test helpers for packages whose tests run against the real local cloud.
 *
 * @packageDocumentation
 */
import { KubeConfig } from '@kubernetes/client-node';
import crypto from 'node:crypto';
import path from 'node:path';
import { LocalCloud, LocalCloudInfo } from '../LocalCloud';
import { LocalCloudClusterName, LocalCloudOptions } from '../settings';

/** @public */
export interface LocalCloudTestContext {
  readonly cloud: LocalCloud;
  readonly info: LocalCloudInfo;
  /** A namespace made for this test file in every cluster, deleted after it. */
  readonly namespace: string;
  /** An admin KubeConfig for one cluster (client certificate; the current context is that cluster). */
  kubeConfig(cluster: LocalCloudClusterName): KubeConfig;
}

let shared: Promise<{ cloud: LocalCloud; info: LocalCloudInfo }> | undefined;

/**
 * The local cloud for this test run: reuses a running instance (for example the one scripts/test
 * started) or starts one, once per process. Rejects with a one-line error when it cannot; a test
 * that needs the cloud then fails, it never skips.
 *
 * @public
 */
export function getLocalCloud(
  options: LocalCloudOptions = {},
): Promise<{ cloud: LocalCloud; info: LocalCloudInfo }> {
  if (!shared) {
    const cloud = new LocalCloud({
      ...options,
      progress: line => process.stderr.write(`[local-cloud] ${line}\n`),
    });
    shared = cloud.up().then(info => ({ cloud, info }));
    shared.catch(() => {
      shared = undefined;
    });
  }
  return shared;
}

/** A KubeConfig with the admin identity of one cluster of a running local cloud. @public */
export function kubeConfigFor(
  info: LocalCloudInfo,
  cluster: LocalCloudClusterName,
): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(info.kubeconfig);
  kc.setCurrentContext(cluster);
  return kc;
}

function namespaceName(prefix: string): string {
  let testFile = 'test';
  try {
    testFile = path.basename(expect.getState().testPath ?? 'test');
  } catch {
    // outside jest's expect
  }
  const stem = testFile
    .replace(/\.(test|spec)\.[jt]sx?$/, '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 40)
    .replace(/^-+|-+$/g, '');
  return `${prefix}-${stem}-${crypto.randomBytes(3).toString('hex')}`;
}

/**
 * Call at the top of a jest test file: before the tests, gets the local cloud (starting it if
 * needed, which may build it on first use) and makes a fresh namespace in every cluster; after
 * them, deletes the namespace. If the cloud cannot be had, every test in the file fails.
 *
 * @public
 */
export function useLocalCloud(
  options: LocalCloudOptions & {
    namespacePrefix?: string;
    timeoutMs?: number;
  } = {},
): LocalCloudTestContext {
  const {
    namespacePrefix = 'lct',
    timeoutMs = 20 * 60_000,
    ...cloudOptions
  } = options;
  let current:
    | { cloud: LocalCloud; info: LocalCloudInfo; namespace: string }
    | undefined;
  let failure: Error | undefined;

  const need = () => {
    if (current) return current;
    throw new Error(
      `the local cloud is not available to this test${
        failure ? `: ${failure.message}` : ' (used outside a test?)'
      }`,
    );
  };

  beforeAll(async () => {
    try {
      const { cloud, info } = await getLocalCloud(cloudOptions);
      const namespace = namespaceName(namespacePrefix);
      for (const cluster of info.clusters) {
        const api = cloud.adminClient(cluster.name);
        try {
          await api.expect('POST', '/api/v1/namespaces', {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: {
              name: namespace,
              labels: { 'local-cloud/test-namespace': 'true' },
            },
          });
          // pods are refused until the controller-manager made the namespace's default account
          const account = `/api/v1/namespaces/${namespace}/serviceaccounts/default`;
          while ((await api.request('GET', account)).status !== 200) {
            await new Promise(resolve => setTimeout(resolve, 100));
          }
        } finally {
          api.close();
        }
      }
      current = { cloud, info, namespace };
    } catch (error: any) {
      failure = error;
      throw new Error(`local cloud unavailable: ${error.message}`);
    }
  }, timeoutMs);

  afterAll(async () => {
    if (!current) return;
    const { cloud, info, namespace } = current;
    for (const cluster of info.clusters) {
      const api = cloud.adminClient(cluster.name);
      try {
        await api.expect(
          'DELETE',
          `/api/v1/namespaces/${namespace}`,
          undefined,
          [404],
        );
      } finally {
        api.close();
      }
    }
    current = undefined;
  }, 60_000);

  return {
    get cloud() {
      return need().cloud;
    },
    get info() {
      return need().info;
    },
    get namespace() {
      return need().namespace;
    },
    kubeConfig(cluster) {
      return kubeConfigFor(need().info, cluster);
    },
  };
}

/** Pushes a small valid image `repo:tag` to a registry (the local cloud's, in tests). @public */
export { pushExampleImage } from '../registry';
export { serveGitHttpBackend } from './gitHttpBackend';

export type {
  ClusterPorts,
  ComponentStatus,
  KubeEndpoint,
  KubeResponse,
  KubeRest,
  LocalCloud,
  LocalCloudCluster,
  LocalCloudClusterName,
  LocalCloudInfo,
  LocalCloudOptions,
  LocalCloudSettings,
  LocalGitCredentials,
  LocalGitRepository,
  LocalGitServer,
  SeedResult,
} from '../index';
