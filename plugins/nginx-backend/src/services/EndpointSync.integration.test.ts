import { mockCredentials } from '@backstage/backend-test-utils';
import { useLocalCloud } from '@internal/local-cloud/testing';
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { readFile } from 'node:fs/promises';
import request from 'supertest';
import { shopDomain } from '../__testUtils__/domains';
import {
  freePort,
  startNamedBackend,
  startScratchNginx,
} from '../__testUtils__/scratchNginx';
import { startNginxBackend } from '../__testUtils__/startNginxBackend';
import { ENDPOINT_SYNC_ACTOR } from './EndpointBatcher';

jest.setTimeout(300_000);

// Kubernetes from the local cloud (kwok gives the pods IPs, the controller-manager writes the
// EndpointSlices); nginx is a scratch one of this test's own
const lc = useLocalCloud({ namespacePrefix: 'ngx' });
const CAROL = 'user:default/carol';
const APP = 'shop-api';

function deployment(namespace: string, replicas: number) {
  const labels = { app: APP, 'backstage.io/kubernetes-id': APP };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: APP, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: APP } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'registry.example.com/shop/api:1.0.0',
              ports: [{ name: 'http', containerPort: 8080 }],
            },
          ],
        },
      },
    },
  };
}

/** Polls `read` until `check` passes; fails with the last value after `ms`. */
async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  check: (value: T) => boolean,
  ms = 120_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (check(last)) return last;
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  throw new Error(
    `${what} never happened; last: ${JSON.stringify(last, null, 1)}`,
  );
}

describe('upstream members followed from Kubernetes EndpointSlices', () => {
  let backend: Awaited<ReturnType<typeof startNginxBackend>>;
  let nginx: Awaited<ReturnType<typeof startScratchNginx>>;
  let vm: Awaited<ReturnType<typeof startNamedBackend>>;
  let apps: AppsV1Api;
  let core: CoreV1Api;

  beforeAll(async () => {
    const kc = lc.kubeConfig('local-a');
    apps = kc.makeApiClient(AppsV1Api);
    core = kc.makeApiClient(CoreV1Api);
    await apps.createNamespacedDeployment({
      namespace: lc.namespace,
      body: deployment(lc.namespace, 1),
    });
    await core.createNamespacedService({
      namespace: lc.namespace,
      body: {
        metadata: { name: APP, namespace: lc.namespace },
        spec: {
          selector: { app: APP },
          ports: [{ name: 'http', port: 80, targetPort: 'http' as any }],
        },
      },
    });
    [nginx, vm] = await Promise.all([
      startScratchNginx(),
      startNamedBackend('vm'),
    ]);
    backend = await startNginxBackend({
      nginx: {
        clusters: [
          {
            name: 'edge',
            confDir: nginx.confDir,
            reloadCommand: nginx.reloadCommand,
          },
        ],
      },
      kubernetesClusters: lc.info.clusters.map(c => ({
        name: c.name,
        url: c.url,
        authProvider: 'serviceAccount',
        serviceAccountToken: c.serviceAccountToken,
        caData: c.caData,
      })),
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await nginx?.stop();
    await vm?.stop();
  });

  function call(method: 'get' | 'post', path: string, body?: object) {
    const req = request(backend.server)
      [method](`/api/nginx/${path}`)
      .set('Authorization', mockCredentials.user.header(CAROL));
    return body ? req.send(body) : req;
  }

  /** The pod IPs of the Deployment, as Kubernetes reports them now. */
  async function podIps(): Promise<string[]> {
    const pods = await core.listNamespacedPod({
      namespace: lc.namespace,
      labelSelector: `app=${APP}`,
    });
    return pods.items
      .filter(p => !p.metadata?.deletionTimestamp)
      .map(p => p.status?.podIP)
      .filter((ip): ip is string => Boolean(ip))
      .sort();
  }

  /** The newest version and the Kubernetes members in its shop.conf. */
  async function latest() {
    const versions = (await call('get', 'versions?cluster=edge')).body.items;
    const version = (
      await call('get', `versions/${versions[0].id}?cluster=edge`)
    ).body;
    const text: string = version.files['shop.conf'];
    const members = [...text.matchAll(/server ([\d.]+):8080 weight=2;/g)]
      .map(m => m[1])
      .sort();
    return { count: versions.length, version, text, members };
  }

  it('publishes the ready endpoints beside the static members, and follows a scale-up and a scale-down', async () => {
    const firstIps = await eventually(
      'a pod IP for the first replica',
      podIps,
      ips => ips.length === 1,
    );

    const domain = shopDomain({
      owner: 'component:default/shop',
      listen: [{ address: '127.0.0.1', port: await freePort() }],
      grayRelease: undefined,
      locations: [{ path: '/', upstream: 'stable' }],
      upstreams: [
        {
          name: 'stable',
          members: [{ address: '127.0.0.1', port: vm.port, weight: 5 }],
          kubernetes: [
            {
              cluster: 'local-a',
              namespace: lc.namespace,
              service: APP,
              port: 'http',
              weight: 2,
            },
          ],
        },
        { name: 'canary', members: [{ address: '127.0.0.1', port: vm.port }] },
      ],
    });
    // a new domain: made from version 0
    expect(
      (await call('post', 'domains', { ...domain, version: 0 })).status,
    ).toBe(200);
    // the controller-manager writes the slice a moment after the pod got its IP
    await eventually(
      'the first endpoint in the saved domain',
      async () => (await call('get', 'domains/edge/shop')).body.text as string,
      text => text.includes(`server ${firstIps[0]}:8080 weight=2;`),
    );
    const published = await call('post', 'publish', {
      cluster: 'edge',
      message: 'shop on containers and a VM',
    });
    expect(published.status).toBe(200);
    expect(published.body.ok).toBe(true);
    const first = await latest();
    expect(first.members).toEqual(firstIps);
    expect(first.text).toContain(`server 127.0.0.1:${vm.port} weight=5;`);

    await apps.patchNamespacedDeploymentScale(
      {
        namespace: lc.namespace,
        name: APP,
        body: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    const threeIps = await eventually(
      'three pod IPs',
      podIps,
      ips => ips.length === 3,
    );
    // the version is saved before nginx has it: wait for its delivery to be recorded too
    const scaledUp = await eventually(
      'the three endpoints in a delivered version',
      latest,
      v =>
        v.members.join() === threeIps.join() &&
        (v.version.delivery ?? []).length > 0,
    );
    expect(scaledUp.version).toMatchObject({
      createdBy: ENDPOINT_SYNC_ACTOR,
      message: `endpoints changed: local-a/${lc.namespace}/${APP}`,
      delivery: [{ node: 'edge', ok: true }],
    });
    // the static member stays beside them, and what nginx reads is the published version
    expect(scaledUp.text).toContain(`server 127.0.0.1:${vm.port} weight=5;`);
    expect(await readFile(`${nginx.confDir}/shop.conf`, 'utf8')).toBe(
      scaledUp.text,
    );

    await apps.patchNamespacedDeploymentScale(
      {
        namespace: lc.namespace,
        name: APP,
        body: [{ op: 'replace', path: '/spec/replicas', value: 1 }],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    const scaledDown = await eventually(
      'one endpoint in a delivered version',
      latest,
      v => v.members.length === 1 && (v.version.delivery ?? []).length > 0,
    );
    expect(threeIps).toContain(scaledDown.members[0]);
    expect(scaledDown.version.createdBy).toBe(ENDPOINT_SYNC_ACTOR);
    // the page shows the endpoint versions like any other; a rollback would publish them as well
    expect(scaledDown.count).toBeGreaterThanOrEqual(3);
  });

  it('refuses a Kubernetes cluster that is not configured with 400', async () => {
    const res = await call('post', 'domains', {
      ...shopDomain({
        upstreams: [
          {
            name: 'stable',
            members: [],
            kubernetes: [
              { cluster: 'nope', namespace: 'x', service: 'y', port: 80 },
            ],
          },
          { name: 'canary', members: [{ address: '127.0.0.1', port: 1 }] },
        ],
      }),
      version: 0,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      "no Kubernetes cluster named 'nope'; configured: local-a, local-b",
    );
  });
});
