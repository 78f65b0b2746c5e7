import { mockCredentials } from '@backstage/backend-test-utils';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type {
  HistoryPage,
  ServiceList,
  ServiceView,
} from '@internal/plugin-container-cloud-common';
import { serviceEntity } from '@internal/plugin-container-cloud-node/testing';
import type { LocalCloudClusterName } from '@internal/local-cloud';
import { useLocalCloud } from '@internal/local-cloud/testing';
import request from 'supertest';
import {
  clusterLocators,
  poll,
  runningPod,
  serviceDeployment,
} from './__testUtils__/localCloudFixtures';
import { startServicesBackend } from './__testUtils__/startServicesBackend';

jest.setTimeout(240_000);

// #11: pods labelled with a service's id outside its placements are not its workloads. On the
// local cloud's two clusters: payments-api is placed in this file's namespace of the first
// cluster only; pods with its label run there, in the same namespace of the second cluster, and
// in a stray namespace of the first.
const lc = useLocalCloud({ namespacePrefix: 'bind' });
const ALICE = 'user:default/alice'; // team-payments, owns payments-api

describe('a service bound by placements, on the local cloud', () => {
  let backend: Awaited<ReturnType<typeof startServicesBackend>>;
  let server: typeof backend.server;
  let placed: LocalCloudClusterName;
  let other: LocalCloudClusterName;
  let stray: string;
  const strayPods: string[] = [];

  const deploy = (cluster: LocalCloudClusterName, namespace: string) =>
    lc
      .kubeConfig(cluster)
      .makeApiClient(AppsV1Api)
      .createNamespacedDeployment({
        namespace,
        body: serviceDeployment({
          namespace,
          name: 'payments-api',
          kubernetesId: 'payments-api',
        }),
      });

  beforeAll(async () => {
    [placed, other] = lc.info.clusters.map(c => c.name);
    stray = `${lc.namespace}-stray`;
    const core = lc.kubeConfig(placed).makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: stray } } });
    // the pods outside the binding run before the backend starts: its first sync holds them
    await deploy(placed, stray);
    await deploy(other, lc.namespace);
    strayPods.push(
      await runningPod(lc.kubeConfig(placed), stray, 'payments-api'),
      await runningPod(lc.kubeConfig(other), lc.namespace, 'payments-api'),
    );
    backend = await startServicesBackend({
      clusters: clusterLocators(lc.info.clusters),
      entities: [
        serviceEntity('payments-api', 'group:default/team-payments', {
          'container-cloud.io/placements': `${placed}/${lc.namespace}`,
        }),
      ],
    });
    server = backend.server;
    await deploy(placed, lc.namespace);
  });

  afterAll(async () => {
    await backend?.stop();
    await lc
      .kubeConfig(placed)
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name: stray })
      .catch(() => undefined);
  });

  const get = (path: string, query: object = {}) =>
    request(server)
      .get(`/api/services/services${path}`)
      .query(query)
      .set('Authorization', mockCredentials.user.header(ALICE));

  it('shows only the pods and Deployments inside its placements', async () => {
    const view = await poll('the placed pod, ready, in the view', async () => {
      const body = (await get('/default/payments-api')).body as ServiceView;
      const ready =
        body.clusters.every(c => c.health.reachable) &&
        body.clusters
          .find(c => c.cluster === placed)
          ?.pods.some(p => p.namespace === lc.namespace && p.ready);
      return ready ? body : undefined;
    });
    expect(view.binding).toEqual({
      state: 'bound',
      kubernetesId: 'payments-api',
      placements: [{ cluster: placed, namespace: lc.namespace }],
    });
    const where = view.clusters.flatMap(c =>
      [...c.pods, ...c.deployments, ...c.revisions].map(
        w => `${c.cluster}/${w.namespace}`,
      ),
    );
    expect(where.length).toBeGreaterThan(0);
    expect(new Set(where)).toEqual(new Set([`${placed}/${lc.namespace}`]));
    const names = view.clusters.flatMap(c => c.pods.map(p => p.name));
    for (const pod of strayPods) expect(names).not.toContain(pod);
  });

  it('counts only those in the Services list', async () => {
    const list = (await get('')).body as ServiceList;
    const summary = list.items.find(
      i => i.entityRef === 'component:default/payments-api',
    )!;
    expect(summary.ready).toBe(1);
    expect(summary.clusters.find(c => c.cluster === other)?.desired).toBe(0);
  });

  it('keeps them out of its history and diagnosis', async () => {
    const history = await poll('the placed pod in the history', async () => {
      const page = (await get('/default/payments-api/history', { limit: 50 }))
        .body as HistoryPage;
      return page.items.some(i => i.namespace === lc.namespace)
        ? page
        : undefined;
    });
    expect(history.items.map(i => `${i.cluster}/${i.namespace}`)).toEqual(
      history.items.map(() => `${placed}/${lc.namespace}`),
    );
    const diagnosis = (await get('/default/payments-api/diagnosis')).body;
    expect(JSON.stringify(diagnosis)).not.toContain(strayPods[0]);
    expect(JSON.stringify(diagnosis)).not.toContain(strayPods[1]);
  });

  it('refuses the events and logs of a pod outside its placements with 403', async () => {
    const [inStray, inOther] = strayPods;
    for (const [cluster, namespace, pod] of [
      [placed, stray, inStray],
      [other, lc.namespace, inOther],
    ]) {
      const events = await get('/default/payments-api/events', {
        cluster,
        namespace,
        pod,
      });
      expect(events.status).toBe(403);
      expect(events.body.error.message).toContain(
        `may not touch namespace '${namespace}' in cluster '${cluster}'`,
      );
      const logs = await get('/default/payments-api/containers/logs', {
        cluster,
        namespace,
        pod,
        container: 'app',
      });
      expect(logs.status).toBe(403);
    }
  });
});
