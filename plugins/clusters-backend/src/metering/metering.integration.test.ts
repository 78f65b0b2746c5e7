import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { serviceEntity } from '@internal/plugin-container-cloud-node/testing';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import knexFactory from 'knex';
import {
  coreServices,
  createServiceFactory,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import request from 'supertest';
import type { MeteringSeries } from '@internal/plugin-container-cloud-common';
import { auditFeatures } from '../audit/__testUtils__/auditFeatures';
import {
  clusterLocators,
  startClustersBackend,
} from '../clusters/__testUtils__/startClustersBackend';

jest.setTimeout(300_000);

// A metering sample of a service on the local cloud: requests from the watch cache, usage from
// the real Prometheus scraping the resource metrics kwok simulates from each pod's annotations.
const lc = useLocalCloud({ namespacePrefix: 'meter' });
const ALICE = mockCredentials.user.header('user:default/alice'); // team-payments
const MiB = 2 ** 20;

async function poll<T>(what: string, read: () => Promise<T | undefined>) {
  for (let attempt = 0; attempt < 150; attempt++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise(resolve => setTimeout(resolve, 2000));
  }
  throw new Error(`never happened: ${what}`);
}

describe('metering on the local cloud', () => {
  let backend: Awaited<ReturnType<typeof startClustersBackend>>;
  const scheduler = mockServices.scheduler();

  beforeAll(async () => {
    const ready = await fetch(`${lc.info.prometheus.url}/-/ready`).catch(
      error => error as Error,
    );
    if (ready instanceof Error || ready.status !== 200) {
      throw new Error(
        `the local cloud's Prometheus at ${lc.info.prometheus.url} is not reachable`,
      );
    }
    const labels = {
      app: 'payments-api',
      'backstage.io/kubernetes-id': 'payments-api',
    };
    await lc
      .kubeConfig('local-a')
      .makeApiClient(AppsV1Api)
      .createNamespacedDeployment({
        namespace: lc.namespace,
        body: {
          metadata: { name: 'payments-api', namespace: lc.namespace, labels },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: 'payments-api' } },
            template: {
              metadata: {
                labels,
                annotations: {
                  'kwok.x-k8s.io/usage-cpu': '250m',
                  'kwok.x-k8s.io/usage-memory': '64Mi',
                },
              },
              spec: {
                containers: [
                  {
                    name: 'app',
                    image: 'registry.example.com/payments/api:1.0.0',
                    resources: { requests: { cpu: '500m', memory: '128Mi' } },
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
      // only this file's namespace in local-a: the seeded payments-api elsewhere is not counted
      entities: [
        serviceEntity('payments-api', 'group:default/team-payments', {
          'container-cloud.io/placements': `local-a/${lc.namespace}`,
        }),
      ],
      // one scheduler the test triggers the sampling task on, instead of waiting for it
      features: [
        ...auditFeatures(),
        createServiceFactory({
          service: coreServices.scheduler,
          deps: {},
          factory: () => scheduler,
        }),
      ],
      clusters: clusterLocators(lc.info.clusters),
      containerCloud: { prometheus: { url: lc.info.prometheus.url } },
    });
    const core = lc.kubeConfig('local-a').makeApiClient(CoreV1Api);
    await poll('two running pods', async () => {
      const pods = await core.listNamespacedPod({ namespace: lc.namespace });
      const running = pods.items.filter(p => p.status?.phase === 'Running');
      return running.length === 2 ? running : undefined;
    });
  });

  afterAll(() => backend?.stop());

  it("samples the service's requests from the watch cache and its usage from Prometheus", async () => {
    const series = await poll('a sample with the simulated usage', async () => {
      await scheduler.triggerTask('clusters-metering-sample');
      const res = await request(backend.server)
        .get('/api/clusters/metering/services/default/payments-api')
        .set('Authorization', ALICE);
      expect(res.status).toBe(200);
      const body = res.body as MeteringSeries;
      const last = body.points[body.points.length - 1];
      // a rate is still rising until its window is full of scrapes: wait for 2 × 250m
      return last && Math.abs(last.cpuUsed - 0.5) < 0.05 ? body : undefined;
    });
    const last = series.points[series.points.length - 1];
    expect(last.cpuRequested).toBeCloseTo(1, 9);
    expect(last.memoryRequested).toBe(2 * 128 * MiB);
    expect(last.replicas).toBe(2);
    expect(last.memoryUsed).toBe(2 * 64 * MiB);
    expect(series.services).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/payments-api',
        team: 'group:default/team-payments',
        kubernetesId: 'payments-api',
      }),
    ]);
  });
});
