/**
 * The Helm runner: the one way the app store (and its lifecycle part) runs Helm. Every call spawns
 * the real `helm` CLI with an argv (never a shell), a per-call timeout and a temporary kubeconfig
 * (0600) for the cluster it acts on; JSON answers (`-o json`) are parsed with zod; secrets reach
 * Helm only through a values FILE (0600, removed after the call), never on its command line.
 */
import { z } from 'zod';

/** Where a release lives: a configured cluster and a namespace. @public */
export interface HelmTarget {
  cluster: string;
  namespace: string;
}

/** A chart version Helm can pull: `oci://host/path/chart` or a classic repository's chart. @public */
export interface HelmChartRef {
  /** oci://host:port/path/chart, or the chart's name in the classic repository `repoUrl` */
  chart: string;
  /** a classic (index.yaml) repository's URL; absent for OCI */
  repoUrl?: string;
  version: string;
  /** an OCI registry served over plain HTTP */
  plainHttp?: boolean;
}

/**
 * The values of an install or upgrade: `values` may be logged or audited; `secretValues` (e.g.
 * `{ auth: { password } }`) are written to a separate 0600 file and never logged.
 * @public
 */
export interface HelmValues {
  values?: Record<string, unknown>;
  secretValues?: Record<string, unknown>;
}

/** A release as `helm status/install/upgrade -o json` reports it (what the app store reads). @public */
export const helmReleaseSchema = z.object({
  name: z.string(),
  namespace: z.string(),
  version: z.number().int(),
  info: z
    .object({
      status: z.string(),
      description: z.string().optional(),
      first_deployed: z.string().optional(),
      last_deployed: z.string().optional(),
      notes: z.string().optional(),
    })
    .loose(),
  chart: z
    .object({
      metadata: z
        .object({
          name: z.string(),
          version: z.string(),
          appVersion: z.string().optional(),
        })
        .loose(),
    })
    .loose()
    .optional(),
  manifest: z.string().optional(),
});
/** @public */
export type HelmRelease = z.infer<typeof helmReleaseSchema>;

/** One revision as `helm history -o json` lists it. @public */
export const helmRevisionSchema = z.object({
  revision: z.number().int(),
  updated: z.string(),
  status: z.string(),
  chart: z.string(),
  app_version: z.string().optional(),
  description: z.string().optional().default(''),
});
/** @public */
export type HelmRevision = z.infer<typeof helmRevisionSchema>;

/** One release as `helm list -o json` lists it. @public */
export const helmListItemSchema = z.object({
  name: z.string(),
  namespace: z.string(),
  revision: z.string(),
  status: z.string(),
  chart: z.string(),
  app_version: z.string().optional(),
});
/** @public */
export type HelmListItem = z.infer<typeof helmListItemSchema>;

/** Chart.yaml as `helm show chart` prints it (YAML). @public */
export const chartMetadataSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    appVersion: z.union([z.string(), z.number()]).optional(),
    description: z.string().optional(),
    icon: z.string().optional(),
    keywords: z.array(z.string()).optional(),
  })
  .loose();
/** @public */
export type ChartMetadata = z.infer<typeof chartMetadataSchema>;

/** Options of an install or upgrade. @public */
export interface HelmInstallOptions {
  /** `--dry-run=server`: rendered and checked by the apiserver, nothing installed */
  dryRun?: boolean;
  /** `--create-namespace` (install only) */
  createNamespace?: boolean;
}

/**
 * What the app store asks of Helm. The interface the lifecycle part (expiry, admin, attach) and
 * the scaffolder build on; `CliHelmRunner` runs the real CLI.
 * @public
 */
export interface HelmRunner {
  install(
    target: HelmTarget,
    release: string,
    chart: HelmChartRef,
    values: HelmValues,
    options?: HelmInstallOptions,
  ): Promise<HelmRelease>;
  upgrade(
    target: HelmTarget,
    release: string,
    chart: HelmChartRef,
    values: HelmValues,
    options?: Omit<HelmInstallOptions, 'createNamespace'> & {
      /** the new version's defaults, the release's values over them, then `values` (default true) */
      reuseValues?: boolean;
    },
  ): Promise<HelmRelease>;
  rollback(
    target: HelmTarget,
    release: string,
    revision: number,
  ): Promise<void>;
  /** uninstalls; a release that is already gone is no error */
  uninstall(target: HelmTarget, release: string): Promise<void>;
  /** the release now; undefined when there is none */
  status(target: HelmTarget, release: string): Promise<HelmRelease | undefined>;
  /** the release's revisions, oldest first; [] when there is none */
  history(target: HelmTarget, release: string): Promise<HelmRevision[]>;
  /** every release of a namespace (all namespaces when `namespace` is '*') */
  list(target: HelmTarget): Promise<HelmListItem[]>;
  /** the user-supplied values of the release (secrets included: never log them) */
  getValues(
    target: HelmTarget,
    release: string,
  ): Promise<Record<string, unknown>>;
  showChart(chart: HelmChartRef): Promise<ChartMetadata>;
  /** README text ('' when the chart has none) */
  showReadme(chart: HelmChartRef): Promise<string>;
  /** values.yaml as text */
  showValues(chart: HelmChartRef): Promise<string>;
  /** values.schema.json parsed, or undefined when the chart has none */
  showSchema(chart: HelmChartRef): Promise<Record<string, unknown> | undefined>;
}
