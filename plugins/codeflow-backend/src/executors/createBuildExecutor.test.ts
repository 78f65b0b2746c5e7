import { ConfigReader } from '@backstage/config';
import { KubeConfig } from '@kubernetes/client-node';
import { mockServices } from '@backstage/backend-test-utils';
import { createBuildExecutor } from './createBuildExecutor';
import { kubernetesBuildConfig } from './kubernetes/config';

const logger = mockServices.logger.mock();

/** the clusters service's two members the factory uses, over a kubeconfig that is never called */
const clusters = {
  names: ['local-a', 'local-b'],
  connection: (cluster: string) => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: cluster, server: 'https://127.0.0.1:1' }],
      users: [{ name: 'u' }],
      contexts: [{ name: cluster, cluster, user: 'u' }],
      currentContext: cluster,
    });
    return { kubeConfig } as any;
  },
};

type ConfigData = ConstructorParameters<typeof ConfigReader>[0];
const codeflow = (values: object) =>
  new ConfigReader({ containerCloud: { codeflow: values } } as ConfigData);

describe('createBuildExecutor', () => {
  it('is the local executor by default', () => {
    expect(createBuildExecutor(codeflow({}), { logger, clusters }).id).toBe(
      'local',
    );
    expect(
      createBuildExecutor(codeflow({ executor: 'local' }), { logger, clusters })
        .id,
    ).toBe('local');
  });

  it('builds on Kubernetes in the configured cluster and namespace', () => {
    const executor = createBuildExecutor(
      codeflow({
        executor: 'kubernetes',
        kubernetes: { cluster: 'local-b', namespace: 'codeflow-builds' },
      }),
      { logger, clusters },
    );
    expect(executor.id).toBe('kubernetes');
  });

  it('builds on Jenkins when it is configured', () => {
    const executor = createBuildExecutor(
      codeflow({
        executor: 'jenkins',
        jenkins: {
          baseUrl: 'https://jenkins.example.com/',
          username: 'bot',
          apiToken: 'token',
        },
      }),
      { logger, clusters },
    );
    expect(executor.id).toBe('jenkins');
  });

  it.each([
    [
      { executor: 'docker' },
      'containerCloud.codeflow.executor is "docker": it must be local (the default), kubernetes or jenkins',
    ],
    [
      { executor: 'jenkins' },
      'containerCloud.codeflow.executor is jenkins, but containerCloud.codeflow.jenkins is not configured: set its baseUrl and credentials',
    ],
    [
      { executor: 'kubernetes' },
      'containerCloud.codeflow.executor is kubernetes, but containerCloud.codeflow.kubernetes is not configured: set its cluster and namespace',
    ],
    [
      {
        executor: 'kubernetes',
        kubernetes: { cluster: 'prod-eu', namespace: 'builds' },
      },
      'containerCloud.codeflow.kubernetes.cluster is prod-eu, which is none of the configured clusters (local-a, local-b)',
    ],
    [
      {
        executor: 'kubernetes',
        kubernetes: { cluster: 'local-a', namespace: 'builds', runAsUser: 0 },
      },
      'containerCloud.codeflow.kubernetes.runAsUser is the numeric user builds run as, never root (0): it is 0',
    ],
    [
      {
        executor: 'kubernetes',
        kubernetes: { cluster: 'local-a', namespace: 'Builds' },
      },
      'containerCloud.codeflow.kubernetes.namespace is no namespace name: Builds',
    ],
  ])('refuses to start with %j', (values, message) => {
    expect(() =>
      createBuildExecutor(codeflow(values), { logger, clusters }),
    ).toThrow(message);
  });

  it('reads every Kubernetes key into the Job settings', () => {
    expect(
      kubernetesBuildConfig(
        codeflow({
          kubernetes: {
            cluster: 'local-a',
            namespace: 'builds',
            builderImage: 'registry.example.com/buildkit:rootless',
            runAsUser: 1500,
            cacheClaim: 'codeflow-cache',
            secrets: [
              {
                secret: 'registry-auth',
                mountPath: '/run/secrets/codeflow-registry',
              },
            ],
            resources: { limits: { cpu: '4', memory: '8Gi' } },
            serviceAccountName: 'builder',
            timeoutMinutes: 20,
            ttlSecondsAfterFinished: 600,
          },
        }),
        clusters.names,
      ),
    ).toEqual({
      cluster: 'local-a',
      settings: {
        namespace: 'builds',
        builderImage: 'registry.example.com/buildkit:rootless',
        runAsUser: 1500,
        cacheClaim: 'codeflow-cache',
        secrets: [
          {
            secret: 'registry-auth',
            mountPath: '/run/secrets/codeflow-registry',
          },
        ],
        resources: {
          requests: undefined,
          limits: { cpu: '4', memory: '8Gi' },
        },
        serviceAccountName: 'builder',
        timeoutSeconds: 1200,
        keepSeconds: 600,
      },
    });
  });
});
