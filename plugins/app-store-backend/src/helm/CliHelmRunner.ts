import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictError,
  CustomErrorBase,
  InputError,
  NotFoundError,
} from '@backstage/errors';
import type { ClusterDetails } from '@internal/plugin-container-cloud-node';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { z } from 'zod';
import {
  ChartMetadata,
  chartMetadataSchema,
  HelmChartRef,
  HelmInstallOptions,
  HelmListItem,
  helmListItemSchema,
  HelmRelease,
  helmReleaseSchema,
  HelmRevision,
  helmRevisionSchema,
  HelmRunner,
  HelmTarget,
  HelmValues,
} from './HelmRunner';

/** Helm failed (or timed out) in a way that is no fault of the request: a 502 in words. @public */
export class HelmError extends CustomErrorBase {
  name = 'HelmError' as const;
  readonly statusCode = 502;
}

/** What one spawned helm call gave back. */
export interface HelmCallResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns one process (argv, no shell); the test seam of CliHelmRunner. @public */
export type HelmSpawn = (
  program: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs: number },
) => Promise<HelmCallResult>;

/** Runs a program with an argv, collecting its output, killed after `timeoutMs`. @public */
export const spawnHelm: HelmSpawn = (program, args, options) =>
  new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', b => out.push(b));
    child.stderr.on('data', b => err.push(b));
    child.on('error', error => {
      clearTimeout(timer);
      reject(
        new HelmError(`could not run ${program}: ${(error as Error).message}`),
      );
    });
    child.on('close', code => {
      clearTimeout(timer);
      if (timedOut) {
        reject(
          new HelmError(
            `helm ${args[0]} did not finish within ${
              options.timeoutMs / 1000
            } s`,
          ),
        );
        return;
      }
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });

/** Helm's stderr in words: its first `Error:` line without the prefix (or its first line). @public */
export function helmErrorText(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map(l => l.trim())
    .filter(Boolean);
  const error = lines.find(l => l.startsWith('Error:')) ?? lines[0] ?? '';
  return (
    error
      .replace(/^Error:\s*/, '')
      // a kubeconfig path or a temp folder says nothing to a person
      .replace(/\/[^\s:]*helm-call-[^\s:]*/g, '<tmp>')
      .slice(0, 500) || 'helm failed without a message'
  );
}

/**
 * Helm's error as the HTTP error it is: a release or chart that is not there is a 404, a name
 * taken or an operation in progress a 409, a chart's schema refusing the values a 400, anything
 * else a 502 naming what helm said.
 * @public
 */
export function helmFailure(command: string, stderr: string): Error {
  const text = helmErrorText(stderr);
  if (
    /release: not found|release not found|has no deployed releases/i.test(text)
  ) {
    return new NotFoundError(text);
  }
  if (
    /cannot re-use a name that is still in use|another operation \(install\/upgrade\/rollback\) is in progress|already exists/i.test(
      text,
    )
  ) {
    return new ConflictError(text);
  }
  if (
    /values don't meet the specifications of the schema|values\.schema\.json/i.test(
      text,
    )
  ) {
    return new InputError(`the chart refused the values: ${text}`);
  }
  // a chart or version the registry does not have: 'not found', 'manifest unknown', or for a
  // repository it never had (an OCI registry) 'name unknown: repository name not known'
  if (
    /not found|manifest unknown|name unknown|failed to fetch|no such host/i.test(
      text,
    )
  ) {
    return new NotFoundError(`helm ${command}: ${text}`);
  }
  return new HelmError(`helm ${command} failed: ${text}`);
}

/** A kubeconfig (YAML) for one cluster with the cluster layer's credentials. @public */
export function kubeconfigFor(
  details: ClusterDetails,
  caData?: string,
): string {
  return stringifyYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: details.name,
        cluster: {
          server: details.url,
          ...(caData ? { 'certificate-authority-data': caData } : {}),
          ...(details.caFile && !caData
            ? { 'certificate-authority': details.caFile }
            : {}),
          ...(details.skipTLSVerify
            ? { 'insecure-skip-tls-verify': true }
            : {}),
        },
      },
    ],
    users: [
      {
        name: 'container-cloud',
        user: details.serviceAccountToken
          ? { token: details.serviceAccountToken }
          : {},
      },
    ],
    contexts: [
      {
        name: details.name,
        context: { cluster: details.name, user: 'container-cloud' },
      },
    ],
    'current-context': details.name,
  });
}

/** What a runner needs to reach clusters and run helm. @public */
export interface CliHelmRunnerOptions {
  /** the helm program; default `helm` */
  helm?: string;
  /** the details of a configured cluster (the cluster layer's); throws for an unknown one */
  cluster(name: string): ClusterDetails;
  /** how long one helm call may take; default 120 s */
  timeoutMs?: number;
  spawn?: HelmSpawn;
}

/** The argv of an install or upgrade, without the values files (exported for the tests). @public */
export function installArgs(
  verb: 'install' | 'upgrade',
  target: HelmTarget,
  release: string,
  chart: HelmChartRef,
  options: HelmInstallOptions & { reuseValues?: boolean },
): string[] {
  const args = [
    verb,
    release,
    chart.chart,
    '--namespace',
    target.namespace,
    '--version',
    chart.version,
    '--output',
    'json',
  ];
  if (chart.repoUrl) args.push('--repo', chart.repoUrl);
  if (chart.plainHttp) args.push('--plain-http');
  if (verb === 'install' && options.createNamespace) {
    args.push('--create-namespace');
  }
  if (verb === 'upgrade' && options.reuseValues !== false) {
    // the new version's defaults, then the release's own values, then the overrides (plain
    // --reuse-values would keep the old version's defaults out of a new key's reach)
    args.push('--reset-then-reuse-values');
  }
  if (options.dryRun) args.push('--dry-run=server');
  return args;
}

function chartArgs(chart: HelmChartRef): string[] {
  const args = [chart.chart, '--version', chart.version];
  if (chart.repoUrl) args.push('--repo', chart.repoUrl);
  if (chart.plainHttp) args.push('--plain-http');
  return args;
}

/** The Helm runner on the real `helm` CLI. @public */
export class CliHelmRunner implements HelmRunner {
  private readonly helm: string;
  private readonly timeoutMs: number;
  private readonly run: HelmSpawn;
  private home?: Promise<string>;

  constructor(private readonly options: CliHelmRunnerOptions) {
    this.helm = options.helm ?? 'helm';
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.run = options.spawn ?? spawnHelm;
  }

  /** helm's own cache/config folders: one per runner, never the user's ~/.config/helm */
  private helmHome(): Promise<string> {
    this.home ??= mkdtemp(join(tmpdir(), 'app-store-helm-home-'));
    return this.home;
  }

  /** Removes the runner's helm cache and config folder (at shutdown). */
  async dispose(): Promise<void> {
    const home = this.home;
    this.home = undefined;
    if (home) await rm(await home, { recursive: true, force: true });
  }

  /**
   * Runs one helm call in a fresh 0600 folder: the cluster's kubeconfig and the secret values
   * file live there and are removed after, whatever the outcome.
   */
  async call(
    args: string[],
    opts: {
      target?: HelmTarget;
      values?: HelmValues;
    } = {},
  ): Promise<HelmCallResult> {
    const dir = await mkdtemp(join(tmpdir(), 'helm-call-'));
    try {
      const home = await this.helmHome();
      const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: home,
        HELM_CACHE_HOME: join(home, 'cache'),
        HELM_CONFIG_HOME: join(home, 'config'),
        HELM_DATA_HOME: join(home, 'data'),
        HELM_NO_PLUGINS: '1',
        // an empty kubeconfig unless a cluster is named: helm must not read the host's
        KUBECONFIG: join(dir, 'kubeconfig'),
      };
      const argv = [...args];
      let kubeconfig = stringifyYaml({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [],
        users: [],
        contexts: [],
      });
      if (opts.target) {
        const details = this.options.cluster(opts.target.cluster);
        kubeconfig = kubeconfigFor(details, details.caData);
      }
      await writeFile(join(dir, 'kubeconfig'), kubeconfig, { mode: 0o600 });
      if (opts.values?.values && Object.keys(opts.values.values).length > 0) {
        const file = join(dir, 'values.json');
        await writeFile(file, JSON.stringify(opts.values.values), {
          mode: 0o600,
        });
        argv.push('--values', file);
      }
      if (
        opts.values?.secretValues &&
        Object.keys(opts.values.secretValues).length > 0
      ) {
        const file = join(dir, 'secret-values.json');
        await writeFile(file, JSON.stringify(opts.values.secretValues), {
          mode: 0o600,
        });
        argv.push('--values', file);
      }
      return await this.run(this.helm, argv, {
        env,
        timeoutMs: this.timeoutMs,
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async ok(
    args: string[],
    opts: { target?: HelmTarget; values?: HelmValues } = {},
  ): Promise<string> {
    const result = await this.call(args, opts);
    if (result.code !== 0) throw helmFailure(args[0], result.stderr);
    return result.stdout;
  }

  private parseJson<T extends z.ZodType>(
    schema: T,
    text: string,
    what: string,
  ): z.output<T> {
    let value: unknown;
    try {
      // `--dry-run` prints a warning line or two before the JSON on some versions
      const start = text.search(/^[[{]/m);
      value = JSON.parse(start > 0 ? text.slice(start) : text);
    } catch {
      throw new HelmError(`helm ${what} printed no JSON`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new HelmError(`helm ${what} printed unexpected JSON`);
    }
    return parsed.data;
  }

  async install(
    target: HelmTarget,
    release: string,
    chart: HelmChartRef,
    values: HelmValues,
    options: HelmInstallOptions = {},
  ): Promise<HelmRelease> {
    const out = await this.ok(
      installArgs('install', target, release, chart, options),
      { target, values },
    );
    return this.parseJson(helmReleaseSchema, out, 'install');
  }

  async upgrade(
    target: HelmTarget,
    release: string,
    chart: HelmChartRef,
    values: HelmValues,
    options: { dryRun?: boolean; reuseValues?: boolean } = {},
  ): Promise<HelmRelease> {
    const out = await this.ok(
      installArgs('upgrade', target, release, chart, options),
      { target, values },
    );
    return this.parseJson(helmReleaseSchema, out, 'upgrade');
  }

  async rollback(
    target: HelmTarget,
    release: string,
    revision: number,
  ): Promise<void> {
    await this.ok(
      ['rollback', release, String(revision), '--namespace', target.namespace],
      { target },
    );
  }

  async uninstall(target: HelmTarget, release: string): Promise<void> {
    const result = await this.call(
      ['uninstall', release, '--namespace', target.namespace],
      { target },
    );
    if (result.code === 0) return;
    const error = helmFailure('uninstall', result.stderr);
    if (error instanceof NotFoundError) return;
    throw error;
  }

  async status(
    target: HelmTarget,
    release: string,
  ): Promise<HelmRelease | undefined> {
    const result = await this.call(
      ['status', release, '--namespace', target.namespace, '--output', 'json'],
      { target },
    );
    if (result.code !== 0) {
      const error = helmFailure('status', result.stderr);
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
    return this.parseJson(helmReleaseSchema, result.stdout, 'status');
  }

  async history(target: HelmTarget, release: string): Promise<HelmRevision[]> {
    const result = await this.call(
      ['history', release, '--namespace', target.namespace, '--output', 'json'],
      { target },
    );
    if (result.code !== 0) {
      const error = helmFailure('history', result.stderr);
      if (error instanceof NotFoundError) return [];
      throw error;
    }
    return this.parseJson(
      z.array(helmRevisionSchema),
      result.stdout,
      'history',
    );
  }

  async list(target: HelmTarget): Promise<HelmListItem[]> {
    const args = ['list', '--output', 'json', '--all'];
    if (target.namespace === '*') args.push('--all-namespaces');
    else args.push('--namespace', target.namespace);
    const out = await this.ok(args, { target });
    return this.parseJson(z.array(helmListItemSchema), out, 'list');
  }

  async getValues(
    target: HelmTarget,
    release: string,
  ): Promise<Record<string, unknown>> {
    const out = await this.ok(
      ['get', 'values', release, '--namespace', target.namespace, '-o', 'json'],
      { target },
    );
    const value = this.parseJson(
      z.record(z.string(), z.unknown()).nullable(),
      out,
      'get values',
    );
    return value ?? {};
  }

  async showChart(chart: HelmChartRef): Promise<ChartMetadata> {
    const out = await this.ok(['show', 'chart', ...chartArgs(chart)]);
    const parsed = chartMetadataSchema.safeParse(parseYaml(out));
    if (!parsed.success) {
      throw new HelmError(
        `${chart.chart} ${chart.version}: no valid Chart.yaml`,
      );
    }
    return parsed.data;
  }

  async showReadme(chart: HelmChartRef): Promise<string> {
    return this.ok(['show', 'readme', ...chartArgs(chart)]);
  }

  async showValues(chart: HelmChartRef): Promise<string> {
    return this.ok(['show', 'values', ...chartArgs(chart)]);
  }

  async showSchema(
    chart: HelmChartRef,
  ): Promise<Record<string, unknown> | undefined> {
    const dir = await mkdtemp(join(tmpdir(), 'app-store-chart-'));
    try {
      await this.ok(['pull', ...chartArgs(chart), '--untar', '-d', dir]);
      const [folder] = await readdir(dir);
      if (!folder) return undefined;
      let text: string;
      try {
        text = await readFile(join(dir, folder, 'values.schema.json'), 'utf8');
      } catch {
        return undefined;
      }
      const value = JSON.parse(text);
      return typeof value === 'object' && value ? value : undefined;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
