import { mockCredentials } from '@backstage/backend-test-utils';
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
} from '@kubernetes/client-node';
import type {
  AutoscalingDecision,
  AutoscalingView,
} from '@internal/plugin-container-cloud-common';
import {
  RecordedAuditEvent,
  recordingAuditor,
  serviceEntity,
} from '@internal/plugin-container-cloud-node/testing';
import { useLocalCloud } from '@internal/local-cloud/testing';
import net from 'node:net';
import request from 'supertest';
import { startAutoscalingBackend } from './__testUtils__/startAutoscalingBackend';

jest.setTimeout(900_000);

// The autoscaler against the local cloud: payments-api runs 2 + 2 replicas in this file's
// namespace of local-a and local-b, each pod using 80m CPU of its 100m request (kwok's usage
// annotation, scraped by the real Prometheus). With a 50% target: 4 × 80% = 320% → 6.4 → 7,
// split 4 + 3 by each cluster's share. The seeded payments-api in `payments` is not touched:
// this file's Deployment carries the same kubernetes id in its own namespace, and the test's
// catalog entity is placed in that namespace only (its binding covers nothing else).
const lc = useLocalCloud({ namespacePrefix: 'as' });
const ALICE = 'user:default/alice';
const PATH = '/api/alerts/autoscaling/default/payments-api';
const CLUSTERS = ['local-a', 'local-b'] as const;

function deployment(namespace: string) {
  const labels = {
    app: 'payments-api',
    'backstage.io/kubernetes-id': 'payments-api',
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'payments-api', namespace, labels },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'payments-api' } },
      template: {
        metadata: {
          labels,
          annotations: { 'kwok.x-k8s.io/usage-cpu': '80m' },
        },
        spec: {
          // the local cloud's own kwok nodes, which Prometheus scrapes: nodes other tests or
          // benchmarks add may run no pods, and are not scraped
          nodeSelector: { 'node-role.kubernetes.io/agent': '' },
          containers: [
            {
              name: 'app',
              image: 'registry.example.com/payments/api:1.0.0',
              resources: { requests: { cpu: '100m', memory: '64Mi' } },
            },
          ],
        },
      },
    },
  };
}

/** Polls for up to 6 minutes (a busy local cloud schedules pods slowly). */
async function poll<T>(what: string, read: () => Promise<T | undefined>) {
  for (let i = 0; i < 360; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
  throw new Error(`${what} never happened`);
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

function locators() {
  return lc.info.clusters.map(c => ({
    name: c.name,
    url: c.url,
    authProvider: 'serviceAccount',
    serviceAccountToken: c.serviceAccountToken,
    caData: c.caData,
  }));
}

/** payments-api, placed in this file's namespace of every cluster only */
function entities() {
  return [
    serviceEntity('payments-api', 'group:default/team-payments', {
      'container-cloud.io/placements': `*/${lc.namespace}`,
    }),
  ];
}

function autoscalerConfig(prometheusUrl: string) {
  return {
    alerts: {
      prometheus: [
        { name: 'local', url: prometheusUrl, clusters: [...CLUSTERS] },
      ],
      // Prometheus scrapes every 5 s here: a 30 s rate window has six samples
      autoscaler: { rateWindowSeconds: 30 },
    },
  };
}

describe('the autoscaler on the local cloud', () => {
  let backend: Awaited<ReturnType<typeof startAutoscalingBackend>>;
  const audit: RecordedAuditEvent[] = [];
  const apps = (cluster: string) =>
    lc.kubeConfig(cluster as 'local-a').makeApiClient(AppsV1Api);
  const replicas = async () =>
    Promise.all(
      CLUSTERS.map(
        async c =>
          (
            await apps(c).readNamespacedDeployment({
              namespace: lc.namespace,
              name: 'payments-api',
            })
          ).spec?.replicas,
      ),
    );
  const view = async (b = backend): Promise<AutoscalingView> => {
    const res = await request(b.server)
      .get(PATH)
      .set('Authorization', mockCredentials.user.header(ALICE));
    expect(res.status).toBe(200);
    return res.body;
  };
  const save = (b: typeof backend, body: object) =>
    request(b.server)
      .put(PATH)
      .set('Authorization', mockCredentials.user.header(ALICE))
      .send(body);
  /** Runs cycles until one decides something other than "no samples yet". */
  const cycleUntil = (
    b: typeof backend,
    done: (d: AutoscalingDecision) => boolean,
  ) =>
    poll('an autoscaler decision', async () => {
      await b.scheduler.run('alerts-autoscaler');
      const [latest] = (await view(b)).decisions;
      return latest && done(latest) ? latest : undefined;
    });

  /** the seeded payments-api's replicas (namespace `payments`), which must never change here */
  const seeded = () =>
    Promise.all(
      CLUSTERS.map(
        async c =>
          (
            await apps(c).readNamespacedDeployment({
              namespace: 'payments',
              name: 'payments-api',
            })
          ).spec?.replicas,
      ),
    );
  let seededBefore: Array<number | undefined>;

  beforeAll(async () => {
    seededBefore = await seeded();
    for (const c of CLUSTERS) {
      await apps(c).createNamespacedDeployment({
        namespace: lc.namespace,
        body: deployment(lc.namespace),
      });
    }
    // every pod running and its 80m in Prometheus, over the whole rate window
    const core = (c: string) =>
      lc.kubeConfig(c as 'local-a').makeApiClient(CoreV1Api);
    await poll('2 running pods in each cluster', async () => {
      for (const c of CLUSTERS) {
        const pods = await core(c).listNamespacedPod({
          namespace: lc.namespace,
        });
        if (pods.items.filter(p => p.status?.phase === 'Running').length < 2) {
          return undefined;
        }
      }
      return true;
    });
    await poll('80m of CPU per pod in Prometheus', async () => {
      const res = await fetch(`${lc.info.prometheus.url}/api/v1/query`, {
        method: 'POST',
        body: new URLSearchParams({
          query: `rate(container_cpu_usage_seconds_total{namespace="${lc.namespace}",container="app"}[30s])`,
        }),
      });
      const result = (await res.json()).data?.result ?? [];
      return result.length === 4 &&
        result.every(
          (s: { value: [number, string] }) => Number(s.value[1]) > 0.075,
        )
        ? true
        : undefined;
    });
    backend = await startAutoscalingBackend({
      clusters: locators(),
      containerCloud: autoscalerConfig(lc.info.prometheus.url),
      services: [recordingAuditor(audit)],
      entities: entities(),
    });
    await poll('the Deployment in the watch caches', async () =>
      (await view()).deployments.includes('payments-api') ? true : undefined,
    );
  });

  afterAll(() => backend?.stop());

  it('scales 2 + 2 replicas at 80% with a 50% target to 4 + 3', async () => {
    const saved = await save(backend, {
      enabled: true,
      deployment: 'payments-api',
      metric: 'cpu',
      target: 50,
      minReplicas: 2,
      maxReplicas: 7,
      version: 0,
    });
    expect(saved.status).toBe(200);

    const decision = await cycleUntil(backend, d => d.outcome !== 'held');
    expect(decision).toMatchObject({
      outcome: 'scaled',
      current: 4,
      recommended: 7,
      desired: 7,
      metric: 'cpu',
      target: 50,
    });
    expect(decision.reason).toMatch(/^3\d\d(\.\d)?% \/ 50% = 6\.\d → 7$/);
    expect(
      decision.clusters.map(c => [
        c.cluster,
        c.replicas,
        c.pods,
        c.desired,
        c.outcome,
      ]),
    ).toEqual([
      ['local-a', 2, 2, 4, 'scaled'],
      ['local-b', 2, 2, 3, 'scaled'],
    ]);
    expect(await replicas()).toEqual([4, 3]);

    // acting as the system on the settings alice saved, one event per Deployment written
    const scaled = audit
      .filter(e => e.eventId === 'autoscaler-scale')
      .sort((a, b) =>
        String(a.meta?.cluster).localeCompare(String(b.meta?.cluster)),
      );
    expect(scaled).toEqual(
      CLUSTERS.map(cluster =>
        expect.objectContaining({
          outcome: 'success',
          meta: expect.objectContaining({
            actor: 'alerts-autoscaler (scheduled loop)',
            settingsSavedBy: ALICE,
            entityRef: 'component:default/payments-api',
            cluster,
            namespace: lc.namespace,
            deployment: 'payments-api',
            from: 2,
          }),
        }),
      ),
    );
  });

  it('holds at the maximum once there (7 pods at 80% ask for 12)', async () => {
    const decision = await cycleUntil(
      backend,
      // new pods' rates ramp up over the window first (the stabilisation window keeps the 7)
      d => d.outcome === 'steady' && d.reason.includes('maximum'),
    );
    expect(decision.recommended).toBe(7);
    expect(decision.reason).toContain('held to the maximum of 7');
    expect(await replicas()).toEqual([4, 3]);
  });

  it('holds the service as it is, and says why, when Prometheus cannot be reached', async () => {
    const port = await closedPort();
    const down = await startAutoscalingBackend({
      clusters: locators(),
      containerCloud: autoscalerConfig(`http://127.0.0.1:${port}`),
      entities: entities(),
    });
    try {
      await poll('the Deployment in the watch caches', async () =>
        (await view(down)).deployments.includes('payments-api')
          ? true
          : undefined,
      );
      expect(
        (
          await save(down, {
            enabled: true,
            deployment: 'payments-api',
            metric: 'cpu',
            target: 10,
            minReplicas: 1,
            maxReplicas: 20,
            version: 0,
          })
        ).status,
      ).toBe(200);
      await down.scheduler.run('alerts-autoscaler');
      const [decision] = (await view(down)).decisions;
      expect(decision).toMatchObject({
        outcome: 'held',
        current: 7,
        desired: null,
      });
      expect(decision.reason).toContain(
        `the use of cluster local-a is unknown: Prometheus at http://127.0.0.1:${port} could not be reached (ECONNREFUSED); the use of cluster local-b is unknown`,
      );
      expect(await replicas()).toEqual([4, 3]);
    } finally {
      await down.stop();
    }
  });

  it('refuses a Deployment an HPA scales, at save time and in the loop', async () => {
    const hpas = lc.kubeConfig('local-b').makeApiClient(AutoscalingV2Api);
    await hpas.createNamespacedHorizontalPodAutoscaler({
      namespace: lc.namespace,
      body: {
        metadata: { name: 'payments-api' },
        spec: {
          scaleTargetRef: {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: 'payments-api',
          },
          minReplicas: 1,
          maxReplicas: 3,
          metrics: [
            {
              type: 'Resource',
              resource: {
                name: 'cpu',
                target: { type: 'Utilization', averageUtilization: 50 },
              },
            },
          ],
        },
      },
    });
    try {
      const message = `Deployment ${lc.namespace}/payments-api in cluster local-b is scaled by the HorizontalPodAutoscaler 'payments-api': the autoscaler does not fight it.`;
      const before = (await view()).settings!;
      const refused = await poll('the HPA in the watch cache', async () => {
        const res = await save(backend, {
          enabled: true,
          deployment: 'payments-api',
          metric: 'cpu',
          target: 60,
          minReplicas: 2,
          maxReplicas: 7,
          version: before.version,
        });
        return res.status === 409 ? res : undefined;
      });
      expect(refused.body.error.message).toContain(message);
      expect((await view()).settings).toEqual(before);

      await backend.scheduler.run('alerts-autoscaler');
      const [decision] = (await view()).decisions;
      expect(decision.outcome).toBe('held');
      expect(decision.reason).toContain(message);
    } finally {
      await hpas.deleteNamespacedHorizontalPodAutoscaler({
        namespace: lc.namespace,
        name: 'payments-api',
      });
    }
  });

  it("scales on a rule metric (network in, kwok's ~2 KiB/s per pod) and splits by each cluster's free CPU", async () => {
    const config = autoscalerConfig(lc.info.prometheus.url);
    const splitting = await startAutoscalingBackend({
      clusters: locators(),
      containerCloud: {
        alerts: {
          ...config.alerts,
          autoscaler: { ...config.alerts.autoscaler, split: 'free-capacity' },
        },
      },
      services: [recordingAuditor(audit)],
      entities: entities(),
    });
    try {
      await poll('the Deployment in the watch caches', async () =>
        (await view(splitting)).deployments.includes('payments-api')
          ? true
          : undefined,
      );
      expect((await view(splitting)).split).toBe('free-capacity');
      const saved = await save(splitting, {
        enabled: true,
        deployment: 'payments-api',
        metric: 'network_receive_bytes',
        // 7 pods at up to ~2048 bytes/s each ask for at most 4
        target: 4000,
        minReplicas: 1,
        maxReplicas: 20,
        version: 0,
      });
      expect([saved.status, saved.body.error]).toEqual([200, undefined]);
      const decision = await cycleUntil(splitting, d => d.outcome !== 'held');
      expect(decision).toMatchObject({
        outcome: 'scaled',
        metric: 'network_receive_bytes',
        current: 7,
      });
      // the pods' traffic in bytes/s over the target (new pods' rates still ramp up over the
      // window, so the sum is at most 7 × ~2048)
      const usage = decision.clusters.reduce((a, c) => a + c.usage, 0);
      expect(usage).toBeGreaterThan(0);
      expect(usage).toBeLessThan(7 * 2100);
      expect(decision.desired).toBe(Math.ceil(usage / 4000));
      expect(decision.reason).toMatch(
        /^\d+(\.\d)? bytes\/s \/ 4000 bytes\/s = \d+(\.\d)? → \d+; split by free CPU \(local-a \d+(\.\d)? cores, local-b \d+(\.\d)? cores\)$/,
      );
      const split = decision.clusters.map(c => c.desired);
      expect(split.reduce((a, b) => a + b, 0)).toBe(decision.desired);
      expect(await replicas()).toEqual(split);
    } finally {
      await splitting.stop();
    }
  });

  it("never touched the seeded payments-api outside the binding's placements", async () => {
    expect(await seeded()).toEqual(seededBefore);
  });
});
