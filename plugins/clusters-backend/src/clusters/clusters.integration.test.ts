import { mockCredentials } from '@backstage/backend-test-utils';
import { AppsV1Api } from '@kubernetes/client-node';
import type {
  ClusterDetail,
  ClusterSummary,
} from '@internal/plugin-container-cloud-common';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { serviceEntity } from '@internal/plugin-container-cloud-node/testing';
import request from 'supertest';
import { serviceDeployment } from './__testUtils__/serviceDeployment';
import {
  CAROL,
  clusterLocators,
  poll,
  sqlite,
  startClustersBackend,
} from './__testUtils__/startClustersBackend';

jest.setTimeout(300_000);

const lc = useLocalCloud({ namespacePrefix: 'clusters-page' });
const SERVICE = 'cp-heavy';

describe('the clusters page data on the local cloud', () => {
  let backend: Awaited<ReturnType<typeof startClustersBackend>>;

  beforeAll(async () => {
    await lc
      .kubeConfig('local-a')
      .makeApiClient(AppsV1Api)
      .createNamespacedDeployment({
        namespace: lc.namespace,
        body: serviceDeployment({
          namespace: lc.namespace,
          name: SERVICE,
          replicas: 3,
        }),
      });
    backend = await startClustersBackend({
      knex: sqlite(),
      clusters: clusterLocators(lc.info.clusters),
      containerCloud: { prometheus: { url: lc.info.prometheus.url } },
      entities: [serviceEntity(SERVICE, 'group:default/team-payments')],
    });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  const get = (path: string) =>
    request(backend.server)
      .get(`/api/clusters${path}`)
      .set('Authorization', mockCredentials.user.header(CAROL));

  it('lists every cluster with health, version, nodes, capacity, pods and its services', async () => {
    const clusters: ClusterSummary[] = await poll(
      'both clusters synced, with the new service ready and its usage',
      async () => {
        const res = await get('/clusters');
        expect(res.status).toBe(200);
        const items: ClusterSummary[] = res.body.items;
        const a = items.find(c => c.name === 'local-a');
        const mine = a?.services.find(s => s.kubernetesId === SERVICE);
        return items.every(
          c => c.synced && c.reachable && c.kubernetesVersion,
        ) &&
          mine?.readyReplicas === 3 &&
          (mine.used?.memoryBytes ?? 0) > 0
          ? items
          : undefined;
      },
    );
    expect(clusters.map(c => c.name)).toEqual(['local-a', 'local-b']);
    for (const c of clusters) {
      expect(c.nodes).toEqual({ ready: 3, total: 3, cordoned: 0 });
      expect(c.kubernetesVersion).toMatch(/^v1\./);
      expect(c.latencyMs).toEqual(expect.any(Number));
      expect(c.capacity.allocatable.cpuCores).toBeGreaterThan(0);
      expect(c.capacity.requested.cpuCores).toBeGreaterThan(0);
      expect(c.capacity.requested.cpuCores).toBeLessThanOrEqual(
        c.capacity.allocatable.cpuCores,
      );
      expect(c.capacity.used).not.toBeNull();
      expect(c.pods.Running).toBeGreaterThan(0);
      expect(c.verdict.state).toEqual(expect.stringMatching(/healthy|unknown/));
    }
    const mine = clusters[0].services.find(s => s.kubernetesId === SERVICE)!;
    expect(mine).toMatchObject({
      entityRef: `component:default/${SERVICE}`,
      namespaces: [lc.namespace],
      deployments: 1,
      replicas: 3,
      readyReplicas: 3,
      requested: {
        cpuCores: expect.closeTo(0.15, 6),
        memoryBytes: 3 * 32 * 2 ** 20,
      },
    });
    // a labelled workload no Component claims still shows, without an owner
    const seeded = clusters[1].services.find(
      s => s.kubernetesId === 'payments-api',
    );
    expect(seeded?.entityRef).toBeNull();
  });

  it('shows a cluster’s nodes and its heaviest services', async () => {
    const res = await get('/clusters/local-a');
    expect(res.status).toBe(200);
    const detail: ClusterDetail = res.body;
    expect(detail.nodes.map(n => n.name)).toEqual([
      'kwok-local-a-0',
      'kwok-local-a-1',
      'kwok-local-a-2',
    ]);
    expect(detail.nodes.every(n => n.ready && !n.cordoned)).toBe(true);
    const pods = detail.nodes.reduce((n, node) => n + node.pods, 0);
    expect(pods).toBeGreaterThanOrEqual(3);
    const requested = detail.heaviestServices.map(s => s.requested.cpuCores);
    expect(requested).toEqual([...requested].sort((x, y) => y - x));
    expect(detail.heaviestServices.map(s => s.kubernetesId)).toContain(SERVICE);
  });
});
