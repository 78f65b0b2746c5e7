import { mockServices } from '@backstage/backend-test-utils';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  ClusterConnection,
  readClusterConfig,
} from '@internal/plugin-container-cloud-node';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { clusterFreeCapacity } from './freeCapacity';

jest.setTimeout(180_000);

// The free CPU the autoscaler splits by (`split: free-capacity`), read from the local cloud's
// real apiserver through a cluster connection: its kwok nodes' allocatable CPU less what their
// pods request. A pod bound to one of them with a 4-core request takes 4 cores off; other
// tests' pods may come and go meanwhile, so the change is compared with a margin far below 4.
const lc = useLocalCloud({ namespacePrefix: 'fcap' });

describe('free capacity on the local cloud', () => {
  let connection: ClusterConnection;
  const core = () => lc.kubeConfig('local-a').makeApiClient(CoreV1Api);

  beforeAll(() => {
    const [details] = readClusterConfig(
      mockServices.rootConfig({
        data: {
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: lc.info.clusters
                  .filter(c => c.name === 'local-a')
                  .map(c => ({
                    name: c.name,
                    url: c.url,
                    authProvider: 'serviceAccount',
                    serviceAccountToken: c.serviceAccountToken,
                    caData: c.caData,
                  })),
              },
            ],
          },
        },
      }),
    );
    connection = new ClusterConnection(details);
  });

  it("takes a bound pod's CPU request off the cluster's free CPU", async () => {
    const read = clusterFreeCapacity({ connection: () => connection });
    const nodes = (await core().listNode()).items;
    const total = nodes.reduce(
      (sum, n) => sum + Number(n.status?.allocatable?.cpu ?? 0),
      0,
    );
    const before = await read('local-a');
    expect(before).toBeGreaterThan(4);
    expect(before).toBeLessThanOrEqual(total);

    await core().createNamespacedPod({
      namespace: lc.namespace,
      body: {
        metadata: { name: 'takes-four-cores' },
        spec: {
          nodeName: nodes[0].metadata!.name,
          containers: [
            {
              name: 'app',
              image: 'registry.example.com/busy:1',
              resources: { requests: { cpu: '4' } },
            },
          ],
        },
      },
    });
    const after = await read('local-a');
    expect(before - after).toBeGreaterThan(3.5);
    expect(before - after).toBeLessThan(4.5);
  });
});
