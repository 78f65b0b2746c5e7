import path from 'node:path';
import { LocalCloudClusterName, LocalCloudSettings } from './settings';

/** Where each file of a running instance lives, under its home folder. */
export function homeLayout(settings: LocalCloudSettings) {
  const home = settings.home;
  const cluster = (name: LocalCloudClusterName) => {
    const dir = path.join(home, name);
    return {
      dir,
      pki: path.join(dir, 'pki'),
      etcdData: path.join(dir, 'etcd-data'),
      kubeconfigs: path.join(dir, 'kubeconfigs'),
      certDir: path.join(dir, 'serving-certs'),
    };
  };
  return {
    home,
    state: path.join(home, 'state.json'),
    lock: path.join(home, '.lock'),
    /** held while the example services are seeded, or reserved by a test that changes them */
    exampleServicesLock: path.join(home, '.example-services.lock'),
    logs: path.join(home, 'logs'),
    log: (componentId: string) =>
      path.join(home, 'logs', `${componentId.replace(/\//g, '-')}.log`),
    kubeconfig: path.join(home, 'kubeconfig'),
    appConfig: path.join(home, 'app-config.local-cloud.yaml'),
    /** the portal's SQLite files (one per plugin) and the overlay that points the backend at them */
    portalData: path.join(home, 'portal-data'),
    portalDataConfig: path.join(home, 'app-config.portal-data.yaml'),
    /** the key the portal's modules encrypt secrets at rest with (base64, 32 bytes) */
    portalSecretsKey: path.join(home, 'portal-secrets.key'),
    envFile: path.join(home, 'env.sh'),
    /** helm's config, cache and data folders when local-cloud runs it (seed's chart pushes) */
    helmHome: path.join(home, 'helm'),
    cluster,
    nginx: {
      prefix: path.join(home, 'nginx'),
      conf: path.join(home, 'nginx', 'nginx.conf'),
      confDir: path.join(home, 'nginx', 'conf.d'),
      html: path.join(home, 'nginx', 'html'),
      errorLog: path.join(home, 'nginx', 'logs', 'error.log'),
      pid: path.join(home, 'nginx', 'nginx.pid'),
    },
    prometheus: {
      dir: path.join(home, 'prometheus'),
      config: path.join(home, 'prometheus', 'prometheus.yml'),
      rulesDir: path.join(home, 'prometheus', 'rules'),
      data: path.join(home, 'prometheus', 'data'),
    },
    alertmanager: {
      dir: path.join(home, 'alertmanager'),
      config: path.join(home, 'alertmanager', 'alertmanager.yml'),
      data: path.join(home, 'alertmanager', 'data'),
    },
    /** the git server: bare repositories in git/, its nginx, fcgiwrap socket, programs and credentials in git-server/ */
    git: {
      repos: path.join(home, 'git'),
      dir: path.join(home, 'git-server'),
      prefix: path.join(home, 'git-server', 'nginx'),
      conf: path.join(home, 'git-server', 'nginx', 'nginx.conf'),
      pid: path.join(home, 'git-server', 'nginx', 'nginx.pid'),
      errorLog: path.join(home, 'git-server', 'nginx', 'logs', 'error.log'),
      socket: path.join(home, 'git-server', 'fcgiwrap.sock'),
      htpasswd: path.join(home, 'git-server', 'htpasswd'),
      credentials: path.join(home, 'git-server', 'credentials.json'),
      bin: path.join(home, 'git-server', 'bin'),
    },
    /** the local codeflow executor's folders (containerCloud.codeflow.local) */
    codeflow: {
      workDir: path.join(home, 'codeflow', 'work'),
      cacheDir: path.join(home, 'codeflow', 'cache'),
      storageRoot: path.join(home, 'codeflow', 'storage'),
      runRoot: path.join(home, 'codeflow', 'runroot'),
    },
    registry: {
      dir: path.join(home, 'registry'),
      config: path.join(home, 'registry', 'config.yml'),
      data: path.join(home, 'registry', 'data'),
    },
  };
}

export type HomeLayout = ReturnType<typeof homeLayout>;
