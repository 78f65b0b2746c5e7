import { loadYaml } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHARTS_PATH } from './appStore';
import { LocalCloudError } from './errors';
import { toYaml } from './yaml';

/**
 * The annotation every chart version local-cloud pushes carries in its Chart.yaml (and so in the
 * OCI config blob): a SHA-256 of the chart's files and version, so `seed` can tell an unchanged
 * chart (skip) from a changed one (push again) without pulling it.
 */
export const SOURCE_DIGEST_ANNOTATION = 'container-cloud.io/source-digest';

/** Older versions published from the same sources (`helm package --version`), per chart. */
export const OLDER_VERSIONS_FILE = 'older-versions.json';

/** One chart of the repository's charts/ folder, with every version to publish. */
export interface ChartSource {
  name: string;
  dir: string;
  /** the folder's own version first, then the older ones */
  versions: string[];
}

/** The repository's charts/ folder: $LOCAL_CLOUD_CHARTS_DIR, or charts/ above the working folder. */
export function findChartsDir(from = process.cwd()): string {
  if (process.env.LOCAL_CLOUD_CHARTS_DIR) {
    return path.resolve(process.env.LOCAL_CLOUD_CHARTS_DIR);
  }
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'charts');
    if (fs.existsSync(path.join(candidate, OLDER_VERSIONS_FILE))) {
      return candidate;
    }
    if (path.dirname(dir) === dir) {
      throw new LocalCloudError(
        `no charts/ folder (with ${OLDER_VERSIONS_FILE}) in ${from} or above it: run from the repository or set LOCAL_CLOUD_CHARTS_DIR`,
      );
    }
  }
}

/** Every chart folder (one with a Chart.yaml) and the versions to publish of it. */
export function listChartSources(chartsDir: string): ChartSource[] {
  let older: Record<string, string[]> = {};
  const olderFile = path.join(chartsDir, OLDER_VERSIONS_FILE);
  if (fs.existsSync(olderFile)) {
    try {
      older = JSON.parse(fs.readFileSync(olderFile, 'utf8'));
    } catch (error: any) {
      throw new LocalCloudError(
        `${olderFile} is no JSON object of chart name → versions: ${error.message}`,
      );
    }
  }
  return fs
    .readdirSync(chartsDir, { withFileTypes: true })
    .filter(
      entry =>
        entry.isDirectory() &&
        fs.existsSync(path.join(chartsDir, entry.name, 'Chart.yaml')),
    )
    .map(entry => {
      const dir = path.join(chartsDir, entry.name);
      const chart = loadYaml<any>(
        fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8'),
      );
      if (!chart?.name || !chart?.version) {
        throw new LocalCloudError(`${dir}/Chart.yaml has no name or version`);
      }
      return {
        name: String(chart.name),
        dir,
        versions: [String(chart.version), ...(older[chart.name] ?? [])],
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function filesOf(dir: string, prefix = ''): string[] {
  return fs
    .readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .flatMap(entry => {
      const relative = path.posix.join(prefix, entry.name);
      return entry.isDirectory() ? filesOf(dir, relative) : [relative];
    })
    .sort();
}

/** SHA-256 of a chart folder's files (names and contents) and the version it is published as. */
export function chartSourceDigest(dir: string, version: string): string {
  const hash = crypto.createHash('sha256');
  hash.update(`version ${version}\0`);
  for (const file of filesOf(dir)) {
    hash.update(`${file}\0`);
    hash.update(fs.readFileSync(path.join(dir, file)));
    hash.update('\0');
  }
  return `sha256:${hash.digest('hex')}`;
}

/** The source digest the registry's `charts/<name>:<version>` carries; undefined when absent. */
export async function publishedSourceDigest(
  registryUrl: string,
  name: string,
  version: string,
  repositoryPath = CHARTS_PATH,
): Promise<string | undefined> {
  const repo = `${repositoryPath}/${name}`;
  const manifest = await fetch(
    `${registryUrl}/v2/${repo}/manifests/${version}`,
    {
      headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' },
    },
  );
  if (manifest.status === 404) return undefined;
  if (!manifest.ok) {
    throw new LocalCloudError(
      `the local registry answered ${
        manifest.status
      } for ${repo}:${version}: ${await manifest.text()}`,
    );
  }
  const { config } = (await manifest.json()) as {
    config?: { digest?: string };
  };
  if (!config?.digest) return undefined;
  const blob = await fetch(`${registryUrl}/v2/${repo}/blobs/${config.digest}`);
  if (!blob.ok) return undefined;
  const metadata = (await blob.json()) as {
    annotations?: Record<string, string>;
  };
  return metadata.annotations?.[SOURCE_DIGEST_ANNOTATION];
}

function run(
  helm: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(helm, args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', chunk => {
      out += chunk;
    });
    child.stderr.on('data', chunk => {
      err += chunk;
    });
    child.once('error', error =>
      reject(
        new LocalCloudError(
          `cannot run helm (${helm}): ${error.message}; 'local-cloud up' builds it`,
          { component: 'helm' },
        ),
      ),
    );
    child.once('close', code => {
      if (code === 0) resolve(out);
      else {
        const last = err.trim().split('\n').pop() ?? '';
        reject(
          new LocalCloudError(
            `helm ${args[0]} failed (exit ${code}): ${last}`,
            { component: 'helm' },
          ),
        );
      }
    });
  });
}

/** What happened to one chart version. */
export interface PublishedChart {
  name: string;
  version: string;
  pushed: boolean;
}

/**
 * Packages every chart of `chartsDir` (`helm package`, each version) and pushes it to the local
 * registry as an OCI artifact under `charts/` (`helm push --plain-http`). A version whose source
 * digest the registry already has is left alone, so a second run pushes nothing.
 */
export async function publishCharts(options: {
  helm: string;
  chartsDir: string;
  registryUrl: string;
  /** helm's own config, cache and data folders (isolated from the user's) */
  helmHome: string;
  /** the registry path the charts go under; default `charts` (the app store's repository) */
  repositoryPath?: string;
  progress?: (line: string) => void;
}): Promise<PublishedChart[]> {
  const { helm, chartsDir, registryUrl, helmHome } = options;
  const repositoryPath = options.repositoryPath ?? CHARTS_PATH;
  const progress = options.progress ?? (() => {});
  const host = new URL(registryUrl).host;
  const target = `oci://${host}/${repositoryPath}`;
  const env = {
    ...process.env,
    HELM_CONFIG_HOME: path.join(helmHome, 'config'),
    HELM_CACHE_HOME: path.join(helmHome, 'cache'),
    HELM_DATA_HOME: path.join(helmHome, 'data'),
  };
  const sources = listChartSources(chartsDir);
  const results: PublishedChart[] = [];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'local-cloud-charts-'));
  try {
    for (const source of sources) {
      for (const version of source.versions) {
        const digest = chartSourceDigest(source.dir, version);
        if (
          (await publishedSourceDigest(
            registryUrl,
            source.name,
            version,
            repositoryPath,
          )) === digest
        ) {
          results.push({ name: source.name, version, pushed: false });
          continue;
        }
        // a copy whose Chart.yaml carries the source digest (it lands in the OCI config blob)
        const copy = path.join(work, `${source.name}-${version}`, source.name);
        fs.cpSync(source.dir, copy, { recursive: true });
        const chartFile = path.join(copy, 'Chart.yaml');
        const chart = loadYaml<any>(fs.readFileSync(chartFile, 'utf8'));
        chart.version = version;
        chart.annotations = {
          ...(chart.annotations ?? {}),
          [SOURCE_DIGEST_ANNOTATION]: digest,
        };
        fs.writeFileSync(chartFile, toYaml(chart));
        const out = path.join(work, `${source.name}-${version}`, 'out');
        await run(
          helm,
          ['package', copy, '--version', version, '-d', out],
          env,
        );
        const archive = path.join(out, `${source.name}-${version}.tgz`);
        await run(helm, ['push', archive, target, '--plain-http'], env);
        progress(`  charts: pushed ${source.name} ${version} to ${target}`);
        results.push({ name: source.name, version, pushed: true });
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  const pushed = results.filter(r => r.pushed).length;
  progress(
    `  charts: ${sources
      .map(s => `${s.name} ${s.versions.join(', ')}`)
      .join('; ')} at ${target} (${pushed} pushed, ${
      results.length - pushed
    } unchanged)`,
  );
  return results;
}
