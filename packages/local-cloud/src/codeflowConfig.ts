import { CODEFLOW_IMAGES_PATH, baseImageReferences } from './build/baseImages';
import { LOCAL_GIT_CREDENTIAL, LocalGitCredentials } from './gitServer';
import { HomeLayout } from './layout';
import { LocalCloudSettings } from './settings';

/**
 * `containerCloud.codeflow` of the generated app-config (keys: plugins/codeflow-backend/config.d.ts):
 * the local executor building with buildah into the local registry, the build images `up` made,
 * and the local git server with its credential.
 */
export function codeflowAppConfig(options: {
  settings: LocalCloudSettings;
  layout: HomeLayout;
  encryptionKey: string;
  git: LocalGitCredentials;
}) {
  const { settings, layout, encryptionKey, git } = options;
  const registry = `127.0.0.1:${settings.registryPort}`;
  const images = baseImageReferences(settings.registryPort);
  return {
    // webhook secrets are kept encrypted
    webhooks: { encryptionKey },
    executor: 'local',
    // built images go to <repository>/<service name>; the loopback registry speaks plain HTTP
    registry: {
      repository: `${registry}/${CODEFLOW_IMAGES_PATH}`,
      insecure: true,
    },
    runs: {
      concurrency: 2,
      timeoutMinutes: 30,
      onNewPush: 'queue',
      maxLogBytes: 5 * 1024 * 1024,
      rolloutTimeoutSeconds: 600,
    },
    local: {
      workDir: layout.codeflow.workDir,
      cacheDir: layout.codeflow.cacheDir,
      storageRoot: layout.codeflow.storageRoot,
      runRoot: layout.codeflow.runRoot,
      buildUser: 10001,
    },
    preprocessingRepository: `${registry}/${CODEFLOW_IMAGES_PATH}/preprocessed`,
    buildImages: [
      {
        id: 'node-22',
        title: 'Node 22',
        image: images.node,
        runtimeImage: images.node,
      },
      {
        id: 'python-3.11',
        title: 'Python 3.11',
        image: images.python,
        runtimeImage: images.python,
      },
      {
        // built in the JDK with Maven and the warmed repository, run on the JRE alone
        id: 'java-17',
        title: 'Java 17 (Maven)',
        image: images.java,
        runtimeImage: images.javaRuntime,
      },
      {
        id: 'debian-12',
        title: 'Debian 12',
        image: images.debian,
        runtimeImage: images.debian,
      },
    ],
    credentials: [
      {
        name: LOCAL_GIT_CREDENTIAL,
        description: `the local cloud's git server (${git.url})`,
        username: git.username,
        password: git.password,
      },
    ],
    git: { url: git.url, credentials: LOCAL_GIT_CREDENTIAL },
    // builds fetch from the backend's host: only from the local git server
    repositoryHosts: [new URL(git.url).host],
  };
}
