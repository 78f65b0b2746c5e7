import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { binaryPath, kwokDefaultPodStages } from './build/binaries';
import { ClusterPki, ClientName } from './certificates';
import { HomeLayout } from './layout';
import { probe } from './probe';
import {
  ClusterPorts,
  LocalCloudClusterName,
  LocalCloudSettings,
} from './settings';
import { kwokResourceMetricsPath, writeKwokConfig } from './kwokConfig';
import { toYaml } from './yaml';

/**
 * Start groups, in order: storage and the standalone programs, then the apiservers, then what
 * needs an apiserver that local-cloud has bootstrapped (fake nodes, RBAC for the portal).
 */
export type StartStage = 'storage' | 'apiserver' | 'controllers';

/** One program of the local cloud: how to start it and how to tell it is healthy. */
export interface ComponentSpec {
  /** Stable id, e.g. `local-a/kube-apiserver` or `nginx`; used for logs and state. */
  id: string;
  binary: string;
  args: string[];
  ports: number[];
  stage: StartStage;
  log: string;
  /** Its environment, when it must not inherit ours. */
  env?: NodeJS.ProcessEnv;
  /** Stop its whole process group (workers that outlive the parent's SIGTERM). */
  stopGroup?: boolean;
  /** Writes the config files the program reads; runs before every start. */
  prepare?: () => void;
  healthy: () => Promise<boolean>;
}

export interface ClusterContext {
  name: LocalCloudClusterName;
  ports: ClusterPorts;
  pki: ClusterPki;
  layout: ReturnType<HomeLayout['cluster']>;
}

/** A kubeconfig for one component, pointing at its cluster's apiserver with its own certificate. */
function componentKubeconfig(
  cluster: ClusterContext,
  client: ClientName,
): string {
  const file = path.join(cluster.layout.kubeconfigs, `${client}.kubeconfig`);
  const { cert, key } = cluster.pki.clients[client];
  fs.mkdirSync(cluster.layout.kubeconfigs, { recursive: true });
  fs.writeFileSync(
    file,
    toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: cluster.name,
          cluster: {
            server: `https://127.0.0.1:${cluster.ports.apiserver}`,
            'certificate-authority': cluster.pki.caCert,
          },
        },
      ],
      users: [
        {
          name: client,
          user: { 'client-certificate': cert, 'client-key': key },
        },
      ],
      contexts: [
        { name: 'default', context: { cluster: cluster.name, user: client } },
      ],
      'current-context': 'default',
    }),
    { mode: 0o600 },
  );
  return file;
}

function okIs200(status: number) {
  return status === 200;
}

export function clusterComponents(
  settings: LocalCloudSettings,
  layout: HomeLayout,
  cluster: ClusterContext,
): ComponentSpec[] {
  const { name, ports, pki } = cluster;
  const id = (component: string) => `${name}/${component}`;
  const etcdUrl = `http://127.0.0.1:${ports.etcdClient}`;
  const apiserverUrl = `https://127.0.0.1:${ports.apiserver}`;
  const ca = () =>
    fs.existsSync(pki.caCert) ? fs.readFileSync(pki.caCert) : undefined;
  const secureServing = (port: number, component: string) => [
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${path.join(cluster.layout.certDir, component)}`,
  ];
  const delegatedAuth = (kubeconfig: string) => [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--leader-elect=false',
    // client-side rate limits sized for a loopback apiserver, so that scaling is not throttled
    '--kube-api-qps=200',
    '--kube-api-burst=400',
  ];
  const kubeconfigs = {} as Record<ClientName, string>;
  const writeKubeconfig = (client: ClientName) => {
    kubeconfigs[client] = componentKubeconfig(cluster, client);
    return kubeconfigs[client];
  };
  const kubeconfigPath = (client: ClientName) =>
    path.join(cluster.layout.kubeconfigs, `${client}.kubeconfig`);

  return [
    {
      id: id('etcd'),
      binary: binaryPath(settings, 'etcd'),
      stage: 'storage',
      ports: [ports.etcdClient, ports.etcdPeer],
      log: layout.log(id('etcd')),
      args: [
        `--name=${name}`,
        `--data-dir=${cluster.layout.etcdData}`,
        `--listen-client-urls=${etcdUrl}`,
        `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-cluster=${name}=http://127.0.0.1:${ports.etcdPeer}`,
        // a throwaway development store: skip fsync to keep start and writes fast
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
      healthy: async () => okIs200(await probe(`${etcdUrl}/health`)),
    },
    {
      id: id('kube-apiserver'),
      binary: binaryPath(settings, 'kube-apiserver'),
      stage: 'apiserver',
      ports: [ports.apiserver],
      log: layout.log(id('kube-apiserver')),
      args: [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${ports.apiserver}`,
        `--tls-cert-file=${pki.apiserverCert}`,
        `--tls-private-key-file=${pki.apiserverKey}`,
        `--client-ca-file=${pki.caCert}`,
        `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        '--authorization-mode=RBAC',
        '--service-cluster-ip-range=10.96.0.0/16',
        '--allow-privileged=true',
        '--profiling=false',
        '--kubelet-preferred-address-types=InternalIP',
        `--cert-dir=${path.join(cluster.layout.certDir, 'kube-apiserver')}`,
      ],
      healthy: async () =>
        okIs200(await probe(`${apiserverUrl}/readyz`, { ca: ca() })),
    },
    {
      id: id('kube-controller-manager'),
      binary: binaryPath(settings, 'kube-controller-manager'),
      stage: 'controllers',
      ports: [ports.controllerManager],
      log: layout.log(id('kube-controller-manager')),
      prepare: () => void writeKubeconfig('kube-controller-manager'),
      args: [
        ...delegatedAuth(kubeconfigPath('kube-controller-manager')),
        ...secureServing(ports.controllerManager, 'kube-controller-manager'),
        `--service-account-private-key-file=${pki.serviceAccountKey}`,
        `--root-ca-file=${pki.caCert}`,
        '--use-service-account-credentials=true',
        `--cluster-name=${name}`,
        '--profiling=false',
      ],
      healthy: async () =>
        okIs200(
          await probe(`https://127.0.0.1:${ports.controllerManager}/healthz`, {
            insecure: true,
          }),
        ),
    },
    {
      id: id('kube-scheduler'),
      binary: binaryPath(settings, 'kube-scheduler'),
      stage: 'controllers',
      ports: [ports.scheduler],
      log: layout.log(id('kube-scheduler')),
      prepare: () => void writeKubeconfig('kube-scheduler'),
      args: [
        ...delegatedAuth(kubeconfigPath('kube-scheduler')),
        ...secureServing(ports.scheduler, 'kube-scheduler'),
        '--profiling=false',
      ],
      healthy: async () =>
        okIs200(
          await probe(`https://127.0.0.1:${ports.scheduler}/healthz`, {
            insecure: true,
          }),
        ),
    },
    {
      id: id('kwok'),
      binary: binaryPath(settings, 'kwok'),
      stage: 'controllers',
      ports: [ports.kwok],
      log: layout.log(id('kwok')),
      // the shells it runs for exec inherit its environment: give it nothing of ours
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8' },
      prepare: () => {
        writeKubeconfig('kwok');
        writeKwokConfig(
          path.join(cluster.layout.dir, 'kwok.yaml'),
          path.join(cluster.layout.dir, 'kwok-sample-container.log'),
          // under the temp folder: the run folder may sit in a home nobody else may enter
          path.join(os.tmpdir(), `local-cloud-shell-${ports.kwok}`),
          kwokDefaultPodStages(settings),
        );
      },
      args: [
        // an explicit configuration, so that a user's ~/.kwok/kwok.yaml is not read
        `--config=${path.join(cluster.layout.dir, 'kwok.yaml')}`,
        `--kubeconfig=${kubeconfigPath('kwok')}`,
        '--manage-all-nodes=true',
        // kwok's server acts as every fake node's kubelet (logs, resource metrics) over https;
        // nodes advertise 127.0.0.1 and this port, so the apiserver finds it for `kubectl logs`
        `--server-address=127.0.0.1:${ports.kwok}`,
        `--node-port=${ports.kwok}`,
        `--tls-cert-file=${pki.kwokCert}`,
        `--tls-private-key-file=${pki.kwokKey}`,
        '--node-ip=127.0.0.1',
        '--cidr=10.244.0.0/16',
        // node leases keep the fake nodes Ready; local-cloud deletes a previous kwok's leases
        // before starting it, else it would wait for them to expire before running pods
        '--node-lease-duration-seconds=40',
        // INFO logs every lease renewal
        '--v=WARN',
      ],
      healthy: async () =>
        okIs200(
          await probe(`https://127.0.0.1:${ports.kwok}/healthz`, { ca: ca() }),
        ),
    },
  ];
}

export function nginxArgs(layout: HomeLayout, extra: string[] = []): string[] {
  return [
    '-p',
    `${layout.nginx.prefix}/`,
    '-c',
    layout.nginx.conf,
    '-e',
    layout.nginx.errorLog,
    ...extra,
  ];
}

function writeNginxConfig(layout: HomeLayout, port: number) {
  const n = layout.nginx;
  for (const dir of [
    n.confDir,
    n.html,
    path.dirname(n.errorLog),
    path.join(n.prefix, 'tmp'),
  ]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  const tmp = (what: string) => path.join(n.prefix, 'tmp', what);
  fs.writeFileSync(
    path.join(n.html, 'index.html'),
    '<!doctype html><title>local-cloud nginx</title><p>local-cloud nginx is running.</p>\n',
  );
  fs.writeFileSync(
    n.conf,
    `# Written by local-cloud on every start; add servers as files in ${
      n.confDir
    }
# (test with 'nginx -t', then reload) instead of editing this file.
user root;
worker_processes 1;
pid ${n.pid};
error_log ${n.errorLog} warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log ${path.join(path.dirname(n.errorLog), 'access.log')};
  client_body_temp_path ${tmp('client_body')};
  proxy_temp_path ${tmp('proxy')};
  fastcgi_temp_path ${tmp('fastcgi')};
  uwsgi_temp_path ${tmp('uwsgi')};
  scgi_temp_path ${tmp('scgi')};
  server {
    listen 127.0.0.1:${port} default_server;
    root ${n.html};
    location = /healthz { return 200 "ok\\n"; }
    location = /nginx_status { stub_status; }
  }
  include ${n.confDir}/*.conf;
}
`,
  );
}

/** Prometheus file_sd targets: the resource metrics of each node, served by its cluster's kwok. */
export function kwokTargetsFile(layout: HomeLayout): string {
  return path.join(layout.prometheus.dir, 'targets', 'kwok-resource.json');
}

export function writeKwokTargets(
  layout: HomeLayout,
  clusters: Array<{ name: string; kwokPort: number; nodes: string[] }>,
): void {
  const file = kwokTargetsFile(layout);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const targets = clusters.flatMap(c =>
    c.nodes.map(node => ({
      targets: [`127.0.0.1:${c.kwokPort}`],
      labels: {
        cluster: c.name,
        node,
        __metrics_path__: kwokResourceMetricsPath(node),
      },
    })),
  );
  // write then rename: Prometheus watches the file and must never read half of it
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(targets, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

function writePrometheusConfig(
  settings: LocalCloudSettings,
  layout: HomeLayout,
) {
  const p = layout.prometheus;
  fs.mkdirSync(p.rulesDir, { recursive: true });
  fs.mkdirSync(p.data, { recursive: true });
  if (!fs.existsSync(kwokTargetsFile(layout))) writeKwokTargets(layout, []);
  const local = (port: number) => `127.0.0.1:${port}`;
  const perCluster = (port: (c: ClusterPorts) => number) =>
    settings.clusters.map(c => ({
      targets: [local(port(c.ports))],
      labels: { cluster: c.name },
    }));
  fs.writeFileSync(
    p.config,
    `# Written by local-cloud on every start; drop rule files in ${
      p.rulesDir
    } and POST /-/reload.\n${toYaml({
      global: { scrape_interval: '5s', evaluation_interval: '5s' },
      rule_files: [
        path.join(p.rulesDir, '*.yml'),
        path.join(p.rulesDir, '*.yaml'),
      ],
      alerting: {
        alertmanagers: [
          { static_configs: [{ targets: [local(settings.alertmanagerPort)] }] },
        ],
      },
      scrape_configs: [
        {
          job_name: 'prometheus',
          static_configs: [{ targets: [local(settings.prometheusPort)] }],
        },
        {
          job_name: 'alertmanager',
          static_configs: [{ targets: [local(settings.alertmanagerPort)] }],
        },
        {
          job_name: 'kwok',
          scheme: 'https',
          tls_config: { insecure_skip_verify: true },
          static_configs: perCluster(c => c.kwok),
        },
        {
          // kubelet-style resource metrics of every node (all are kwok's); Debian's Prometheus
          // has no Kubernetes discovery, so local-cloud lists the nodes in a file on each 'up'
          job_name: 'kwok-resource',
          scheme: 'https',
          tls_config: { insecure_skip_verify: true },
          file_sd_configs: [
            { files: [kwokTargetsFile(layout)], refresh_interval: '30s' },
          ],
        },
        { job_name: 'etcd', static_configs: perCluster(c => c.etcdClient) },
      ],
    })}`,
  );
}

// The alerts backend writes this file (its receivers and routes) and reloads Alertmanager, so a
// restart keeps what it wrote: local-cloud writes the first one only.
function writeAlertmanagerConfig(layout: HomeLayout) {
  const a = layout.alertmanager;
  fs.mkdirSync(a.data, { recursive: true });
  if (fs.existsSync(a.config)) return;
  fs.writeFileSync(
    a.config,
    toYaml({
      route: {
        receiver: 'local-cloud',
        group_wait: '5s',
        group_interval: '10s',
      },
      receivers: [{ name: 'local-cloud' }],
    }),
  );
}

function writeRegistryConfig(layout: HomeLayout, port: number) {
  const r = layout.registry;
  fs.mkdirSync(r.data, { recursive: true });
  fs.writeFileSync(
    r.config,
    toYaml({
      version: 0.1,
      log: { level: 'warn' },
      storage: {
        filesystem: { rootdirectory: r.data },
        delete: { enabled: true },
      },
      http: { addr: `127.0.0.1:${port}` },
    }),
  );
}

/** The Debian programs: nginx, Prometheus, Alertmanager and a registry, each with its own folder under home. */
export function debianComponents(
  settings: LocalCloudSettings,
  layout: HomeLayout,
  binaries: {
    nginx: string;
    prometheus: string;
    alertmanager: string;
    registry: string;
  },
): ComponentSpec[] {
  const http200 = (url: string) => async () => okIs200(await probe(url));
  return [
    {
      id: 'nginx',
      binary: binaries.nginx,
      stage: 'storage',
      ports: [settings.nginxPort],
      log: layout.log('nginx'),
      prepare: () => writeNginxConfig(layout, settings.nginxPort),
      args: nginxArgs(layout, ['-g', 'daemon off;']),
      healthy: http200(`http://127.0.0.1:${settings.nginxPort}/healthz`),
    },
    {
      id: 'prometheus',
      binary: binaries.prometheus,
      stage: 'storage',
      ports: [settings.prometheusPort],
      log: layout.log('prometheus'),
      prepare: () => writePrometheusConfig(settings, layout),
      args: [
        `--config.file=${layout.prometheus.config}`,
        `--storage.tsdb.path=${layout.prometheus.data}`,
        '--storage.tsdb.retention.time=2d',
        `--web.listen-address=127.0.0.1:${settings.prometheusPort}`,
        '--web.enable-lifecycle',
      ],
      healthy: http200(`http://127.0.0.1:${settings.prometheusPort}/-/ready`),
    },
    {
      id: 'alertmanager',
      binary: binaries.alertmanager,
      stage: 'storage',
      ports: [settings.alertmanagerPort],
      log: layout.log('alertmanager'),
      prepare: () => writeAlertmanagerConfig(layout),
      args: [
        `--config.file=${layout.alertmanager.config}`,
        `--storage.path=${layout.alertmanager.data}`,
        `--web.listen-address=127.0.0.1:${settings.alertmanagerPort}`,
        // a single instance: no gossip port
        '--cluster.listen-address=',
      ],
      healthy: http200(`http://127.0.0.1:${settings.alertmanagerPort}/-/ready`),
    },
    {
      id: 'registry',
      binary: binaries.registry,
      stage: 'storage',
      ports: [settings.registryPort],
      log: layout.log('registry'),
      prepare: () => writeRegistryConfig(layout, settings.registryPort),
      args: ['serve', layout.registry.config],
      healthy: http200(`http://127.0.0.1:${settings.registryPort}/v2/`),
    },
  ];
}
