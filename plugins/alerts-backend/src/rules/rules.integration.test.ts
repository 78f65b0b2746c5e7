import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { mockCredentials } from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { AppsV1Api, CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { serviceEntity } from '@internal/plugin-container-cloud-node/testing';
import request from 'supertest';
import { parse } from 'yaml';
import {
  ALICE,
  alertsDatabase,
  alertsTestDatabases,
  CAROL,
  startAlertsBackend,
} from '../__testUtils__/startAlertsBackend';
import { ruleFileName } from './render';

jest.setTimeout(400_000);

// A rule on one container of a service, delivered to the local cloud's real Prometheus (rule
// folder + /-/reload), goes pending → firing when kwok's simulated CPU of that container crosses
// the threshold, and resolves when it drops; a rule promtool refuses changes nothing. The service
// is this file's own (its own namespace and kubernetes id), so no other test's rules file is
// touched: the file is named for the entity.
const lc = useLocalCloud({ namespacePrefix: 'rules' });
const databases = alertsTestDatabases();
const SERVICE = `alerts-it-${randomBytes(3).toString('hex')}`;
const ENTITY_REF = `component:default/${SERVICE}`;
const CPU = 'kwok.x-k8s.io/usage-cpu';

/** Polls until `read` gives a value; Prometheus scrapes and evaluates every 5 s. */
async function poll<T>(
  what: string,
  read: () => Promise<T | undefined>,
  attempts = 150,
): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise(resolve => setTimeout(resolve, 1000));
  }
  throw new Error(`${what} never happened`);
}

interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
}

describe('alert rules on the local cloud', () => {
  let backend: Awaited<ReturnType<typeof startAlertsBackend>>;
  let pod: V1Pod;
  let rulesDir: string;
  const file = () => join(rulesDir, ruleFileName(ENTITY_REF));
  const base = `/api/alerts/services/default/${SERVICE}/rules`;

  async function alertsOf(ruleId: string): Promise<PromAlert[]> {
    const res = await fetch(`${lc.info.prometheus.url}/api/v1/alerts`);
    const body = (await res.json()) as { data: { alerts: PromAlert[] } };
    return body.data.alerts.filter(a => a.labels.cc_rule === ruleId);
  }

  async function setCpu(value: string) {
    const core = lc.kubeConfig('local-a').makeApiClient(CoreV1Api);
    const current = await core.readNamespacedPod({
      namespace: lc.namespace,
      name: pod.metadata!.name!,
    });
    current.metadata!.annotations = {
      ...current.metadata!.annotations,
      [CPU]: value,
    };
    await core.replaceNamespacedPod({
      namespace: lc.namespace,
      name: pod.metadata!.name!,
      body: current,
    });
  }

  beforeAll(async () => {
    rulesDir = lc.info.prometheus.rulesDir;
    const apps = lc.kubeConfig('local-a').makeApiClient(AppsV1Api);
    const labels = { app: SERVICE, 'backstage.io/kubernetes-id': SERVICE };
    await apps.createNamespacedDeployment({
      namespace: lc.namespace,
      body: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: SERVICE, namespace: lc.namespace, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: SERVICE } },
          template: {
            metadata: { labels, annotations: { [CPU]: '10m' } },
            spec: {
              // the local cloud's own kwok nodes: nodes other tests add may run no pods
              nodeSelector: { 'node-role.kubernetes.io/agent': '' },
              containers: [
                { name: 'app', image: 'registry.example.com/it/app:1.0.0' },
                {
                  name: 'sidecar',
                  image: 'registry.example.com/it/side:1.0.0',
                },
              ],
            },
          },
        },
      },
    });
    const core = lc.kubeConfig('local-a').makeApiClient(CoreV1Api);
    pod = await poll('a running pod', async () => {
      const pods = await core.listNamespacedPod({
        namespace: lc.namespace,
        labelSelector: `app=${SERVICE}`,
      });
      return pods.items.find(p => p.status?.phase === 'Running');
    });
    backend = await startAlertsBackend({
      clusters: lc.info.clusters.map(c => ({
        name: c.name,
        url: c.url,
        authProvider: 'serviceAccount',
        serviceAccountToken: c.serviceAccountToken,
        caData: c.caData,
      })),
      alerts: {
        prometheus: [
          {
            name: 'local',
            url: lc.info.prometheus.url,
            clusters: ['local-a', 'local-b'],
            rulesDir,
          },
        ],
        promtool: lc.info.prometheus.promtool,
        // the scheduled re-delivery, often enough for the test below to see it
        rules: { redeliverySeconds: 5 },
        // the local cloud runs no Prometheus Operator: the save says so, per cluster
        prometheusRule: { enabled: true, labels: { prometheus: 'k8s' } },
      },
      entities: [serviceEntity(SERVICE, 'group:default/team-payments')],
      // Backstage's real scheduler (the test backend's mock runs tasks only at startup)
      services: [
        alertsDatabase(databases, 'SQLITE_3'),
        schedulerServiceFactory,
      ],
    });
    // the watch caches show the service's Deployment and pod
    await poll('the service’s workloads in the rules view', async () => {
      const res = await request(backend.server)
        .get(base)
        .set('Authorization', mockCredentials.user.header(ALICE));
      return res.body.targets?.length > 0 ? res.body : undefined;
    });
  });

  afterAll(async () => {
    await backend?.stop();
    if (rulesDir) {
      await rm(file(), { force: true });
      await fetch(`${lc.info.prometheus.url}/-/reload`, { method: 'POST' });
    }
  });

  it('fires for one container when its CPU crosses the threshold, and resolves when it drops', async () => {
    const podName = pod.metadata!.name!;
    const created = await request(backend.server)
      .post(base)
      .set('Authorization', mockCredentials.user.header(ALICE))
      .send({
        baseVersion: 0,
        rule: {
          name: 'App CPU high',
          metric: 'cpu_cores',
          comparison: '>',
          threshold: 0.5,
          for: '15s',
          window: '30s',
          severity: 'critical',
          container: 'app',
          pod: podName,
          labels: { team: 'payments' },
          receivers: ['it-hook'],
          summary: 'the app container uses more than half a core',
        },
      });
    expect(created.status).toBe(201);
    const ruleId: string = created.body.rules[0].id;
    expect(created.body.targets).toEqual([
      { cluster: 'local-a', namespace: lc.namespace },
    ]);
    expect(created.body.delivery).toEqual([
      expect.objectContaining({
        prometheus: 'local',
        state: 'loaded',
        version: 1,
        loadedVersion: 1,
        alertingRules: 1,
      }),
      expect.objectContaining({
        prometheus: `PrometheusRule local-a/${lc.namespace}`,
        state: 'failed',
        message: expect.stringContaining(
          'has no PrometheusRule resource type (monitoring.coreos.com/v1)',
        ),
      }),
    ]);
    const [group] = parse(await readFile(file(), 'utf8')).groups;
    expect(group.rules[1].expr).toContain(`pod="${podName}",container="app"`);
    expect(group.rules[1].labels.cc_entity).toBe(ENTITY_REF);

    // read back as the page does
    const delivery = await request(backend.server)
      .get(`${base}/delivery`)
      .set('Authorization', mockCredentials.user.header(ALICE));
    expect(delivery.body.items[0]).toMatchObject({
      state: 'loaded',
      loadedVersion: 1,
    });

    await setCpu('900m');
    const states = new Set<string>();
    const firing = await poll('the alert firing', async () => {
      const alerts = await alertsOf(ruleId);
      for (const a of alerts) states.add(a.state);
      return alerts.find(a => a.state === 'firing');
    });
    expect(states.has('pending')).toBe(true);
    expect(firing.labels).toMatchObject({
      alertname: 'App_CPU_high',
      cc_entity: ENTITY_REF,
      cc_rule: ruleId,
      cc_receivers: ',it-hook,',
      cc_cluster: 'local-a',
      container: 'app',
      pod: podName,
      severity: 'critical',
      team: 'payments',
      namespace: lc.namespace,
    });
    expect(firing.annotations.summary).toBe(
      'the app container uses more than half a core',
    );
    // one alert: the sidecar uses as much, but the rule is on the app container only
    expect(await alertsOf(ruleId)).toHaveLength(1);

    await setCpu('10m');
    await poll('the alert resolved', async () =>
      (await alertsOf(ruleId)).length === 0 ? true : undefined,
    );
  });

  it('changes nothing when promtool refuses a rule', async () => {
    const before = await request(backend.server)
      .get(base)
      .set('Authorization', mockCredentials.user.header(CAROL));
    const text = await readFile(file(), 'utf8');
    const res = await request(backend.server)
      .post(base)
      .set('Authorization', mockCredentials.user.header(CAROL))
      .send({
        baseVersion: before.body.version,
        rule: {
          name: 'Bad PromQL',
          metric: 'promql',
          expr: 'rate(container_cpu_usage_seconds_total)',
          comparison: '>',
          threshold: 1,
          severity: 'info',
          summary: 'never written',
        },
      });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /rule\.expr: promtool check rules refused it/,
    );
    expect(await readFile(file(), 'utf8')).toBe(text);
    const after = await request(backend.server)
      .get(base)
      .set('Authorization', mockCredentials.user.header(CAROL));
    expect(after.body.version).toBe(before.body.version);
  });

  it('delivers again what a Prometheus lost (the scheduled task)', async () => {
    const set = await request(backend.server)
      .get(base)
      .set('Authorization', mockCredentials.user.header(ALICE));
    const text = await readFile(file(), 'utf8');
    // Prometheus loses the file (a wiped folder, a new instance): it no longer has the version
    await rm(file());
    await fetch(`${lc.info.prometheus.url}/-/reload`, { method: 'POST' });
    const group = `container-cloud ${ENTITY_REF}`;
    const loadedNow = async () => {
      const res = await fetch(
        `${lc.info.prometheus.url}/api/v1/rules?type=record`,
      );
      const body = (await res.json()) as {
        data: {
          groups: Array<{ name: string; rules: Array<{ query: string }> }>;
        };
      };
      return body.data.groups.find(g => g.name === group)?.rules[0].query;
    };
    expect(await loadedNow()).toBeUndefined();
    await poll('the rules delivered again', async () =>
      (await loadedNow()) === `vector(${set.body.version})` ? true : undefined,
    );
    expect(await readFile(file(), 'utf8')).toBe(text);
  });
});
