import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { serviceEntity } from '@internal/plugin-container-cloud-node/testing';
import { useLocalCloud } from '@internal/local-cloud/testing';
// the real services backend is what this test is about: its audited route, stored by ours
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import servicesPlugin from '@internal/plugin-services-backend';
import { AppsV1Api } from '@kubernetes/client-node';
import knexFactory from 'knex';
import request from 'supertest';
import type { AuditEvent } from '@internal/plugin-container-cloud-common';
import { auditFeatures } from './__testUtils__/auditFeatures';
import {
  clusterLocators,
  startClustersBackend,
} from '../clusters/__testUtils__/startClustersBackend';

jest.setTimeout(300_000);

// The real services backend scales a Deployment on the local cloud; the suite's auditor puts the
// event on the events bus, the clusters backend stores it, and ops find it.
const lc = useLocalCloud({ namespacePrefix: 'audit' });
const ALICE = mockCredentials.user.header('user:default/alice'); // team-payments
const BOB = mockCredentials.user.header('user:default/bob'); // team-orders
const CAROL = mockCredentials.user.header('user:default/carol'); // ops admin

async function poll<T>(what: string, read: () => Promise<T | undefined>) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise(resolve => setTimeout(resolve, 300));
  }
  throw new Error(`never happened: ${what}`);
}

describe('the audit log of a real mutating route', () => {
  let backend: Awaited<ReturnType<typeof startClustersBackend>>;
  const apps = () => lc.kubeConfig('local-a').makeApiClient(AppsV1Api);

  beforeAll(async () => {
    const labels = {
      app: 'payments-api',
      'backstage.io/kubernetes-id': 'payments-api',
    };
    await apps().createNamespacedDeployment({
      namespace: lc.namespace,
      body: {
        metadata: { name: 'payments-api', namespace: lc.namespace, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'payments-api' } },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: 'app',
                  image: 'registry.example.com/payments/api:1.0.0',
                },
              ],
            },
          },
        },
      },
    });
    const knex = knexFactory({
      client: 'better-sqlite3',
      connection: ':memory:',
      useNullAsDefault: true,
    });
    await knex.migrate.latest({
      directory: resolvePackagePath(
        '@internal/plugin-clusters-backend',
        'migrations',
      ),
    });
    backend = await startClustersBackend({
      knex,
      features: auditFeatures(servicesPlugin),
      entities: [
        serviceEntity('payments-api', 'group:default/team-payments', {
          'container-cloud.io/placements': `local-a/${lc.namespace}`,
        }),
      ],
      clusters: clusterLocators(lc.info.clusters),
    });
  });

  afterAll(() => backend?.stop());

  async function scale(as: string, replicas: number) {
    const live = await apps().readNamespacedDeployment({
      name: 'payments-api',
      namespace: lc.namespace,
    });
    return request(backend.server)
      .post('/api/services/services/default/payments-api/scale')
      .set('Authorization', as)
      .send({
        cluster: 'local-a',
        namespace: lc.namespace,
        deployment: 'payments-api',
        resourceVersion: live.metadata!.resourceVersion,
        replicas,
      });
  }

  it("finds the owner's scale and the other team's refusal, by entity, action and actor", async () => {
    expect((await scale(ALICE, 2)).status).toBe(200);
    expect((await scale(BOB, 3)).status).toBe(403);
    const search = (query: string) =>
      request(backend.server)
        .get(`/api/clusters/audit/events?${query}`)
        .set('Authorization', CAROL);
    const items = await poll('both scale events in the audit log', async () => {
      const res = await search(
        'eventId=service-scale&entityRef=component:default/payments-api&plugin=services',
      );
      expect(res.status).toBe(200);
      const found = (res.body.items as AuditEvent[]).filter(
        e => e.namespace === lc.namespace,
      );
      return found.length === 2 ? found : undefined;
    });
    expect(items.map(e => [e.actor, e.outcome])).toEqual([
      ['user:default/bob', 'failed'],
      ['user:default/alice', 'succeeded'],
    ]);
    expect(items[1]).toMatchObject({
      cluster: 'local-a',
      method: 'POST',
      path: '/api/services/services/default/payments-api/scale',
      meta: expect.objectContaining({
        request: expect.objectContaining({ replicas: 2 }),
      }),
    });
    expect(items[0].error).toMatch(/only its owners and ops admins may/);
    const alice = await search(`actor=user:default/alice&outcome=succeeded`);
    expect(alice.body.items.map((e: AuditEvent) => e.requestId)).toContain(
      items[1].requestId,
    );
    // the owner sees the same on the entity's own trail
    const trail = await request(backend.server)
      .get(
        '/api/clusters/audit/entities/component/default/payments-api?eventId=service-scale',
      )
      .set('Authorization', ALICE);
    expect(trail.status).toBe(200);
    expect(trail.body.items.map((e: AuditEvent) => e.id)).toEqual(
      expect.arrayContaining(items.map(e => e.id)),
    );
  });
});
