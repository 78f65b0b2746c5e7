import { mockCredentials } from '@backstage/backend-test-utils';
import {
  AppsV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { ServiceView } from '@internal/plugin-container-cloud-common';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { relay } from '@internal/plugin-container-cloud-node/testing';
import request from 'supertest';
import {
  clusterLocators,
  poll,
  serviceDeployment,
} from './__testUtils__/localCloudFixtures';
import { startServicesBackend } from './__testUtils__/startServicesBackend';

jest.setTimeout(240_000);

// One of the local cloud's clusters goes away while the portal runs, and comes back. The portal
// reaches local-b through a TCP relay on loopback that this test cuts (every connection dropped,
// new ones refused) and restores on the same port: to the portal that is a cluster whose network
// failed, while local-b itself, and the other tests using it, run on.
const lc = useLocalCloud({ namespacePrefix: 'outage' });
const ALICE = 'user:default/alice'; // team-payments, owns payments-api

describe('a cluster that goes away while the portal runs', () => {
  let backend: Awaited<ReturnType<typeof startServicesBackend>>;
  let toB: ReturnType<typeof relay>;
  const apps = (cluster: 'local-a' | 'local-b') =>
    lc.kubeConfig(cluster).makeApiClient(AppsV1Api);

  beforeAll(async () => {
    for (const cluster of ['local-a', 'local-b'] as const) {
      await apps(cluster).createNamespacedDeployment({
        namespace: lc.namespace,
        body: serviceDeployment({
          namespace: lc.namespace,
          name: 'payments-api',
          kubernetesId: 'payments-api',
        }),
      });
    }
    const bUrl = new URL(lc.info.clusters.find(c => c.name === 'local-b')!.url);
    toB = relay({ host: bUrl.hostname, port: Number(bUrl.port) });
    await toB.listen();
    backend = await startServicesBackend({
      containerCloud: { clusters: { healthProbeSeconds: 1 } },
      clusters: clusterLocators(
        lc.info.clusters.map(c =>
          c.name === 'local-b'
            ? { ...c, url: `https://127.0.0.1:${toB.port}` }
            : c,
        ),
      ),
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await toB?.cut();
  });

  const read = async () => {
    const res = await request(backend.server)
      .get('/api/services/services/default/payments-api')
      .set('Authorization', mockCredentials.user.header(ALICE));
    expect(res.status).toBe(200);
    return res.body as ServiceView;
  };
  const cluster = (view: ServiceView, name: string) =>
    view.clusters.find(c => c.cluster === name)!;
  const deploymentIn = (view: ServiceView, name: string) =>
    cluster(view, name).deployments.find(d => d.namespace === lc.namespace);
  // as the page does: with the version it shows (a cluster that is down shows none: any will do,
  // the cluster is asked first)
  const scale = async (name: string, replicas: number) => {
    const shown = deploymentIn(await read(), name);
    return request(backend.server)
      .post('/api/services/services/default/payments-api/scale')
      .set('Authorization', mockCredentials.user.header(ALICE))
      .send({
        cluster: name,
        namespace: lc.namespace,
        deployment: 'payments-api',
        resourceVersion: shown?.resourceVersion ?? '1',
        replicas,
      });
  };

  it('reports it down while the other keeps serving, then catches up when it is back', async () => {
    await poll('both clusters serving the service', async () => {
      const view = await read();
      return ['local-a', 'local-b'].every(
        name =>
          cluster(view, name).health.reachable &&
          deploymentIn(view, name)?.replicas.ready === 1,
      )
        ? view
        : undefined;
    });

    await toB.cut();
    const down = await poll('local-b reported down', async () => {
      const view = await read();
      return cluster(view, 'local-b').health.reachable ? undefined : view;
    });
    expect(cluster(down, 'local-b').health.error).toBeTruthy();
    expect(cluster(down, 'local-a').health.reachable).toBe(true);

    // local-a serves reads and writes as before
    const scaledA = await scale('local-a', 2);
    expect(scaledA.status).toBe(200);
    await poll('two ready pods in local-a', async () => {
      const view = await read();
      return deploymentIn(view, 'local-a')?.replicas.ready === 2
        ? view
        : undefined;
    });

    // a write to local-b says which cluster failed, as unavailable
    const scaledB = await scale('local-b', 3);
    expect(scaledB.status).toBe(503);
    expect(scaledB.body.error.message).toMatch(/^cluster local-b: /);

    // meanwhile someone scales local-b directly; the portal sees it once the cluster is back
    await apps('local-b').patchNamespacedDeploymentScale(
      {
        namespace: lc.namespace,
        name: 'payments-api',
        body: [{ op: 'replace', path: '/spec/replicas', value: 2 }],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );

    await toB.listen();
    const back = await poll(
      'local-b back, with the change made while it was away',
      async () => {
        const view = await read();
        return cluster(view, 'local-b').health.reachable &&
          deploymentIn(view, 'local-b')?.replicas.desired === 2
          ? view
          : undefined;
      },
      { attempts: 180 },
    );
    expect(deploymentIn(back, 'local-a')?.replicas.desired).toBe(2);
  });
});
