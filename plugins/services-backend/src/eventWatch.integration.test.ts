import { mockServices } from '@backstage/backend-test-utils';
import { AppsV1Api, CoreV1Api, CoreV1Event } from '@kubernetes/client-node';
import {
  ClusterConnection,
  ClusterWatch,
  DeploymentOperations,
  PodOperations,
  readClusterConfig,
  ServiceEvents,
} from '@internal/plugin-container-cloud-node';
import { useLocalCloud } from '@internal/local-cloud/testing';
import {
  clusterLocators,
  poll,
  serviceDeployment,
} from './__testUtils__/localCloudFixtures';

jest.setTimeout(180_000);

// The cluster layer's event watch against the local cloud's real apiserver and scheduler: events
// are held from the watch, reach the listeners under the service they concern, and the events a
// page asks for are answered without listing the apiserver.
const lc = useLocalCloud({ namespacePrefix: 'evw' });

describe('the event watch on the local cloud', () => {
  let connection: ClusterConnection;
  let watch: ClusterWatch;
  const heard: Array<{ id: string; kind: string; object: any }> = [];

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
    watch = new ClusterWatch(connection, mockServices.logger.mock());
    watch.onChange((_cluster, id, kind, _verb, object) =>
      heard.push({ id, kind, object }),
    );
    await watch.start();
  });

  afterAll(() => watch?.stop());

  const core = () => lc.kubeConfig('local-a').makeApiClient(CoreV1Api);
  const apps = () => lc.kubeConfig('local-a').makeApiClient(AppsV1Api);

  it('holds the events about a service pod and tells the listeners, under the service', async () => {
    expect(watch.eventsSynced).toBe(true);
    // far more CPU than any kwok node has: the scheduler records FailedScheduling
    await apps().createNamespacedDeployment({
      namespace: lc.namespace,
      body: serviceDeployment({
        namespace: lc.namespace,
        name: 'ledger-huge',
        kubernetesId: 'ledger',
        containers: [
          {
            name: 'app',
            image: 'registry.example.com/ledger:1.0.0',
            resources: { requests: { cpu: '100000' } },
          },
        ],
      }),
    });
    const pod = await poll('the huge pod', async () => {
      const pods = await core().listNamespacedPod({
        namespace: lc.namespace,
        labelSelector: 'app=ledger-huge',
      });
      return pods.items[0];
    });
    const podName = pod.metadata!.name!;
    const held = await poll('FailedScheduling in the watch cache', async () =>
      watch
        .eventsAbout(lc.namespace, 'Pod', podName)
        ?.find(e => e.reason === 'FailedScheduling'),
    );
    expect(held.message).toMatch(/Insufficient cpu/);
    expect(held.involvedObject).toMatchObject({ kind: 'Pod', name: podName });

    // the listeners heard it under the pod's kubernetes-id
    const told = heard.find(
      h =>
        h.kind === 'Event' &&
        (h.object as CoreV1Event).metadata?.uid === held.metadata?.uid,
    );
    expect(told?.id).toBe('ledger');

    // the Deployment's ScalingReplicaSet event is held too
    await poll('ScalingReplicaSet in the watch cache', async () =>
      watch
        .eventsAbout(lc.namespace, 'Deployment', 'ledger-huge')
        ?.find(e => e.reason === 'ScalingReplicaSet'),
    );

    // an event deleted in the cluster leaves the cache
    await core().deleteNamespacedEvent({
      namespace: lc.namespace,
      name: held.metadata!.name!,
    });
    await poll('the deleted event gone from the cache', async () =>
      watch
        .eventsAbout(lc.namespace, 'Pod', podName)
        ?.every(e => e.metadata?.uid !== held.metadata?.uid)
        ? true
        : undefined,
    );
  });

  it('keeps events about objects of no service out of the listeners, and holds them still', async () => {
    const before = heard.length;
    const event = await core().createNamespacedEvent({
      namespace: lc.namespace,
      body: {
        metadata: { generateName: 'plain-', namespace: lc.namespace },
        involvedObject: {
          kind: 'Pod',
          name: 'no-such-pod',
          namespace: lc.namespace,
        },
        reason: 'Probe',
        message: 'about an unlabelled pod',
        type: 'Normal',
      },
    });
    await poll('the plain event in the cache', async () =>
      watch
        .eventsAbout(lc.namespace, 'Pod', 'no-such-pod')
        ?.find(e => e.metadata?.uid === event.metadata?.uid),
    );
    expect(
      heard
        .slice(before)
        .some(
          h => (h.object as CoreV1Event).metadata?.uid === event.metadata?.uid,
        ),
    ).toBe(false);
  });

  it('answers a page from the cache, without listing events in the apiserver', async () => {
    const events = new ServiceEvents(
      connection,
      watch,
      new PodOperations(connection),
      new DeploymentOperations(connection),
    );
    const list = jest.spyOn(connection.core, 'listNamespacedEvent');
    const listReplicaSets = jest.spyOn(
      connection.apps,
      'listNamespacedReplicaSet',
    );
    try {
      const ofDeployment = await poll('deployment events', async () => {
        const items = await events.ofDeployment({
          namespace: lc.namespace,
          name: 'ledger-huge',
          kubernetesId: 'ledger',
        });
        const kinds = new Set(items.map(e => e.object.kind));
        return kinds.has('Deployment') && kinds.has('ReplicaSet')
          ? items
          : undefined;
      });
      expect(ofDeployment).toContainEqual(
        expect.objectContaining({
          reason: 'ScalingReplicaSet',
          object: { kind: 'Deployment', name: 'ledger-huge' },
        }),
      );
      expect(list).not.toHaveBeenCalled();
      expect(listReplicaSets).not.toHaveBeenCalled();
    } finally {
      list.mockRestore();
      listReplicaSets.mockRestore();
    }
  });
});
