import { mockServices } from '@backstage/backend-test-utils';
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import {
  ClusterConnection,
  DeploymentOperations,
  PodOperations,
  readClusterConfig,
} from '@internal/plugin-container-cloud-node';
import { useLocalCloud } from '@internal/local-cloud/testing';
import {
  clusterLocators,
  runningPod,
  serviceDeployment,
} from './__testUtils__/localCloudFixtures';

jest.setTimeout(180_000);

// A write's label check and the write itself cannot be told apart by a change in between: the
// object is relabelled to another service right after the backend read it (the read answers as
// it was), and the write must not reach it.
const lc = useLocalCloud({ namespacePrefix: 'wrace' });
const ID = 'payments-api';
const OTHER = 'orders-api';

describe('a write racing a relabel', () => {
  let connection: ClusterConnection;
  const apps = () => lc.kubeConfig('local-a').makeApiClient(AppsV1Api);
  const core = () => lc.kubeConfig('local-a').makeApiClient(CoreV1Api);

  beforeAll(async () => {
    const [details] = readClusterConfig(
      mockServices.rootConfig({
        data: {
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: clusterLocators(
                  lc.info.clusters.filter(c => c.name === 'local-a'),
                ),
              },
            ],
          },
        },
      }),
    );
    connection = new ClusterConnection(details);
    await apps().createNamespacedDeployment({
      namespace: lc.namespace,
      body: serviceDeployment({
        namespace: lc.namespace,
        name: 'payments-api',
        kubernetesId: ID,
      }),
    });
  });

  afterEach(() => jest.restoreAllMocks());

  /** Once: after the backend's read answers, the object is given to OTHER before the write. */
  function relabelAfterRead<T extends object>(
    api: T,
    method: keyof T,
    relabel: () => Promise<unknown>,
  ) {
    const original = (api[method] as any).bind(api);
    let done = false;
    (jest.spyOn(api, method as any) as jest.SpyInstance).mockImplementation(
      async (...args: any[]) => {
        const read = await original(...args);
        if (!done) {
          done = true;
          await relabel();
        }
        return read;
      },
    );
  }
  const idPatch = (id: string) => [
    {
      op: 'replace',
      path: '/metadata/labels/backstage.io~1kubernetes-id',
      value: id,
    },
  ];
  const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

  it('does not scale a Deployment relabelled after the label check', async () => {
    relabelAfterRead(connection.apps, 'readNamespacedDeployment', () =>
      apps().patchNamespacedDeployment(
        { namespace: lc.namespace, name: 'payments-api', body: idPatch(OTHER) },
        jsonPatch,
      ),
    );
    // the backend's own automation (no resourceVersion from a page): still conditional
    await expect(
      new DeploymentOperations(connection).scale(
        { namespace: lc.namespace, name: 'payments-api', kubernetesId: ID },
        4,
      ),
    ).rejects.toMatchObject({
      name: expect.stringMatching(/NotFoundError|ConflictError/),
    });
    const live = await apps().readNamespacedDeployment({
      namespace: lc.namespace,
      name: 'payments-api',
    });
    expect(live.metadata?.labels?.['backstage.io/kubernetes-id']).toBe(OTHER);
    expect(live.spec?.replicas).toBe(1);
  });

  it('does not delete a pod relabelled after the label check', async () => {
    // the Deployment is the other service's now; its pod still carries ID
    const name = await runningPod(lc.kubeConfig('local-a'), lc.namespace, ID);
    relabelAfterRead(connection.core, 'readNamespacedPod', () =>
      core().patchNamespacedPod(
        { namespace: lc.namespace, name, body: idPatch(OTHER) },
        jsonPatch,
      ),
    );
    await expect(
      new PodOperations(connection).destroy({
        namespace: lc.namespace,
        name,
        kubernetesId: ID,
      }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    const live = await core().readNamespacedPod({
      namespace: lc.namespace,
      name,
    });
    expect(live.metadata?.deletionTimestamp).toBeUndefined();
    expect(live.metadata?.labels?.['backstage.io/kubernetes-id']).toBe(OTHER);
  });
});
