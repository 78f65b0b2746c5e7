import crypto from 'node:crypto';
import { mockCredentials } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import { AppsV1Api } from '@kubernetes/client-node';
import type { ServiceList } from '@internal/plugin-container-cloud-common';
import { serviceEntity } from '@internal/plugin-container-cloud-node/testing';
import { useLocalCloud } from '@internal/local-cloud/testing';
import request from 'supertest';
import {
  clusterLocators,
  serviceDeployment,
} from './__testUtils__/localCloudFixtures';
import { startServicesBackend } from './__testUtils__/startServicesBackend';

jest.setTimeout(180_000);

// The Services page's backend: the real catalog's Components with a kubernetes-id, filtered by
// owner, paged, each with its replicas from the local cloud's two clusters.
const lc = useLocalCloud({ namespacePrefix: 'svc' });
const ALICE = 'user:default/alice'; // team-payments
const BOB = 'user:default/bob'; // team-orders
// kubernetes-ids of this run only: the shared cloud also runs the seeded example services
const run = crypto.randomBytes(3).toString('hex');
const id = (name: string) => `${name}-${run}`;

const docsSite: Entity = {
  ...serviceEntity('docs-site', 'group:default/team-payments'),
};
// a Component that names no workloads is no service
delete docsSite.metadata.annotations!['backstage.io/kubernetes-id'];

function deployment(namespace: string, kubernetesId: string, replicas: number) {
  return serviceDeployment({
    namespace,
    name: kubernetesId,
    kubernetesId,
    replicas,
    containers: [{ name: 'app', image: 'registry.example.com/x:1' }],
  });
}

describe('the services list on the local cloud', () => {
  let backend: Awaited<ReturnType<typeof startServicesBackend>>;
  const list = (user: string, query: Record<string, string | number> = {}) =>
    request(backend.server)
      .get('/api/services/services')
      .query(query)
      .set('Authorization', mockCredentials.user.header(user));

  beforeAll(async () => {
    const apps = (cluster: 'local-a' | 'local-b') =>
      lc.kubeConfig(cluster).makeApiClient(AppsV1Api);
    await apps('local-a').createNamespacedDeployment({
      namespace: lc.namespace,
      body: deployment(lc.namespace, id('payments-api'), 2),
    });
    await apps('local-b').createNamespacedDeployment({
      namespace: lc.namespace,
      body: deployment(lc.namespace, id('payments-api'), 1),
    });
    backend = await startServicesBackend({
      entities: [
        serviceEntity('payments-api', 'group:default/team-payments', {
          'backstage.io/kubernetes-id': id('payments-api'),
        }),
        serviceEntity('payments-worker', 'group:default/team-payments', {
          'backstage.io/kubernetes-id': id('payments-worker'),
        }),
        serviceEntity('orders-api', 'group:default/team-orders', {
          'backstage.io/kubernetes-id': id('orders-api'),
        }),
        docsSite,
      ],
      clusters: clusterLocators(lc.info.clusters),
    });
  });

  afterAll(() => backend?.stop());

  it('lists every service by name, with ready/desired per cluster', async () => {
    let body: ServiceList | undefined;
    for (let i = 0; i < 120; i++) {
      const res = await list(BOB);
      expect(res.status).toBe(200);
      body = res.body;
      const payments = body!.items.find(s => s.name === 'payments-api');
      if (body!.items.length === 3 && payments?.ready === 3) break;
      await new Promise(resolve => setTimeout(resolve, 500));
    }
    expect(body!.totalItems).toBe(3);
    expect(body!.items.map(s => s.name)).toEqual([
      'orders-api',
      'payments-api',
      'payments-worker',
    ]);
    const payments = body!.items[1];
    expect(payments).toMatchObject({
      entityRef: 'component:default/payments-api',
      owner: 'group:default/team-payments',
      kubernetesId: id('payments-api'),
      ready: 3,
      desired: 3,
    });
    expect(payments.clusters).toEqual([
      { cluster: 'local-a', reachable: true, ready: 2, desired: 2 },
      { cluster: 'local-b', reachable: true, ready: 1, desired: 1 },
    ]);
    // a service that runs nowhere yet
    expect(body!.items[2]).toMatchObject({ ready: 0, desired: 0 });
  });

  it("keeps the caller's own services with owner=mine", async () => {
    const alice = await list(ALICE, { owner: 'mine' });
    expect(alice.status).toBe(200);
    expect(alice.body.items.map((s: { name: string }) => s.name)).toEqual([
      'payments-api',
      'payments-worker',
    ]);
    expect(alice.body.totalItems).toBe(2);
    const bob = await list(BOB, { owner: 'mine' });
    expect(bob.body.items.map((s: { name: string }) => s.name)).toEqual([
      'orders-api',
    ]);
  });

  it('pages', async () => {
    const second = await list(BOB, { limit: 2, offset: 2 });
    expect(second.status).toBe(200);
    expect(second.body.totalItems).toBe(3);
    expect(second.body.items.map((s: { name: string }) => s.name)).toEqual([
      'payments-worker',
    ]);
  });

  it('answers 400 to a bad query and 401 without a user', async () => {
    const bad = await list(BOB, { owner: 'everyone', limit: 1000 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('owner is mine or all');
    expect(bad.body.error.message).toContain('limit is 1 to 100');
    const anonymous = await request(backend.server).get(
      '/api/services/services',
    );
    expect(anonymous.status).toBe(401);
  });
});
