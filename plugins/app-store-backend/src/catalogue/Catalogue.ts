import type { Config } from '@backstage/config';
import { InputError, NotFoundError } from '@backstage/errors';
import type {
  ChartDetail,
  ChartList,
  ChartView,
} from '@internal/plugin-container-cloud-common';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { HelmChartRef, HelmRunner } from '../helm/HelmRunner';

/** One configured chart repository. @public */
export interface ChartRepository {
  name: string;
  url: string;
  kind: 'oci' | 'index';
  plainHttp: boolean;
}

/** Reads `containerCloud.appStore.repositories`; a mistake names the entry. @public */
export function readRepositories(config: Config): ChartRepository[] {
  const entries =
    config.getOptionalConfigArray('containerCloud.appStore.repositories') ?? [];
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const name = entry.getString('name');
    const url = entry.getString('url').replace(/\/+$/, '');
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
      throw new InputError(
        `containerCloud.appStore.repositories[${i}].name '${name}': lower-case letters, digits and dashes`,
      );
    }
    if (seen.has(name)) {
      throw new InputError(
        `containerCloud.appStore.repositories: '${name}' is listed twice`,
      );
    }
    seen.add(name);
    const kind = url.startsWith('oci://') ? 'oci' : 'index';
    if (kind === 'index' && !/^https?:\/\//.test(url)) {
      throw new InputError(
        `containerCloud.appStore.repositories[${i}].url '${url}': oci://… or http(s)://…`,
      );
    }
    return {
      name,
      url,
      kind,
      plainHttp: entry.getOptionalBoolean('plainHttp') ?? false,
    };
  });
}

/** Compares two SemVer versions (pre-releases before their release). @public */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.replace(/^v/, '').split('+')[0].split(/-(.*)/s);
    return { nums: core.split('.').map(n => Number(n) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return d;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

const catalogSchema = z.object({ repositories: z.array(z.string()).nullish() });
const tagsSchema = z.object({ tags: z.array(z.string()).nullish() });
const indexSchema = z.object({
  entries: z
    .record(
      z.string(),
      z.array(
        z
          .object({
            version: z.string(),
            appVersion: z.union([z.string(), z.number()]).optional(),
            description: z.string().optional(),
            icon: z.string().optional(),
            keywords: z.array(z.string()).nullish(),
            created: z.string().optional(),
          })
          .loose(),
      ),
    )
    .default({}),
});

const SEMVER = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** What the catalogue needs. @public */
export interface CatalogueOptions {
  repositories: ChartRepository[];
  helm: HelmRunner;
  /** how long a listing is kept; default 30 s */
  cacheMs?: number;
  /** how long one repository may take to answer; default 10 s */
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * The charts of every configured repository: an OCI registry's repositories under its path (the
 * Registry v2 API) with their tags, or a classic repository's index.yaml; chart metadata from
 * `helm show chart`. Listings are kept briefly; a repository that cannot be read is reported with
 * its error, never left out silently.
 * @public
 */
export class Catalogue {
  private listing?: { at: number; value: Promise<ChartList> };
  private readonly details = new Map<string, Promise<ChartDetail>>();
  private readonly schemas = new Map<
    string,
    Promise<Record<string, unknown> | undefined>
  >();
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: CatalogueOptions) {
    this.fetch = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  get repositories(): ChartRepository[] {
    return this.options.repositories;
  }

  /** The repository of that name; a 400 naming the field when none is configured. */
  repository(name: string): ChartRepository {
    const repo = this.options.repositories.find(r => r.name === name);
    if (!repo) {
      throw new InputError(
        `invalid request: repository: no repository '${name}' is configured (${
          this.options.repositories.map(r => r.name).join(', ') || 'none'
        })`,
      );
    }
    return repo;
  }

  /** How Helm pulls one version of a chart. */
  chartRef(repository: string, chart: string, version: string): HelmChartRef {
    const repo = this.repository(repository);
    if (repo.kind === 'oci') {
      return {
        chart: `${repo.url}/${chart}`,
        version,
        plainHttp: repo.plainHttp,
      };
    }
    return { chart, repoUrl: repo.url, version };
  }

  async list(): Promise<ChartList> {
    const cacheMs = this.options.cacheMs ?? 30_000;
    if (!this.listing || this.now() - this.listing.at > cacheMs) {
      const value = this.readAll();
      this.listing = { at: this.now(), value };
      value.catch(() => {
        this.listing = undefined;
      });
    }
    return this.listing.value;
  }

  /** Forgets the cached listing (e.g. after a push). */
  refresh(): void {
    this.listing = undefined;
  }

  private async readAll(): Promise<ChartList> {
    const results = await Promise.all(
      this.options.repositories.map(async repo => {
        try {
          const items =
            repo.kind === 'oci'
              ? await this.readOci(repo)
              : await this.readIndex(repo);
          return { repo, items, error: undefined };
        } catch (error) {
          return {
            repo,
            items: [] as ChartView[],
            error: (error as Error).message,
          };
        }
      }),
    );
    return {
      items: results
        .flatMap(r => r.items)
        .sort(
          (a, b) =>
            a.name.localeCompare(b.name) ||
            a.repository.localeCompare(b.repository),
        ),
      repositories: results.map(({ repo, error }) => ({
        name: repo.name,
        kind: repo.kind,
        url: repo.url,
        ok: error === undefined,
        ...(error !== undefined ? { error } : {}),
      })),
    };
  }

  private async getJson(url: string): Promise<unknown> {
    return (await this.getJsonPage(url)).body;
  }

  private async getJsonPage(
    url: string,
  ): Promise<{ body: unknown; link: string | null }> {
    let res: Response;
    try {
      res = await this.fetch(url, {
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        headers: { accept: 'application/json' },
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new Error(
        `${url} could not be reached: ${cause ?? (error as Error).message}`,
      );
    }
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    return { body: await res.json(), link: res.headers.get('link') };
  }

  private registryBase(repo: ChartRepository): { base: string; path: string } {
    const rest = repo.url.slice('oci://'.length);
    const slash = rest.indexOf('/');
    const host = slash < 0 ? rest : rest.slice(0, slash);
    const path = slash < 0 ? '' : rest.slice(slash + 1);
    return {
      base: `${repo.plainHttp ? 'http' : 'https'}://${host}`,
      path,
    };
  }

  private async readOci(repo: ChartRepository): Promise<ChartView[]> {
    const { base, path } = this.registryBase(repo);
    // the Registry v2 API pages its catalogue (at most 1000 a page), the next page in `Link`
    const repositories: string[] = [];
    let next: string | undefined = `${base}/v2/_catalog?n=1000`;
    for (let page = 0; next && page < 50; page++) {
      const { body, link } = await this.getJsonPage(next);
      repositories.push(...(catalogSchema.parse(body).repositories ?? []));
      const target = link
        ? /<([^>]+)>;\s*rel="?next"?/.exec(link)?.[1]
        : undefined;
      next = target ? new URL(target, base).toString() : undefined;
    }
    const prefix = path ? `${path}/` : '';
    const charts = repositories
      .filter(r => r.startsWith(prefix))
      .map(r => r.slice(prefix.length))
      .filter(name => name && !name.includes('/'));
    const views = await Promise.all(
      charts.map(async (name): Promise<ChartView | undefined> => {
        const tags = tagsSchema.parse(
          await this.getJson(`${base}/v2/${prefix}${name}/tags/list`),
        );
        // OCI tags cannot hold '+': Helm pushes 1.0.0+meta as 1.0.0_meta
        const versions = (tags.tags ?? [])
          .map(t => t.replace(/_/g, '+'))
          .filter(t => SEMVER.test(t))
          .sort((a, b) => compareVersions(b, a));
        if (versions.length === 0) return undefined;
        const meta = await this.options.helm.showChart({
          chart: `${repo.url}/${name}`,
          version: versions[0],
          plainHttp: repo.plainHttp,
        });
        return {
          repository: repo.name,
          name,
          description: meta.description ?? '',
          ...(meta.icon ? { icon: meta.icon } : {}),
          keywords: meta.keywords ?? [],
          versions: versions.map((version, i) => ({
            version,
            ...(i === 0 && meta.appVersion !== undefined
              ? { appVersion: String(meta.appVersion) }
              : {}),
          })),
        };
      }),
    );
    return views.filter((v): v is ChartView => v !== undefined);
  }

  private async readIndex(repo: ChartRepository): Promise<ChartView[]> {
    let res: Response;
    const url = `${repo.url}/index.yaml`;
    try {
      res = await this.fetch(url, {
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new Error(
        `${url} could not be reached: ${cause ?? (error as Error).message}`,
      );
    }
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    const index = indexSchema.parse(parseYaml(await res.text()));
    return Object.entries(index.entries).map(([name, entries]) => {
      const sorted = [...entries].sort((a, b) =>
        compareVersions(b.version, a.version),
      );
      const newest = sorted[0];
      return {
        repository: repo.name,
        name,
        description: newest?.description ?? '',
        ...(newest?.icon ? { icon: newest.icon } : {}),
        keywords: newest?.keywords ?? [],
        versions: sorted.map(e => ({
          version: e.version,
          ...(e.appVersion !== undefined
            ? { appVersion: String(e.appVersion) }
            : {}),
          ...(e.created ? { created: e.created } : {}),
        })),
      };
    });
  }

  /** One chart version: Chart.yaml, README, values.yaml and values.schema.json (kept: versions do not change). */
  detail(
    repository: string,
    chart: string,
    version: string,
  ): Promise<ChartDetail> {
    const ref = this.chartRef(repository, chart, version);
    const key = `${repository}/${chart}@${version}`;
    let detail = this.details.get(key);
    if (!detail) {
      detail = (async () => {
        const meta = await this.showChartOr404(repository, ref);
        const [readme, defaultValues, valuesSchema] = await Promise.all([
          this.options.helm.showReadme(ref),
          this.options.helm.showValues(ref),
          this.schema(repository, chart, version),
        ]);
        return {
          repository,
          name: chart,
          version,
          ...(meta.appVersion !== undefined
            ? { appVersion: String(meta.appVersion) }
            : {}),
          description: meta.description ?? '',
          readme,
          ...(valuesSchema ? { valuesSchema } : {}),
          defaultValues,
        };
      })();
      this.details.set(key, detail);
      detail.catch(() => this.details.delete(key));
      if (this.details.size > 200) {
        this.details.delete(this.details.keys().next().value!);
      }
    }
    return detail;
  }

  private async showChartOr404(repository: string, ref: HelmChartRef) {
    try {
      return await this.options.helm.showChart(ref);
    } catch (error) {
      if (error instanceof NotFoundError) {
        throw new NotFoundError(
          `no chart '${ref.chart.split('/').pop()}' version ${
            ref.version
          } in repository '${repository}'`,
        );
      }
      throw error;
    }
  }

  /**
   * The chart version's values.schema.json (undefined when it has none); a NotFoundError in
   * words when the chart or the version does not exist.
   */
  schema(
    repository: string,
    chart: string,
    version: string,
  ): Promise<Record<string, unknown> | undefined> {
    const key = `${repository}/${chart}@${version}`;
    let schema = this.schemas.get(key);
    if (!schema) {
      const ref = this.chartRef(repository, chart, version);
      schema = this.options.helm.showSchema(ref).catch(error => {
        if (error instanceof NotFoundError) {
          throw new NotFoundError(
            `no chart '${chart}' version ${version} in repository '${repository}'`,
          );
        }
        throw error;
      });
      this.schemas.set(key, schema);
      schema.catch(() => this.schemas.delete(key));
      if (this.schemas.size > 200) {
        this.schemas.delete(this.schemas.keys().next().value!);
      }
    }
    return schema;
  }
}
