import {
  coreServices,
  createBackendPlugin,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { TestDatabases } from '@backstage/backend-test-utils';
import eventsPlugin from '@backstage/plugin-events-backend';
import {
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import { AppsV1Api } from '@kubernetes/client-node';
import { serviceSignalChannel } from '@internal/plugin-container-cloud-common';
import { useLocalCloud } from '@internal/local-cloud/testing';
import crypto from 'node:crypto';
import {
  clusterLocators,
  poll,
  serviceDeployment,
} from '../__testUtils__/localCloudFixtures';
import { relay, Relay } from '@internal/plugin-container-cloud-node/testing';
import { servicesDatabase } from '../__testUtils__/servicesDatabase';
import { startServicesBackend } from '../__testUtils__/startServicesBackend';

jest.setTimeout(240_000);

// Two backend replicas on one PostgreSQL with Backstage's events bus (the events backend, its
// store in that database). Replica A watches local-a, replica B only local-b, so B never sees a
// change in local-a itself: a signal about it reaches a subscriber on B only through the bus.
// The subscriber listens to the topic the signals backend forwards to browsers.
const lc = useLocalCloud({ namespacePrefix: 'sigrep' });
const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

interface Signal {
  channel: string;
  message: { kubernetesId: string; clusters: string[] };
}

/**
 * A plugin on a replica that records every signal its events service delivers. Like the signals
 * backend's own subscriber, its subscription id is new on every replica: the bus hands each event
 * to one subscriber of an id, so one id shared by the replicas would reach only one of them.
 */
function signalListener(received: Signal[]) {
  return createBackendPlugin({
    pluginId: 'signal-listener',
    register(env) {
      env.registerInit({
        deps: { events: eventsServiceRef },
        async init({ events }) {
          await events.subscribe({
            id: `browsers-${crypto.randomBytes(8).toString('hex')}`,
            topics: ['signals'],
            onEvent: async event => {
              received.push(event.eventPayload as Signal);
            },
          });
        },
      });
    },
  });
}

/** Each plugin finds the others at the replica's own address (through its relay). */
function discoveryAt(address: Relay) {
  return createServiceFactory({
    service: coreServices.discovery,
    deps: {},
    factory: () => ({
      getBaseUrl: async (pluginId: string) => `${address.url}/api/${pluginId}`,
      getExternalBaseUrl: async (pluginId: string) =>
        `${address.url}/api/${pluginId}`,
    }),
  });
}

describe('signals with two backend replicas', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it.each(databases.eachSupportedId())(
    'a change only replica A sees reaches a signals subscriber on replica B through the events bus (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      // the events backend's store: a database of its own, as each plugin has in production
      const eventsKnex = await databases.init(databaseId);
      const [localA, localB] = ['local-a', 'local-b'].map(
        name => lc.info.clusters.find(c => c.name === name)!,
      );
      const onA: Signal[] = [];
      const onB: Signal[] = [];
      const backends: Array<{ stop(): Promise<void> }> = [];
      const relays: Relay[] = [];
      const start = async (
        cluster: typeof localA,
        received: Signal[],
      ): Promise<void> => {
        const address = await relay().listen();
        relays.push(address);
        const backend = await startServicesBackend({
          clusters: clusterLocators([cluster]),
          services: [
            servicesDatabase(knex, { events: eventsKnex }),
            eventsServiceFactory,
            discoveryAt(address),
          ],
          features: [eventsPlugin, signalListener(received)],
        });
        address.to(backend.server.port());
        backends.push(backend);
      };
      try {
        await start(localA, onA);
        await start(localB, onB);

        // each replica's subscriber is known to the bus (it registers once its replica serves)
        await poll('both subscribers registered with the bus', async () => {
          const subscribers = await eventsKnex('event_bus_subscriptions');
          return subscribers.length === 2 ? subscribers : undefined;
        });

        const kubernetesId = `sigrep-${crypto.randomBytes(4).toString('hex')}`;
        await lc
          .kubeConfig('local-a')
          .makeApiClient(AppsV1Api)
          .createNamespacedDeployment({
            namespace: lc.namespace,
            body: serviceDeployment({
              namespace: lc.namespace,
              name: kubernetesId,
              kubernetesId,
            }),
          });
        const about = (signals: Signal[]) =>
          signals.filter(s => s.channel === serviceSignalChannel(kubernetesId));

        const onReplicaB = await poll(
          'the signal reaching replica B',
          async () => (about(onB).length > 0 ? about(onB) : undefined),
        );
        expect(onReplicaB[0].message).toEqual({
          kubernetesId,
          clusters: ['local-a'],
        });
        // A saw it itself; B, which does not watch local-a, had it from A
        expect(about(onA).length).toBeGreaterThan(0);
        expect(
          about(onB).every(s => s.message.clusters.includes('local-a')),
        ).toBe(true);
      } finally {
        // cut first: a subscriber's long poll held open would hold up its replica's stop
        for (const address of relays) await address.cut();
        for (const backend of backends) await backend.stop();
      }
    },
  );
});
