import net from 'node:net';
import { mockCredentials } from '@backstage/backend-test-utils';
import { AppsV1Api, CoreV1Api, V1Pod } from '@kubernetes/client-node';
import type { ContainerMetrics } from '@internal/plugin-container-cloud-common';
import { PrometheusClient } from '@internal/plugin-container-cloud-node';
import { useLocalCloud } from '@internal/local-cloud/testing';
import request from 'supertest';
import {
  clusterLocators,
  poll as pollUntil,
  serviceDeployment,
} from './__testUtils__/localCloudFixtures';
import { startServicesBackend } from './__testUtils__/startServicesBackend';

jest.setTimeout(240_000);

// CPU and memory charts from the local cloud's real Prometheus, which scrapes the kubelet-style
// resource metrics kwok simulates for every pod (packages/local-cloud: kwokConfig.ts). A pod's
// usage is set by annotations, so the test knows what Prometheus must report.
const lc = useLocalCloud({ namespacePrefix: 'svc' });
const BOB = 'user:default/bob';
const MEMORY = 64 * 1024 * 1024;

function deployment(namespace: string, name: string, kubernetesId: string) {
  return serviceDeployment({
    namespace,
    name,
    kubernetesId,
    annotations: {
      'kwok.x-k8s.io/usage-cpu': '250m',
      'kwok.x-k8s.io/usage-memory': '64Mi',
    },
    containers: [
      { name: 'app', image: 'registry.example.com/payments/api:1.0.0' },
    ],
  });
}

/** Prometheus scrapes every 5 s: a slower, longer poll. */
const poll = <T>(what: string, read: () => Promise<T | undefined>) =>
  pollUntil(what, read, { attempts: 180, intervalMs: 1000 });

describe('container metrics from the local cloud Prometheus', () => {
  let backend: Awaited<ReturnType<typeof startServicesBackend>>;
  let pod: V1Pod;
  let otherPod: V1Pod;
  const metrics = (query: Record<string, string | number>) =>
    request(backend.server)
      .get('/api/services/services/default/payments-api/containers/metrics')
      .query({ cluster: 'local-a', namespace: lc.namespace, ...query })
      .set('Authorization', mockCredentials.user.header(BOB));

  beforeAll(async () => {
    // no Prometheus, no test: say so instead of waiting for samples that never come
    const ready = await fetch(`${lc.info.prometheus.url}/-/ready`).catch(
      error => error as Error,
    );
    if (ready instanceof Error || ready.status !== 200) {
      throw new Error(
        `the local cloud's Prometheus at ${
          lc.info.prometheus.url
        } is not reachable: ${
          ready instanceof Error ? ready.message : ready.status
        }`,
      );
    }
    const apps = lc.kubeConfig('local-a').makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: lc.namespace,
      body: deployment(lc.namespace, 'payments-api', 'payments-api'),
    });
    await apps.createNamespacedDeployment({
      namespace: lc.namespace,
      body: deployment(lc.namespace, 'orders-api', 'orders-api'),
    });
    backend = await startServicesBackend({
      containerCloud: { prometheus: { url: lc.info.prometheus.url } },
      clusters: clusterLocators(lc.info.clusters),
    });
    const core = lc.kubeConfig('local-a').makeApiClient(CoreV1Api);
    const running = (app: string) =>
      poll(`a running pod of ${app}`, async () => {
        const pods = await core.listNamespacedPod({
          namespace: lc.namespace,
          labelSelector: `app=${app}`,
        });
        return pods.items.find(p => p.status?.phase === 'Running');
      });
    pod = await running('payments-api');
    otherPod = await running('orders-api');
  });

  afterAll(() => backend?.stop());

  it("charts the container's CPU and memory as Prometheus scraped them", async () => {
    const body = await poll('samples in Prometheus', async () => {
      const res = await metrics({
        pod: pod.metadata!.name!,
        minutes: 5,
        step: 5,
      });
      expect(res.status).toBe(200);
      const m = res.body as ContainerMetrics;
      const cpu = m.series.find(s => s.metric === 'cpu');
      const memory = m.series.find(s => s.metric === 'memory');
      // a rate over a window longer than the pod's life is still rising: wait until the
      // window is full and the newest point shows the simulated 250m
      const lastCpu = cpu?.points[cpu.points.length - 1]?.[1] ?? 0;
      return cpu &&
        cpu.points.length >= 3 &&
        lastCpu > 0.2 &&
        memory &&
        memory.points.length >= 3
        ? m
        : undefined;
    });
    expect(body).toMatchObject({
      cluster: 'local-a',
      namespace: lc.namespace,
      pod: pod.metadata!.name,
      step: 5,
    });
    expect(body.end - body.start).toBe(300);
    const memory = body.series.find(s => s.metric === 'memory')!;
    expect(memory).toMatchObject({ container: 'app', unit: 'bytes' });
    expect(memory.points.every(([, v]) => v === MEMORY)).toBe(true);
    const cpu = body.series.find(s => s.metric === 'cpu')!;
    expect(cpu).toMatchObject({ container: 'app', unit: 'cores' });
    // the simulated 250m, as a rate of cumulative CPU seconds
    const [, lastCpu] = cpu.points[cpu.points.length - 1];
    expect(lastCpu).toBeGreaterThan(0.2);
    expect(lastCpu).toBeLessThan(0.3);
    const times = cpu.points.map(([t]) => t);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('still charts a container after it is gone, up to when it ended', async () => {
    const core = lc.kubeConfig('local-a').makeApiClient(CoreV1Api);
    const name = pod.metadata!.name!;
    await core.deleteNamespacedPod({
      name,
      namespace: lc.namespace,
      gracePeriodSeconds: 0,
    });
    const endedAt = await poll('the pod in the history as ended', async () => {
      const res = await request(backend.server)
        .get('/api/services/services/default/payments-api/history')
        .query({ cluster: 'local-a', state: 'ended', limit: 500 })
        .set('Authorization', mockCredentials.user.header(BOB));
      expect(res.status).toBe(200);
      return res.body.items.find((e: { pod: string }) => e.pod === name)
        ?.endedAt as string | undefined;
    });
    const res = await metrics({ pod: name, minutes: 5, step: 5 });
    expect(res.status).toBe(200);
    const body = res.body as ContainerMetrics;
    expect(body.end).toBe(Math.ceil(Date.parse(endedAt) / 1000 / 5) * 5);
    const memory = body.series.find(s => s.metric === 'memory');
    expect(memory?.points.length).toBeGreaterThan(3);
    expect(memory?.points.every(([, v]) => v === MEMORY)).toBe(true);
  });

  it('answers 400 to a range or step out of bounds, or too many points', async () => {
    const name = pod.metadata!.name!;
    for (const [query, message] of [
      [{ minutes: 1 }, 'minutes is a whole number from 5 to 10080'],
      [{ minutes: 20000 }, 'minutes is a whole number from 5 to 10080'],
      [{ step: 1 }, 'step is a whole number of seconds from 5 to 3600'],
      [{ minutes: 10080, step: 5 }, 'at most 1000 points per chart'],
      [{ container: 'Not_A_Name' }, 'container name'],
    ] as const) {
      const res = await metrics({ pod: name, ...query });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(message);
    }
  });

  it("answers 404 for another service's pod", async () => {
    const res = await metrics({ pod: otherPod.metadata!.name! });
    expect(res.status).toBe(404);
    expect(res.body.error).not.toHaveProperty('series');
  });

  it('says in words when Prometheus cannot be reached or refuses the query', async () => {
    // a port that was just free: nothing listens there
    const closed = await new Promise<number>(resolve => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const down = new PrometheusClient({
      url: `http://127.0.0.1:${closed}`,
      clusterLabel: 'cluster',
    });
    await expect(
      down.queryRange('up', { start: 0, end: 60, step: 15 }),
    ).rejects.toThrow(
      `Prometheus at http://127.0.0.1:${closed} could not be reached (ECONNREFUSED)`,
    );
    const real = new PrometheusClient({
      url: lc.info.prometheus.url,
      clusterLabel: 'cluster',
    });
    await expect(
      real.queryRange('sum(', { start: 0, end: 60, step: 15 }),
    ).rejects.toThrow(/answered 400: .*parse error/);
  });
});
