import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { bootstrapCluster, requestPortalToken } from './bootstrap';
import {
  appStoreAppConfig,
  chartsRepository,
  ensureAppStoreVolumes,
} from './appStore';
import { findChartsDir, publishCharts } from './charts';
import { ensureBinaries } from './build/binaries';
import { ensureHelm, helmPath } from './build/helm';
import {
  baseImageReferences,
  ensureBaseImages,
  publishBaseImages,
} from './build/baseImages';
import { codeflowAppConfig } from './codeflowConfig';
import {
  LocalGitServer,
  gitCredentials,
  gitServerComponents,
  gitUrl,
} from './gitServer';
import { seedGitRepositories } from './gitSeed';
import { clusterPkiPaths, ensureClusterPki } from './certificates';
import {
  ClusterContext,
  ComponentSpec,
  StartStage,
  clusterComponents,
  debianComponents,
  nginxArgs,
  writeKwokTargets,
} from './components';
import { DebianBinaries, ensureDebianPrograms } from './debianPackages';
import { LocalCloudError } from './errors';
import { KubeRest } from './kubeRest';
import { HomeLayout, homeLayout } from './layout';
import { acquireLock, withLock } from './lock';
import {
  RecordedProcess,
  StartedProcess,
  describePortOwner,
  isPortFree,
  isRunning,
  lastLogLine,
  leadsOwnGroup,
  startProcess,
  stopProcess,
} from './processes';
import {
  LOCAL_CLOUD_VERSIONS,
  LocalCloudClusterName,
  LocalCloudOptions,
  LocalCloudSettings,
  buildId,
  resolveSettings,
} from './settings';
import { toYaml } from './yaml';
import { portalDataAppConfig, portalSecretsKey } from './portalData';
import { SeedResult, seedExampleServices } from './seed';
import {
  applyStorageClass,
  seedStorage,
  STORAGE_SEED,
  storageAppConfig,
} from './storage';
import { EXAMPLE_REGISTRY_HOST, seedRegistry } from './registry';

/**
 * Where each team of the example catalog (examples/org.yaml) may run services on the local
 * cloud: the namespace of its system, in every cluster, where its seeded services run
 * (examples/entities.yaml). The golden-path templates offer these (the deploy-target field), and
 * a new service's placements annotation counts only inside them.
 */
export const LOCAL_TEAM_PLACEMENTS: Record<string, string[]> = {
  'group:default/team-payments': ['*/payments'],
  'group:default/team-orders': ['*/orders'],
};

/** @public */
export interface LocalCloudCluster {
  name: LocalCloudClusterName;
  /** The apiserver, e.g. https://127.0.0.1:16403 */
  url: string;
  /** kubeconfig context of the admin user for this cluster */
  context: string;
  caFile: string;
  /** base64 of the cluster CA, as Backstage's `caData` */
  caData: string;
  /** token of the portal's service account (kube-system/backstage, cluster-admin) */
  serviceAccountToken: string;
}

/** What a running local cloud offers, and where its files are. @public */
export interface LocalCloudInfo {
  home: string;
  kubeconfig: string;
  appConfig: string;
  /** the portal's data: SQLite files kept across restarts, and the overlay naming their folder */
  portalData: { directory: string; appConfig: string };
  clusters: LocalCloudCluster[];
  nginx: {
    url: string;
    prefix: string;
    conf: string;
    confDir: string;
    binary: string;
  };
  prometheus: { url: string; rulesDir: string; promtool: string };
  /** Alertmanager; its configuration file is the alerts backend's to write (local-cloud writes it only when missing) */
  alertmanager: { url: string; configFile: string; amtool: string };
  /**
   * a registry on loopback that stands for the example images' registry.example.com; the
   * project's charts are pushed to it as OCI artifacts under `charts` (the app store's catalogue)
   */
  registry: { url: string; host: string; charts: string };
  /** helm, built from the Go module proxy by `up` (the app store's engine) */
  helm: { binary: string; version: string };
  /**
   * the git server (git http-backend and a small API behind nginx, basic auth): repositories at
   * `<url>/<name>.git`, the API at `<url>/api/repos`; user and password in `credentialsFile` (JSON)
   */
  git: { url: string; credentialsFile: string; reposDir: string };
  /** the codeflow build images `up` built once and pushed to the registry (`javaRuntime`: the Java services' runtime image) */
  codeflowImages: {
    debian: string;
    node: string;
    python: string;
    java: string;
    javaRuntime: string;
  };
}

/** @public */
export interface ComponentStatus {
  id: string;
  pid?: number;
  running: boolean;
  healthy: boolean;
  ports: number[];
  log: string;
}

interface State {
  buildId: string;
  portBase: number;
  processes: Record<string, RecordedProcess>;
  tokens: Partial<Record<LocalCloudClusterName, string>>;
  debian?: DebianBinaries;
}

const STAGES: StartStage[] = ['storage', 'apiserver', 'controllers'];
const HEALTH_TIMEOUT_MS: Record<StartStage, number> = {
  storage: 30_000,
  apiserver: 120_000,
  controllers: 60_000,
};

function seconds(since: number) {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

/**
 * A local container cloud on 127.0.0.1: two Kubernetes clusters (etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler, kwok fake nodes each), nginx, Prometheus and
 * Alertmanager. Every method is safe to call from several processes: they take a lock.
 *
 * @public
 */
export class LocalCloud {
  readonly settings: LocalCloudSettings;
  private readonly layout: HomeLayout;
  private readonly progress: (line: string) => void;

  constructor(
    options: LocalCloudOptions & { progress?: (line: string) => void } = {},
  ) {
    this.settings = resolveSettings(options);
    this.layout = homeLayout(this.settings);
    this.progress = options.progress ?? (() => {});
  }

  private readState(): State {
    try {
      return JSON.parse(fs.readFileSync(this.layout.state, 'utf8')) as State;
    } catch {
      return {
        buildId: buildId(),
        portBase: this.settings.portBase,
        processes: {},
        tokens: {},
      };
    }
  }

  private writeState(state: State) {
    fs.mkdirSync(this.layout.home, { recursive: true });
    const tmp = `${this.layout.state}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, this.layout.state);
  }

  private lock<T>(fn: () => Promise<T>): Promise<T> {
    return withLock(
      this.layout.lock,
      pid =>
        this.progress(
          `waiting for another local-cloud command (pid ${pid}) to finish`,
        ),
      fn,
    );
  }

  private clusterContexts(): ClusterContext[] {
    return this.settings.clusters.map(({ name, ports }) => {
      const layout = this.layout.cluster(name);
      return { name, ports, layout, pki: ensureClusterPki(layout.pki, name) };
    });
  }

  private components(
    debian: DebianBinaries,
    clusters: ClusterContext[],
  ): ComponentSpec[] {
    return [
      ...clusters.flatMap(c =>
        clusterComponents(this.settings, this.layout, c),
      ),
      ...debianComponents(this.settings, this.layout, debian),
      ...gitServerComponents(this.settings, this.layout, debian),
    ];
  }

  private adminApi(cluster: ClusterContext): KubeRest {
    return KubeRest.withClientCertificate(
      `https://127.0.0.1:${cluster.ports.apiserver}`,
      {
        ca: cluster.pki.caCert,
        ...cluster.pki.clients.admin,
      },
    );
  }

  /**
   * Builds what is missing, starts what is not running, bootstraps both clusters and writes the
   * kubeconfig and app-config overlay. Idempotent: a running, healthy instance is left as is.
   * On failure, stops what it started and throws a one-line LocalCloudError.
   */
  up(): Promise<LocalCloudInfo> {
    return this.lock(async () => {
      const started = Date.now();
      fs.mkdirSync(this.layout.logs, { recursive: true });
      const debian = ensureDebianPrograms(this.layout.logs, this.progress);
      await ensureBinaries(this.settings, this.progress);
      await ensureHelm(this.settings, this.progress);
      await ensureBaseImages(this.settings, this.progress);
      const clusters = this.clusterContexts();
      const specs = this.components(debian, clusters);
      const state = this.readState();
      state.debian = debian;
      state.buildId = buildId();
      state.portBase = this.settings.portBase;

      // a component that must be stopped as a group but was recorded before that was known
      // (fcgiwrap started by an older local-cloud) is marked now, so 'down' stops its workers too
      for (const spec of specs) {
        const recorded = state.processes[spec.id];
        if (
          spec.stopGroup &&
          recorded &&
          !recorded.group &&
          isRunning(recorded) &&
          leadsOwnGroup(recorded.pid)
        ) {
          recorded.group = true;
          this.writeState(state);
        }
      }
      const toStart = specs.filter(
        spec => !isRunning(state.processes[spec.id]),
      );
      for (const spec of specs) {
        if (!toStart.includes(spec)) continue;
        delete state.processes[spec.id];
      }
      if (toStart.length === 0 && clusters.every(c => state.tokens[c.name])) {
        // nothing to start: leave a running instance alone, even when a part of it is unwell
        await this.waitHealthy(specs, new Map(), 'running', 10_000).catch(
          (error: LocalCloudError) => {
            throw new LocalCloudError(
              `${error.message}; it was already running: 'local-cloud down' then 'up' restarts it`,
              { component: error.component, log: error.log },
            );
          },
        );
        await this.refreshScrapeTargets(clusters);
        await this.refreshAppStoreVolumes(clusters);
        await this.publishCodeflowImages();
        this.writeClientConfig(state, clusters);
        this.progress(
          `local cloud already up (${specs.length} components healthy)`,
        );
        return this.infoFrom(state, clusters);
      }
      this.progress(
        toStart.length === specs.length
          ? `starting the local cloud (${specs.length} components, logs in ${this.layout.logs})`
          : `starting ${toStart.map(s => s.id).join(', ')} (logs in ${
              this.layout.logs
            })`,
      );
      let volumes: Promise<void> = Promise.resolve();
      try {
        await this.checkPorts(toStart);
        for (const stage of STAGES) {
          const running = new Map<string, StartedProcess>();
          for (const spec of toStart.filter(s => s.stage === stage)) {
            spec.prepare?.();
            const proc = startProcess(spec.binary, spec.args, spec.log, {
              env: spec.env,
              group: spec.stopGroup,
            });
            running.set(spec.id, proc);
            const {
              exited: _exited,
              hasExited: _hasExited,
              ...recorded
            } = proc;
            state.processes[spec.id] = recorded;
            this.writeState(state);
          }
          const stageSpecs = specs.filter(s => s.stage === stage);
          await this.waitHealthy(
            stageSpecs,
            running,
            stage,
            HEALTH_TIMEOUT_MS[stage],
          );
          this.progress(
            `  ${stageSpecs.map(s => s.id).join(', ')}: healthy (${seconds(
              started,
            )})`,
          );
          if (stage === 'apiserver') {
            await Promise.all(
              clusters.map(c =>
                this.bootstrap(c, state, {
                  clearLeases: toStart.some(s => s.id === `${c.name}/kwok`),
                }),
              ),
            );
            this.writeState(state);
            await this.refreshScrapeTargets(clusters);
            // the volume pool is made while the controllers start (awaited below)
            volumes = this.refreshAppStoreVolumes(clusters);
            volumes.catch(() => {});
          }
        }
        await volumes;
        await this.publishCodeflowImages();
      } catch (error) {
        // stop what this call started; what ran before it keeps running
        await this.stopAll(state, new Set(toStart.map(s => s.id)));
        throw error;
      }
      this.writeClientConfig(state, clusters);
      this.progress(
        `local cloud up in ${seconds(started)}: clusters ${clusters
          .map(c => `${c.name} https://127.0.0.1:${c.ports.apiserver}`)
          .join(', ')}; kubeconfig ${this.layout.kubeconfig}`,
      );
      return this.infoFrom(state, clusters);
    });
  }

  /** The codeflow build images into the registry, unless it holds them already. */
  private async publishCodeflowImages() {
    const registryUrl = `http://127.0.0.1:${this.settings.registryPort}`;
    try {
      await publishBaseImages(this.settings, registryUrl, this.progress);
    } catch (error: any) {
      throw new LocalCloudError(
        `pushing the codeflow build images to ${registryUrl}: ${error.message}`,
        { component: 'registry', log: this.layout.log('registry') },
      );
    }
  }

  private async bootstrap(
    cluster: ClusterContext,
    state: State,
    options: { clearLeases: boolean },
  ) {
    const log = this.layout.log(`${cluster.name}/kube-apiserver`);
    const api = this.adminApi(cluster);
    try {
      await bootstrapCluster(api, cluster.name, options);
      await applyStorageClass(api);
      state.tokens[cluster.name] = await requestPortalToken(api);
    } catch (error: any) {
      throw new LocalCloudError(
        `bootstrapping cluster ${cluster.name} failed: ${error.message}; log: ${log}`,
        { component: `${cluster.name}/kube-apiserver`, log },
      );
    } finally {
      api.close();
    }
  }

  /**
   * The app store's volume pool in each cluster: the default StorageClass, missing volumes made,
   * volumes of uninstalled instances (Released) returned; prints a line when something changed.
   */
  private async refreshAppStoreVolumes(clusters: ClusterContext[]) {
    await Promise.all(
      clusters.map(async c => {
        const started = Date.now();
        const api = this.adminApi(c);
        try {
          const pool = await ensureAppStoreVolumes(api, c.name);
          if (pool.created + pool.recycled > 0) {
            this.progress(
              `  ${c.name}: ${
                pool.available
              } volumes for the app store's instances (${pool.created} made, ${
                pool.recycled
              } returned to the pool) in ${seconds(started)}`,
            );
          }
        } catch (error: any) {
          throw new LocalCloudError(
            `the app store's volumes in ${c.name}: ${error.message}`,
            { component: `${c.name}/kube-apiserver` },
          );
        } finally {
          api.close();
        }
      }),
    );
  }

  /** Lists every node of both clusters for Prometheus (kwok serves each node's metrics). */
  private async refreshScrapeTargets(clusters: ClusterContext[]) {
    const listed = await Promise.all(
      clusters.map(async c => {
        const api = this.adminApi(c);
        try {
          const res = await api.expect('GET', '/api/v1/nodes');
          const nodes: string[] = res.body.items.map(
            (n: any) => n.metadata.name,
          );
          return { name: c.name, kwokPort: c.ports.kwok, nodes };
        } finally {
          api.close();
        }
      }),
    );
    writeKwokTargets(this.layout, listed);
  }

  private async checkPorts(specs: ComponentSpec[]) {
    for (const spec of specs) {
      for (const port of spec.ports) {
        if (!(await isPortFree(port))) {
          const owner = describePortOwner(port);
          throw new LocalCloudError(
            `port ${port} for ${spec.id} is busy${
              owner ? ` (used by ${owner})` : ''
            }: stop that program or set LOCAL_CLOUD_PORT_BASE (now ${
              this.settings.portBase
            }) to move local-cloud's ports; log: ${spec.log}`,
            { component: spec.id, log: spec.log },
          );
        }
      }
    }
  }

  private async waitHealthy(
    specs: ComponentSpec[],
    running: Map<string, StartedProcess>,
    stage: StartStage | 'running',
    timeoutMs: number,
  ) {
    const deadline = Date.now() + timeoutMs;
    const pending = new Set(specs);
    while (pending.size > 0) {
      for (const spec of [...pending]) {
        const proc = running.get(spec.id);
        if (proc?.hasExited()) {
          const why = await proc.exited;
          const last = lastLogLine(spec.log);
          throw new LocalCloudError(
            `${spec.id} exited during start (${why})${
              last ? `: ${last}` : ''
            }; log: ${spec.log}`,
            { component: spec.id, log: spec.log },
          );
        }
        if (await spec.healthy()) pending.delete(spec);
      }
      if (pending.size === 0) break;
      if (Date.now() > deadline) {
        const spec = [...pending][0];
        throw new LocalCloudError(
          `${spec.id} did not become healthy within ${
            timeoutMs / 1000
          } s (${stage}); log: ${spec.log}`,
          { component: spec.id, log: spec.log },
        );
      }
      await new Promise(resolve => setTimeout(resolve, 250));
    }
  }

  private async stopAll(state: State, only?: Set<string>): Promise<string[]> {
    const byStage = (stage: StartStage) =>
      Object.entries(state.processes).filter(
        ([id]) => stageOf(id) === stage && (!only || only.has(id)),
      );
    const stopped: string[] = [];
    for (const stage of [...STAGES].reverse()) {
      await Promise.all(
        byStage(stage).map(async ([id, proc]) => {
          if (isRunning(proc)) stopped.push(id);
          await stopProcess(proc);
          delete state.processes[id];
        }),
      );
    }
    this.writeState(state);
    return stopped;
  }

  /**
   * Stops every process local-cloud recorded (by pid), and nothing else. Returns their ids.
   * With purge, also deletes the instance's state (etcd data, certificates, logs, config) and the
   * portal's data kept beside it, so both start again from nothing; the built binaries stay cached.
   */
  async down(options: { purge?: boolean } = {}): Promise<string[]> {
    const stopped = await this.lock(async () => {
      if (!fs.existsSync(this.layout.state)) return [];
      const state = this.readState();
      const ids = await this.stopAll(state);
      this.progress(
        ids.length
          ? `stopped ${ids.length} components: ${ids.join(', ')}`
          : 'nothing was running',
      );
      return ids;
    });
    if (options.purge) {
      fs.rmSync(this.layout.home, { recursive: true, force: true });
      this.progress(
        `deleted ${this.layout.home}: the clusters' state and the portal's data (${this.layout.portalData})`,
      );
    }
    return stopped;
  }

  /** Each component: running (by recorded pid), healthy (by its health endpoint), log path. */
  async status(): Promise<ComponentStatus[]> {
    const state = this.readState();
    const debian: DebianBinaries = state.debian ?? {
      nginx: 'nginx',
      prometheus: 'prometheus',
      alertmanager: 'prometheus-alertmanager',
      amtool: 'amtool',
      promtool: 'promtool',
      registry: 'docker-registry',
      git: 'git',
      gitHttpBackend: '/usr/lib/git-core/git-http-backend',
      fcgiwrap: 'fcgiwrap',
      buildah: 'buildah',
      mmdebstrap: 'mmdebstrap',
      busybox: 'busybox',
    };
    // paths only: status never makes certificates
    const clusters = this.settings.clusters.map(({ name, ports }) => {
      const layout = this.layout.cluster(name);
      return { name, ports, layout, pki: clusterPkiPaths(layout.pki) };
    });
    return Promise.all(
      this.components(debian, clusters).map(async spec => {
        const recorded = state.processes[spec.id];
        const running = isRunning(recorded);
        return {
          id: spec.id,
          pid: running ? recorded?.pid : undefined,
          running,
          healthy: running && (await spec.healthy()),
          ports: spec.ports,
          log: spec.log,
        };
      }),
    );
  }

  private writeClientConfig(state: State, clusters: ClusterContext[]) {
    const info = this.infoFrom(state, clusters);
    const kubeconfig = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: info.clusters.map(c => ({
        name: c.name,
        cluster: { server: c.url, 'certificate-authority-data': c.caData },
      })),
      users: clusters.map(c => ({
        name: `${c.name}-admin`,
        user: {
          'client-certificate-data': fs
            .readFileSync(c.pki.clients.admin.cert)
            .toString('base64'),
          'client-key-data': fs
            .readFileSync(c.pki.clients.admin.key)
            .toString('base64'),
        },
      })),
      contexts: clusters.map(c => ({
        name: c.name,
        context: { cluster: c.name, user: `${c.name}-admin` },
      })),
      'current-context': clusters[0].name,
    };
    fs.writeFileSync(this.layout.kubeconfig, toYaml(kubeconfig), {
      mode: 0o600,
    });
    // one key for what the modules keep encrypted in the portal's database (secret config file
    // sets, receivers' passwords, webhook secrets): made once per home, kept with the portal's
    // data, and deleted with it by 'down --purge'
    const secretsKey = portalSecretsKey(this.layout.portalSecretsKey);
    const appConfig = {
      kubernetes: {
        serviceLocatorMethod: { type: 'multiTenant' },
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: info.clusters.map(c => ({
              name: c.name,
              url: c.url,
              authProvider: 'serviceAccount',
              serviceAccountToken: c.serviceAccountToken,
              caData: c.caData,
              // no metrics.k8s.io here: metrics-server scrapes each kubelet's
              // /metrics/resource at the node's address, and kwok serves every node's metrics
              // on one port under /metrics/nodes/<node>/..., so Backstage's Kubernetes tab would
              // warn on the 404 of every pod-metrics lookup (usage comes from Prometheus instead)
              skipMetricsLookup: true,
            })),
          },
        ],
      },
      containerCloud: {
        nginx: {
          url: info.nginx.url,
          confDir: info.nginx.confDir,
          binary: info.nginx.binary,
          // the nginx backend's default cluster: files written atomically into conf.d, then a
          // graceful reload of this nginx
          clusters: [
            {
              name: 'local',
              environment: 'local',
              confDir: info.nginx.confDir,
              reloadCommand: [
                info.nginx.binary,
                ...nginxArgs(this.layout, ['-s', 'reload']),
              ],
            },
          ],
          // everything of the local cloud runs on loopback, so owners may point upstream members
          // there; the link-local metadata range and the apiservers' ports stay refused
          forbiddenMemberRanges: ['0.0.0.0/8', '169.254.0.0/16'],
          // <service>.test.localhost: browsers resolve *.localhost to loopback themselves
          testEnvironments: {
            cluster: 'local',
            wildcardDomain: 'localhost',
            environment: 'test',
            address: '127.0.0.1',
            port: this.settings.nginxPort,
            // a service made from a golden-path template gets its test domain within 30 s
            frequency: { seconds: 30 },
          },
        },
        prometheus: { url: info.prometheus.url },
        alertmanager: { url: info.alertmanager.url },
        // alert rules go to this Prometheus' rule folder, receivers into this Alertmanager's
        // configuration file; both are reloaded for real (plugins/alerts-backend)
        alerts: {
          prometheus: [
            {
              name: 'local',
              url: info.prometheus.url,
              clusters: info.clusters.map(c => c.name),
              rulesDir: info.prometheus.rulesDir,
            },
          ],
          promtool: info.prometheus.promtool,
          alertmanager: {
            url: info.alertmanager.url,
            configFile: info.alertmanager.configFile,
            amtool: info.alertmanager.amtool,
            encryptionKey: secretsKey,
          },
        },
        // image tags for the upgrade dialog: the example images' host is served here
        registries: [{ host: info.registry.host, url: info.registry.url }],
        // the storage backend's volume types: a static NFS export (claims bind) and a StorageClass
        // no provisioner serves (claims stay Pending); see packages/local-cloud/src/storage.ts
        storage: {
          ...storageAppConfig(info.clusters.map(c => c.name)),
          configFiles: { encryptionKey: secretsKey },
        },
        // the app store: helm built by 'up', the project's charts pushed by 'seed' to the registry
        appStore: appStoreAppConfig(
          info.helm.binary,
          this.settings.registryPort,
        ),
        // what the scaffolder publishes to the git server (only the portal holds its credential)
        // may claim its kubernetes id, beside the catalog's own locations; but the placements a
        // template writes into its catalog-info.yaml count only inside what ops granted the
        // owner team (LOCAL_TEAM_PLACEMENTS), so a new service cannot give itself any namespace
        binding: {
          additionalTrustedOrigins: [`url:${gitUrl(this.settings)}/*`],
          teamPlacements: LOCAL_TEAM_PLACEMENTS,
          requireTeamPlacements: true,
        },
        // codeflows: webhook secrets kept encrypted, the local executor's folders, the build
        // images 'up' made, the registry built images go to, and the git server (config.md keys)
        codeflow: codeflowAppConfig({
          settings: this.settings,
          layout: this.layout,
          encryptionKey: secretsKey,
          git: gitCredentials(this.layout, this.settings),
        }),
      },
    };
    fs.writeFileSync(
      this.layout.appConfig,
      `# Written by local-cloud (packages/local-cloud) on every 'up'; pass it with --config.\n${toYaml(
        appConfig,
      )}`,
      { mode: 0o600 },
    );
    fs.mkdirSync(this.layout.portalData, { recursive: true });
    fs.writeFileSync(
      this.layout.portalDataConfig,
      portalDataAppConfig(this.layout.portalData),
    );
    fs.writeFileSync(this.layout.envFile, this.envExports());
  }

  private infoFrom(state: State, clusters: ClusterContext[]): LocalCloudInfo {
    const s = this.settings;
    const debian = state.debian;
    return {
      home: this.layout.home,
      kubeconfig: this.layout.kubeconfig,
      appConfig: this.layout.appConfig,
      portalData: {
        directory: this.layout.portalData,
        appConfig: this.layout.portalDataConfig,
      },
      clusters: clusters.map(c => ({
        name: c.name,
        url: `https://127.0.0.1:${c.ports.apiserver}`,
        context: c.name,
        caFile: c.pki.caCert,
        caData: fs.readFileSync(c.pki.caCert).toString('base64'),
        serviceAccountToken: state.tokens[c.name] ?? '',
      })),
      nginx: {
        url: `http://127.0.0.1:${s.nginxPort}`,
        prefix: this.layout.nginx.prefix,
        conf: this.layout.nginx.conf,
        confDir: this.layout.nginx.confDir,
        binary: debian?.nginx ?? 'nginx',
      },
      prometheus: {
        url: `http://127.0.0.1:${s.prometheusPort}`,
        rulesDir: this.layout.prometheus.rulesDir,
        promtool: debian?.promtool ?? 'promtool',
      },
      alertmanager: {
        url: `http://127.0.0.1:${s.alertmanagerPort}`,
        configFile: this.layout.alertmanager.config,
        amtool: debian?.amtool ?? 'amtool',
      },
      registry: {
        url: `http://127.0.0.1:${s.registryPort}`,
        host: EXAMPLE_REGISTRY_HOST,
        charts: chartsRepository(s.registryPort),
      },
      helm: { binary: helmPath(s), version: LOCAL_CLOUD_VERSIONS.helm },
      git: {
        url: gitUrl(s),
        credentialsFile: this.layout.git.credentials,
        reposDir: this.layout.git.repos,
      },
      codeflowImages: baseImageReferences(s.registryPort),
    };
  }

  /** Connection details of the running instance; throws a one-line error when it is not up. */
  info(): LocalCloudInfo {
    const state = this.readState();
    const missing = this.settings.clusters.filter(c => !state.tokens[c.name]);
    const apiserversUp = this.settings.clusters.every(c =>
      isRunning(state.processes[`${c.name}/kube-apiserver`]),
    );
    if (missing.length > 0 || !apiserversUp) {
      throw new LocalCloudError(
        `the local cloud at ${this.layout.home} is not up: run 'node packages/local-cloud/bin/local-cloud up'`,
      );
    }
    return this.infoFrom(state, this.clusterContexts());
  }

  /** Shell lines that point kubectl and the portal at this instance. */
  envExports(): string {
    const s = this.settings;
    const vars: Record<string, string> = {
      KUBECONFIG: this.layout.kubeconfig,
      LOCAL_CLOUD_HOME: this.layout.home,
      LOCAL_CLOUD_PORT_BASE: String(s.portBase),
      LOCAL_CLOUD_APP_CONFIG: this.layout.appConfig,
      LOCAL_CLOUD_PORTAL_DATA_CONFIG: this.layout.portalDataConfig,
      LOCAL_CLOUD_NGINX_URL: `http://127.0.0.1:${s.nginxPort}`,
      LOCAL_CLOUD_PROMETHEUS_URL: `http://127.0.0.1:${s.prometheusPort}`,
      LOCAL_CLOUD_ALERTMANAGER_URL: `http://127.0.0.1:${s.alertmanagerPort}`,
      LOCAL_CLOUD_REGISTRY_URL: `http://127.0.0.1:${s.registryPort}`,
      LOCAL_CLOUD_HELM: helmPath(s),
      LOCAL_CLOUD_CHARTS: chartsRepository(s.registryPort),
      LOCAL_CLOUD_GIT_URL: gitUrl(s),
      LOCAL_CLOUD_GIT_CREDENTIALS: this.layout.git.credentials,
    };
    return Object.entries(vars)
      .map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'\n`)
      .join('');
  }

  /** A client of the git server's API, with its credentials (made on the first 'up'). */
  gitServer(): LocalGitServer {
    return new LocalGitServer(gitCredentials(this.layout, this.settings));
  }

  /** An admin client for one cluster (client certificate, system:masters). */
  adminClient(cluster: LocalCloudClusterName): KubeRest {
    const context = this.clusterContexts().find(c => c.name === cluster);
    if (!context) throw new LocalCloudError(`no cluster named ${cluster}`);
    return this.adminApi(context);
  }

  /**
   * Reserves the example services (what `seed` makes) for a caller that changes them for a while,
   * such as a test rolling payments-api to a new image and back: until the returned release is
   * called, `seed` (which puts them back as seeded) waits, in this process and in every other one
   * on this machine. A reservation whose process died is taken over.
   */
  reserveExampleServices(): Promise<() => void> {
    return acquireLock(this.layout.exampleServicesLock, pid =>
      this.progress(
        `waiting for process ${pid}, which is using the example services, to let them go`,
      ),
    );
  }

  /**
   * Namespaces and Deployments for the example catalog's services, spread over both clusters; the
   * example images' tags and the project's charts (charts/) in the registry. Waits while the
   * example services are reserved (`reserveExampleServices`).
   */
  async seed(entitiesFile?: string): Promise<SeedResult[]> {
    const release = await this.reserveExampleServices();
    try {
      return await this.seedReserved(entitiesFile);
    } finally {
      release();
    }
  }

  private async seedReserved(entitiesFile?: string): Promise<SeedResult[]> {
    const info = this.info();
    const results = await seedExampleServices(
      info.clusters.map(c => ({ name: c.name, api: this.adminClient(c.name) })),
      entitiesFile,
      this.progress,
    );
    await seedRegistry(
      info.registry.url,
      results.map(r => `${r.namespace}/${r.service}`),
      this.progress,
    );
    await this.refreshAppStoreVolumes(this.clusterContexts());
    // the app store's catalogue: every chart of the repository's charts/ folder, as OCI artifacts
    await publishCharts({
      helm: info.helm.binary,
      chartsDir: findChartsDir(),
      registryUrl: info.registry.url,
      helmHome: this.layout.helmHome,
      progress: this.progress,
    });
    // the example services' source on the git server (examples/apps/<name>), as its main branch
    await seedGitRepositories(this.gitServer(), this.progress);
    const withStorage = results.find(r => r.service === STORAGE_SEED.service);
    if (withStorage) {
      const apis = withStorage.clusters.map(name => ({
        name,
        api: this.adminClient(name as LocalCloudClusterName),
      }));
      try {
        await seedStorage(apis, this.progress);
      } finally {
        for (const { api } of apis) api.close();
      }
    }
    return results;
  }

  /** `nginx -t` on the instance's config, then a graceful reload; throws with nginx's message. */
  reloadNginx(): void {
    const info = this.info();
    for (const extra of [
      ['-t', '-q'],
      ['-s', 'reload'],
    ]) {
      const result = spawnSync(
        info.nginx.binary,
        nginxArgs(this.layout, extra),
        {
          encoding: 'utf8',
        },
      );
      if (result.status !== 0) {
        const message = `${result.stderr}`.trim().split('\n').pop();
        throw new LocalCloudError(
          `nginx ${extra.join(' ')} failed: ${message}; log: ${
            this.layout.nginx.errorLog
          }`,
          { component: 'nginx', log: this.layout.nginx.errorLog },
        );
      }
    }
  }
}

function stageOf(id: string): StartStage {
  if (id.endsWith('/kube-apiserver')) return 'apiserver';
  if (/\/(kube-controller-manager|kube-scheduler|kwok)$/.test(id))
    return 'controllers';
  return 'storage';
}
