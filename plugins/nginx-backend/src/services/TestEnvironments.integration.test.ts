import { mockCredentials } from '@backstage/backend-test-utils';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { serviceEntity } from '@internal/plugin-container-cloud-node/testing';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { freePort, startScratchNginx } from '../__testUtils__/scratchNginx';
import { startNginxBackend } from '../__testUtils__/startNginxBackend';
import { TEST_ENVIRONMENTS_ACTOR } from './TestEnvironments';

jest.setTimeout(300_000);

const lc = useLocalCloud({ namespacePrefix: 'ngxte' });
const CAROL = 'user:default/carol';
const ALICE = 'user:default/alice';
// kubernetes-ids of this run only: the shared cloud's other Services never match them
const suffix = randomBytes(3).toString('hex');
const WITH_SERVICE = `orders-${suffix}`;
const WITHOUT_SERVICE = `billing-${suffix}`;

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
  throw new Error(`${what} never happened; last: ${JSON.stringify(last)}`);
}

describe('test environments on the designated nginx cluster', () => {
  let backend: Awaited<ReturnType<typeof startNginxBackend>>;
  let nginx: Awaited<ReturnType<typeof startScratchNginx>>;
  let core: CoreV1Api;

  beforeAll(async () => {
    const kc = lc.kubeConfig('local-b');
    core = kc.makeApiClient(CoreV1Api);
    const labels = {
      app: WITH_SERVICE,
      'backstage.io/kubernetes-id': WITH_SERVICE,
    };
    await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: lc.namespace,
      body: {
        metadata: { name: WITH_SERVICE, labels },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: WITH_SERVICE } },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: 'app',
                  image: 'registry.example.com/orders/app:1',
                  ports: [{ name: 'http', containerPort: 8080 }],
                },
              ],
            },
          },
        },
      },
    });
    await core.createNamespacedService({
      namespace: lc.namespace,
      body: {
        metadata: { name: WITH_SERVICE, labels },
        spec: {
          selector: { app: WITH_SERVICE },
          ports: [{ name: 'http', port: 80, targetPort: 'http' as any }],
        },
      },
    });
    nginx = await startScratchNginx();
    backend = await startNginxBackend({
      nginx: {
        clusters: [
          {
            name: 'test-edge',
            confDir: nginx.confDir,
            reloadCommand: nginx.reloadCommand,
          },
        ],
        testEnvironments: {
          cluster: 'test-edge',
          wildcardDomain: 'test.example.com',
          environment: 'qa',
          port: await freePort(),
        },
      },
      kubernetesClusters: lc.info.clusters.map(c => ({
        name: c.name,
        url: c.url,
        authProvider: 'serviceAccount',
        serviceAccountToken: c.serviceAccountToken,
        caData: c.caData,
      })),
      entities: [
        serviceEntity(WITH_SERVICE, 'group:default/team-orders'),
        serviceEntity(WITHOUT_SERVICE, 'group:default/team-orders'),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await nginx?.stop();
  });

  function sync(user = CAROL) {
    return request(backend.server)
      .post('/api/nginx/test-environments/sync')
      .set('Authorization', mockCredentials.user.header(user))
      .send({});
  }

  function get(path: string) {
    return request(backend.server)
      .get(`/api/nginx/${path}`)
      .set('Authorization', mockCredentials.user.header(CAROL));
  }

  it('gives each catalog service with a Kubernetes Service <service>.<env>.<wildcard>, and only ops may force a sync', async () => {
    expect((await sync(ALICE)).status).toBe(403);

    // the sync also runs on its own schedule; whichever ran first, the domain appears
    const res = await sync();
    expect(res.status).toBe(200);
    const domainName = `testenv-${WITH_SERVICE}`;
    const domains = await get('domains?cluster=test-edge');
    expect(domains.body.items).toEqual([
      expect.objectContaining({
        name: domainName,
        owner: `component:default/${WITH_SERVICE}`,
        serverNames: [`${WITH_SERVICE}.qa.test.example.com`],
        upstreams: [
          {
            name: 'app',
            members: [],
            kubernetes: [
              {
                cluster: 'local-b',
                namespace: lc.namespace,
                service: WITH_SERVICE,
                port: 'http',
              },
            ],
          },
        ],
      }),
    ]);

    // published, with the Service's ready endpoints as members once the slices are in
    const text = await eventually(
      'two endpoints in the published test environment',
      async () => {
        const versions = (await get('versions?cluster=test-edge')).body.items;
        if (versions.length === 0) return '';
        const v = await get(`versions/${versions[0].id}?cluster=test-edge`);
        return v.body.files[`${domainName}.conf`] as string;
      },
      t => (t.match(/:8080;/g) ?? []).length === 2,
    );
    expect(text).toContain(`server_name ${WITH_SERVICE}.qa.test.example.com;`);
    const [first] = (await get('versions?cluster=test-edge')).body.items;
    expect([TEST_ENVIRONMENTS_ACTOR, 'plugin:nginx/endpoint-sync']).toContain(
      first.createdBy,
    );

    // nothing changed: nothing published
    const count = (await get('versions?cluster=test-edge')).body.items.length;
    const again = await sync();
    expect(again.body).toEqual({ added: [], updated: [], removed: [] });
    expect((await get('versions?cluster=test-edge')).body.items).toHaveLength(
      count,
    );

    // the Service is gone: so is its test environment
    await core.deleteNamespacedService({
      namespace: lc.namespace,
      name: WITH_SERVICE,
    });
    const gone = await sync();
    expect(gone.body).toMatchObject({
      added: [],
      updated: [],
      removed: [domainName],
      publish: { ok: true },
    });
    expect((await get('domains?cluster=test-edge')).body.items).toEqual([]);
    const [latest] = (await get('versions?cluster=test-edge')).body.items;
    expect(latest.message).toBe(`test environments: removed ${domainName}`);
  });
});
