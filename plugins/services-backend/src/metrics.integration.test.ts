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

// CPU, memory and network charts from the local cloud's real Prometheus, which scrapes the
// kubelet-style resource metrics kwok simulates for every pod (packages/local-cloud:
// kwokConfig.ts). A pod's usage is set by annotations, so the test knows what Prometheus must
// report.
const lc = useLocalCloud({ namespacePrefix: 'svc' });
const BOB = 'user:default/bob';
const MEMORY = 64 * 1024 * 1024;
/** bytes per second the worker's pod receives and sends, whatever its number of containers */
const RECEIVE = 40 * 1024;
const TRANSMIT = 10 * 1024;
/** the route's rate window for a 5 s step, and two scrapes more */
const FULL_WINDOW_SECONDS = 60 + 10;

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

/** A second Deployment of the service: two containers sharing one pod's network. */
function worker(namespace: string) {
  return serviceDeployment({
    namespace,
    name: 'payments-worker',
    kubernetesId: 'payments-api',
    annotations: {
      'kwok.x-k8s.io/usage-network-receive': '40Ki',
      'kwok.x-k8s.io/usage-network-transmit': '10Ki',
    },
    containers: [
      { name: 'app', image: 'registry.example.com/payments/worker:1.0.0' },
      { name: 'proxy', image: 'registry.example.com/payments/proxy:1.0.0' },
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
  let workerPod: V1Pod;
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
    await apps.createNamespacedDeployment({
      namespace: lc.namespace,
      body: worker(lc.namespace),
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
    workerPod = await running('payments-worker');
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

  it("charts the pod's network traffic, received and sent, at the rates its annotations set", async () => {
    const name = workerPod.metadata!.name!;
    const prometheus = new PrometheusClient({
      url: lc.info.prometheus.url,
      clusterLabel: 'cluster',
    });
    const counter = (metric: string) =>
      prometheus.queryRange(
        `${metric}{cluster="local-a",namespace="${lc.namespace}",pod="${name}"}`,
        { start: Date.now() / 1000 - 600, end: Date.now() / 1000, step: 5 },
      );
    // the route's rate is exact once its window holds only the pod's samples: wait for that
    await poll('a full rate window of network samples', async () => {
      const [series] = await counter('container_network_receive_bytes_total');
      const times = series?.values.map(([t]) => t) ?? [];
      return times.length > 0 &&
        times[times.length - 1] - times[0] >= FULL_WINDOW_SECONDS
        ? true
        : undefined;
    });
    // kwok serves the counters as cAdvisor does: one series per pod and interface, growing
    for (const metric of [
      'container_network_receive_bytes_total',
      'container_network_transmit_bytes_total',
    ]) {
      const series = await counter(metric);
      expect(series).toHaveLength(1);
      expect(series[0].metric).toMatchObject({
        namespace: lc.namespace,
        pod: name,
        interface: 'eth0',
      });
      expect(series[0].metric).not.toHaveProperty('container');
      // points 5 s apart may show the same scrape twice: never less, and more over the window
      const values = series[0].values.map(([, v]) => v);
      values
        .slice(1)
        .forEach((v, i) => expect(v).toBeGreaterThanOrEqual(values[i]));
      expect(values[values.length - 1]).toBeGreaterThan(values[0]);
    }

    const res = await metrics({ pod: name, minutes: 5, step: 5 });
    expect(res.status).toBe(200);
    const body = res.body as ContainerMetrics;
    // CPU and memory per container, network once for the pod
    expect(
      body.series.filter(s => s.metric === 'cpu').map(s => s.container),
    ).toEqual(['app', 'proxy']);
    for (const [metric, rate] of [
      ['network-receive', RECEIVE],
      ['network-transmit', TRANSMIT],
    ] as const) {
      const series = body.series.filter(s => s.metric === metric);
      expect(series).toHaveLength(1);
      expect(series[0]).toMatchObject({ container: '', unit: 'bytes/s' });
      expect(series[0].points.every(([, v]) => v > 0)).toBe(true);
      const [, last] = series[0].points[series[0].points.length - 1];
      expect(last).toBeGreaterThan(rate * 0.9);
      expect(last).toBeLessThan(rate * 1.1);
    }
    // asking for one container still gives the pod's network
    const app = await metrics({ pod: name, container: 'app', minutes: 5 });
    expect(app.status).toBe(200);
    expect(
      (app.body as ContainerMetrics).series.map(s => [s.metric, s.container]),
    ).toEqual([
      ['cpu', 'app'],
      ['memory', 'app'],
      ['network-receive', ''],
      ['network-transmit', ''],
    ]);
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
