/**
 * What the end-to-end codeflow test and the codeflow benchmarks share: the local cloud's pieces a
 * real build needs (checked loudly), a copy of payments-api's seeded repository on the local git
 * server, the codeflow API as a user calls it, waits for runs, and the Deployments' images.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockCredentials } from '@backstage/backend-test-utils';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import {
  isFinishedRunStatus,
  type CodeflowDefinition,
  type CodeflowRun,
} from '@internal/plugin-container-cloud-common';
import { localCloudAppConfig } from '../../__testUtils__/startCodeflowBackend';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

/** The codeflow keys of the local cloud's generated app-config, and the pieces they name. */
export interface LocalCloudCodeflow {
  /** `containerCloud.codeflow` as the local cloud wrote it */
  codeflow: {
    executor?: string;
    registry: { repository: string; insecure?: boolean };
    local: { workDir: string };
    buildImages: Array<{ id: string; image: string; runtimeImage: string }>;
    credentials: Array<{ name: string; password?: string }>;
    git: { url: string; credentials: string };
    [key: string]: unknown;
  };
  git: { url: string; username: string; password: string };
  /** host:port of the registry */
  registry: string;
}

/**
 * The local cloud's codeflow set-up, or an error that names what is missing (the env, the git
 * server, buildah, the Node build image): a missing piece fails the test, never skips it.
 */
export async function localCloudCodeflow(): Promise<LocalCloudCodeflow> {
  const config = localCloudAppConfig();
  if (!config) {
    throw new Error(
      'LOCAL_CLOUD_APP_CONFIG is not set: load the local cloud env (eval "$(node packages/local-cloud/bin/local-cloud env)")',
    );
  }
  const codeflow = config.containerCloud
    .codeflow as LocalCloudCodeflow['codeflow'];
  if (!codeflow?.git?.url || !codeflow.registry?.repository) {
    throw new Error(
      `${process.env.LOCAL_CLOUD_APP_CONFIG} has no containerCloud.codeflow.git/registry: run 'local-cloud up' with the git server`,
    );
  }
  if ((codeflow.executor ?? 'local') !== 'local') {
    throw new Error(
      `the local cloud's codeflow executor is ${codeflow.executor}, this test needs local`,
    );
  }
  const credentialsFile = process.env.LOCAL_CLOUD_GIT_CREDENTIALS;
  if (!credentialsFile) {
    throw new Error(
      'LOCAL_CLOUD_GIT_CREDENTIALS is not set: load the local cloud env',
    );
  }
  const git = JSON.parse(readFileSync(credentialsFile, 'utf8'));
  for (const program of ['git', 'buildah']) {
    try {
      execFileSync(program, ['--version'], { stdio: 'ignore' });
    } catch {
      throw new Error(
        `${program} is not installed: the local executor needs it (the local cloud's up installs it)`,
      );
    }
  }
  const registry = codeflow.registry.repository.split('/')[0];
  const node = codeflow.buildImages.find(b => b.id === 'node-22');
  if (!node) {
    throw new Error(
      'the local cloud offers no build image node-22: run local-cloud up as root (it builds the codeflow base images)',
    );
  }
  const ref = node.image.slice(registry.length + 1);
  const colon = ref.lastIndexOf(':');
  const manifest = await fetch(
    `http://${registry}/v2/${ref.slice(0, colon)}/manifests/${ref.slice(
      colon + 1,
    )}`,
    { method: 'HEAD', headers: { Accept: MANIFEST_TYPES } },
  ).catch(error => {
    throw new Error(
      `the local cloud's registry ${registry} does not answer: ${error}`,
    );
  });
  if (!manifest.ok) {
    throw new Error(
      `the build image ${node.image} is not in the registry (${manifest.status}): run local-cloud up as root`,
    );
  }
  return { codeflow, git, registry };
}

/** The registry's manifest digest of `host/repository:tag`, or undefined when it has no such tag. */
export async function registryDigest(
  image: string,
): Promise<string | undefined> {
  const slash = image.indexOf('/');
  const colon = image.lastIndexOf(':');
  const res = await fetch(
    `http://${image.slice(0, slash)}/v2/${image.slice(
      slash + 1,
      colon,
    )}/manifests/${image.slice(colon + 1)}`,
    { headers: { Accept: MANIFEST_TYPES } },
  );
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`${image}: the registry answered ${res.status}`);
  return res.headers.get('docker-content-digest') ?? undefined;
}

/** Deletes the manifest of each image (`host/repository:tag`) from the registry. */
export async function deleteImages(images: string[]): Promise<void> {
  for (const image of images) {
    const digest = await registryDigest(image).catch(() => undefined);
    if (!digest) continue;
    const slash = image.indexOf('/');
    const colon = image.lastIndexOf(':');
    await fetch(
      `http://${image.slice(0, slash)}/v2/${image.slice(
        slash + 1,
        colon,
      )}/manifests/${digest}`,
      { method: 'DELETE' },
    ).catch(() => undefined);
  }
}

/**
 * A repository of this test on the local git server with payments-api's seeded history (a copy:
 * the test pushes failing and slow commits, which must not land on the `payments-api` others
 * build), a working clone of it, and its push webhooks.
 */
export class LocalGitRepository {
  readonly name: string;
  readonly dir: string;
  cloneUrl = '';
  private readonly hooks: string[] = [];

  constructor(
    private readonly git: LocalCloudCodeflow['git'],
    prefix = 'payments-api-e2e',
  ) {
    this.name = `${prefix}-${randomBytes(4).toString('hex')}`;
    this.dir = mkdtempSync(join(tmpdir(), `${this.name}-`));
  }

  private get authHeader(): string {
    return `Basic ${Buffer.from(
      `${this.git.username}:${this.git.password}`,
    ).toString('base64')}`;
  }

  /** The git server's API, with its basic auth. */
  async api(method: string, path: string, body?: unknown) {
    const res = await fetch(`${this.git.url}${path}`, {
      method,
      headers: {
        Authorization: this.authHeader,
        'Content-Type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  /** git in the working clone (the credentials in a header of this call only, never stored). */
  run(...args: string[]): string {
    return execFileSync(
      'git',
      ['-c', `http.extraHeader=Authorization: ${this.authHeader}`, ...args],
      {
        cwd: this.dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH,
          HOME: this.dir,
          GIT_CONFIG_NOSYSTEM: '1',
          GIT_TERMINAL_PROMPT: '0',
          GIT_AUTHOR_NAME: 'Codeflow E2E',
          GIT_AUTHOR_EMAIL: 'codeflow-e2e@example.com',
          GIT_COMMITTER_NAME: 'Codeflow E2E',
          GIT_COMMITTER_EMAIL: 'codeflow-e2e@example.com',
        },
      },
    ).trim();
  }

  /** Makes the repository with `source`'s history (default the seeded payments-api), cloned here. */
  async create(source = 'payments-api'): Promise<void> {
    const seeded = await this.api('GET', `/api/repos/${source}`);
    if (seeded.status !== 200) {
      throw new Error(
        `the local git server has no repository ${source} (${seeded.status}): run 'local-cloud seed'`,
      );
    }
    const created = await this.api('POST', '/api/repos', { name: this.name });
    if (created.status !== 201) {
      throw new Error(
        `the local git server refused repository ${this.name}: ${
          created.status
        } ${JSON.stringify(created.body)}`,
      );
    }
    this.cloneUrl = created.body.cloneUrl;
    this.run('clone', '--quiet', '--branch', 'main', seeded.body.cloneUrl, '.');
    this.run('push', '--quiet', this.cloneUrl, 'main:refs/heads/main');
    this.run('remote', 'set-url', 'origin', this.cloneUrl);
  }

  /** Registers a push webhook; removed by `remove()`. */
  async addHook(url: string, token: string): Promise<void> {
    const res = await this.api('POST', `/api/repos/${this.name}/hooks`, {
      url,
      token,
    });
    if (res.status !== 201 && res.status !== 200) {
      throw new Error(
        `the local git server refused the hook: ${res.status} ${JSON.stringify(
          res.body,
        )}`,
      );
    }
    this.hooks.push(res.body.id);
  }

  /** Commits everything changed in the clone and pushes it to main; resolves the commit's sha. */
  commitAndPush(message: string): string {
    this.run('add', '--all');
    this.run('commit', '--quiet', '--allow-empty', '-m', message);
    this.run('push', '--quiet', 'origin', 'main');
    return this.run('rev-parse', 'HEAD');
  }

  /** Removes the hooks, the repository and the clone. */
  async remove(): Promise<void> {
    for (const id of this.hooks.splice(0)) {
      await this.api('DELETE', `/api/repos/${this.name}/hooks/${id}`).catch(
        () => undefined,
      );
    }
    await this.api('DELETE', `/api/repos/${this.name}`).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The backend's real scheduler: the test backends' mock one runs each task once at start-up, and
 * the run engine takes webhook requests from its polling task.
 */
/**
 * payments-api's codeflow on the local cloud: Node 22, `npm ci`, `npm test`, `npm run build`, the
 * contents of dist/ copied into /app (the working directory, so it starts with `node server.js`),
 * manual runs only and no targets unless `fields` says otherwise.
 */
export function paymentsApiCodeflow(
  repo: LocalGitRepository,
  fields: Partial<CodeflowDefinition> & { name: string },
): CodeflowDefinition {
  return {
    repositoryUrl: repo.cloneUrl,
    credentials: 'local-git',
    ref: { kind: 'branch', pattern: 'main' },
    buildImage: 'node-22',
    buildScript: [
      ['npm', 'ci'],
      ['npm', 'test'],
      ['npm', 'run', 'build'],
    ],
    artifactPath: 'dist',
    deployPath: '/app',
    startCommand: ['node', 'server.js'],
    port: 8080,
    env: [],
    targets: [],
    triggers: { manual: true, webhook: { enabled: false, rules: [] } },
    ...fields,
  };
}

export { schedulerServiceFactory as realScheduler } from '@backstage/backend-defaults/scheduler';

/** The codeflow backend's API under `base` (…/api/codeflow) as one user. */
export function codeflowApi(base: string, user: string) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        Authorization: mockCredentials.user.header(user),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // a text answer (the log)
    }
    return { status: res.status, body: parsed, text };
  };
  return {
    call,
    /** the call's body when its status is `status`, else an error with the answer */
    async expect(status: number, method: string, path: string, body?: unknown) {
      const res = await call(method, path, body);
      if (res.status !== status) {
        throw new Error(
          `${method} ${path}: expected ${status}, got ${
            res.status
          } ${res.text.slice(0, 2000)}`,
        );
      }
      return res.body;
    },
  };
}

export type CodeflowApi = ReturnType<typeof codeflowApi>;

/**
 * Polls a codeflow's runs until one builds `sha` (the webhook's), then until `until` holds for it
 * (default: finished); throws after `timeoutMs` naming the state it saw.
 */
export async function waitForRun(
  api: CodeflowApi,
  runsPath: string,
  sha: string,
  options: {
    until?: (run: CodeflowRun) => boolean;
    timeoutMs?: number;
    onRun?: (run: CodeflowRun) => void;
  } = {},
): Promise<CodeflowRun> {
  const until = options.until ?? (r => isFinishedRunStatus(r.status));
  const deadline = Date.now() + (options.timeoutMs ?? 20 * 60_000);
  // a webhook's run appears within seconds (the engine polls every 2 s)
  const appearBy = Date.now() + 3 * 60_000;
  let last: CodeflowRun | undefined;
  for (;;) {
    const list = await api.expect(200, 'GET', `${runsPath}?limit=20`);
    last = (list.items as CodeflowRun[]).find(r => r.commit?.sha === sha);
    if (last) {
      options.onRun?.(last);
      if (until(last)) return last;
    }
    if (!last && Date.now() > appearBy) {
      const deliveries = await api.call(
        'GET',
        `${runsPath.replace(/\/runs$/, '')}/deliveries?limit=5`,
      );
      throw new Error(
        `no run of commit ${sha.slice(
          0,
          7,
        )} appeared after 3 minutes; the codeflow's newest deliveries: ${deliveries.text.slice(
          0,
          3000,
        )}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(
        last
          ? `run #${last.number} of ${sha.slice(0, 7)} is still ${
              last.status
            } (steps ${last.steps
              .map(s => `${s.name}:${s.status}`)
              .join(', ')}) after ${options.timeoutMs ?? 20 * 60_000} ms`
          : `no run of commit ${sha.slice(
              0,
              7,
            )} appeared: did the git server's webhook reach the backend? (GET deliveries)`,
      );
    }
    await sleep(1000);
  }
}

/** A Deployment's first container image and rollout state, in one cluster. */
export async function deploymentImage(
  cluster: string,
  namespace: string,
  name: string,
): Promise<{
  image: string;
  container: string;
  replicas: number;
  updated: number;
  available: number;
}> {
  const kc = new KubeConfig();
  kc.loadFromDefault();
  kc.setCurrentContext(cluster);
  const d = await kc
    .makeApiClient(AppsV1Api)
    .readNamespacedDeployment({ name, namespace });
  const container = d.spec!.template.spec!.containers[0];
  return {
    image: container.image!,
    container: container.name,
    replicas: d.spec?.replicas ?? 1,
    updated: d.status?.updatedReplicas ?? 0,
    available: d.status?.availableReplicas ?? 0,
  };
}

/** Sets a Deployment's container image back (a strategic merge patch, as `kubectl set image`). */
export async function setDeploymentImage(
  cluster: string,
  namespace: string,
  name: string,
  container: string,
  image: string,
): Promise<void> {
  execFileSync(
    'kubectl',
    [
      '--context',
      cluster,
      '-n',
      namespace,
      'set',
      'image',
      `deployment/${name}`,
      `${container}=${image}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: process.env },
  );
}
