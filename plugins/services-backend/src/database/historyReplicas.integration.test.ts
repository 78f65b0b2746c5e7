import {
  mockCredentials,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AppsV1Api } from '@kubernetes/client-node';
import type { HistoryPage } from '@internal/plugin-container-cloud-common';
import { useLocalCloud } from '@internal/local-cloud/testing';
import {
  clusterLocators,
  poll,
  serviceDeployment,
  versionAtRest,
} from '../__testUtils__/localCloudFixtures';
import { servicesDatabase } from '../__testUtils__/servicesDatabase';
import { startServicesBackend } from '../__testUtils__/startServicesBackend';

jest.setTimeout(240_000);

// Two backend replicas on one database both watch the cluster and both see every pod change:
// each container of a service is still recorded once in its history.
const lc = useLocalCloud({ namespacePrefix: 'histrep' });
const ALICE = 'user:default/alice'; // team-payments, owns payments-api
const CLUSTER = 'local-a';
const SERVICE = '/api/services/services/default/payments-api';
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe('history containers with two backend replicas', () => {
  it.each(databases.eachSupportedId())(
    'records a scale of 1 to 5 pods as 5 containers, not 10, and their ends once (%p)',
    async (databaseId: TestDatabaseId) => {
      const knex = await databases.init(databaseId);
      const cluster = lc.info.clusters.find(c => c.name === CLUSTER)!;
      // one after the other, as a rolling deploy starts them: the first runs the migrations
      const replicas: string[] = [];
      for (let replica = 0; replica < 2; replica++) {
        const backend = await startServicesBackend({
          clusters: clusterLocators([cluster]),
          services: [servicesDatabase(knex)],
        });
        replicas.push(`http://127.0.0.1:${backend.server.port()}`);
      }
      const [a, b] = replicas;
      const call = async (base: string, path: string, body?: object) => {
        const res = await fetch(`${base}${SERVICE}${path}`, {
          method: body ? 'POST' : 'GET',
          headers: {
            authorization: mockCredentials.user.header(ALICE),
            'content-type': 'application/json',
          },
          body: body ? JSON.stringify(body) : undefined,
        });
        if (!res.ok)
          throw new Error(`${path}: ${res.status} ${await res.text()}`);
        return res.json();
      };
      const deployment = `payments-api-${databaseId
        .toLowerCase()
        .replace(/_/g, '')}`;
      await lc
        .kubeConfig(CLUSTER)
        .makeApiClient(AppsV1Api)
        .createNamespacedDeployment({
          namespace: lc.namespace,
          body: serviceDeployment({
            namespace: lc.namespace,
            name: deployment,
            kubernetesId: 'payments-api',
            replicas: 1,
            containers: [{ name: 'app', image: 'example.com/payments-api:1' }],
          }),
        });
      // a write names the version the page loaded
      const loadedVersion = () =>
        versionAtRest(lc.kubeConfig(CLUSTER), lc.namespace, deployment);
      const history = async (base: string) => {
        const page: HistoryPage = await call(base, '/history?limit=500');
        return page.items.filter(e => e.deployment === deployment);
      };
      await poll('the first container in the history', async () =>
        (await history(b)).length === 1 ? true : undefined,
      );

      await call(a, '/scale', {
        cluster: CLUSTER,
        namespace: lc.namespace,
        deployment,
        resourceVersion: await loadedVersion(),
        replicas: 5,
      });
      await poll('5 running containers seen by both replicas', async () => {
        const [seenA, seenB] = await Promise.all([history(a), history(b)]);
        const running = (items: typeof seenA) =>
          items.filter(e => e.startedAt && !e.endedAt).length;
        return running(seenA) === 5 && running(seenB) === 5 ? true : undefined;
      });
      const rows = await knex('pod_history').where({ deployment });
      expect(rows).toHaveLength(5);
      expect(new Set(rows.map(r => r.uid)).size).toBe(5);

      await call(b, '/scale', {
        cluster: CLUSTER,
        namespace: lc.namespace,
        deployment,
        resourceVersion: await loadedVersion(),
        replicas: 1,
      });
      await poll('4 ended containers', async () =>
        (await history(a)).filter(e => e.endedAt).length === 4
          ? true
          : undefined,
      );
      expect(await knex('pod_history').where({ deployment })).toHaveLength(5);
      expect(
        (await history(b)).filter(e => !e.endedAt).map(e => e.pod),
      ).toHaveLength(1);
    },
  );
});
