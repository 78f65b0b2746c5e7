import { mockCredentials } from '@backstage/backend-test-utils';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { CoreV1Api } from '@kubernetes/client-node';
import request from 'supertest';
import { shopDomain } from '../__testUtils__/domains';
import {
  freePort,
  startNamedBackend,
  startScratchNginx,
} from '../__testUtils__/scratchNginx';
import {
  RecordedEvent,
  recordingAuditor,
  startNginxBackend,
} from '../__testUtils__/startNginxBackend';

jest.setTimeout(300_000);

// #11: the owners of a domain (alice, team-payments, owns `shop`) may follow only their own
// service's Kubernetes Services, by the same binding as its workloads: inside its placements
// (here, ops config: this file's namespace of local-a) and labelled with its kubernetes id.
const lc = useLocalCloud({ namespacePrefix: 'ngxown' });
const ALICE = 'user:default/alice';
const CAROL = 'user:default/carol'; // ops admin

describe("owners' Kubernetes sources", () => {
  const audit: RecordedEvent[] = [];
  let backend: Awaited<ReturnType<typeof startNginxBackend>>;
  let nginx: Awaited<ReturnType<typeof startScratchNginx>>;
  let app: Awaited<ReturnType<typeof startNamedBackend>>;

  const service = (name: string, kubernetesId: string) => ({
    metadata: {
      name,
      namespace: lc.namespace,
      labels: { 'backstage.io/kubernetes-id': kubernetesId },
    },
    spec: {
      selector: { app: name },
      ports: [{ name: 'http', port: 80, targetPort: 'http' as any }],
    },
  });

  beforeAll(async () => {
    const core = lc.kubeConfig('local-a').makeApiClient(CoreV1Api);
    await core.createNamespacedService({
      namespace: lc.namespace,
      body: service('shop', 'shop'),
    });
    await core.createNamespacedService({
      namespace: lc.namespace,
      body: service('orders-api', 'orders-api'),
    });
    let port: number;
    [nginx, app, port] = await Promise.all([
      startScratchNginx(),
      startNamedBackend('app'),
      freePort(),
    ]);
    backend = await startNginxBackend({
      nginx: {
        forbiddenMemberRanges: ['0.0.0.0/8', '169.254.0.0/16'],
        clusters: [
          {
            name: 'edge',
            confDir: nginx.confDir,
            reloadCommand: nginx.reloadCommand,
          },
        ],
      },
      binding: {
        placements: {
          'component:default/shop': [`local-a/${lc.namespace}`],
        },
      },
      kubernetesClusters: lc.info.clusters.map(c => ({
        name: c.name,
        url: c.url,
        authProvider: 'serviceAccount',
        serviceAccountToken: c.serviceAccountToken,
        caData: c.caData,
      })),
      services: [recordingAuditor(audit)],
    });
    const saved = await post(
      'domains',
      CAROL,
      shopDomain({
        owner: 'component:default/shop',
        listen: [{ address: '127.0.0.1', port }],
        grayRelease: undefined,
        locations: [{ path: '/', upstream: 'stable' }],
        upstreams: [
          {
            name: 'stable',
            members: [{ address: '127.0.0.1', port: app.port }],
          },
        ],
      }),
    );
    if (saved.status !== 200) {
      throw new Error(`ops could not save the domain: ${saved.text}`);
    }
  });

  afterAll(async () => {
    await backend?.stop();
    await nginx?.stop();
    await app?.stop();
  });

  /** A save or member edit, with the version of the domain it was made from (0 for none). */
  async function post(path: string, user: string, body: object) {
    const current = await request(backend.server)
      .get(
        `/api/nginx/${path.replace(/\/members$/, '')}`.replace(
          /\/domains$/,
          '/domains/edge/shop',
        ),
      )
      .set('Authorization', mockCredentials.user.header(CAROL));
    const version = current.status === 200 ? current.body.domain.version : 0;
    return request(backend.server)
      .post(`/api/nginx/${path}`)
      .set('Authorization', mockCredentials.user.header(user))
      .send({ ...body, version });
  }

  const membersWith = (cluster: string, name: string) => ({
    upstreams: [
      {
        name: 'stable',
        members: [{ address: '127.0.0.1', port: app.port }],
        kubernetes: [
          { cluster, namespace: lc.namespace, service: name, port: 'http' },
        ],
      },
    ],
  });

  it("lets an owner follow their own service's Service inside its placements", async () => {
    const res = await post(
      'domains/edge/shop/members',
      ALICE,
      membersWith('local-a', 'shop'),
    );
    expect(res.status).toBe(200);
  });

  it.each([
    [
      "another team's Service",
      'local-a',
      'orders-api',
      `Service ${'NS'}/orders-api in cluster local-a is not labelled backstage.io/kubernetes-id: shop`,
    ],
    [
      'its own Service outside its placements',
      'local-b',
      'shop',
      `Service ${'NS'}/shop in cluster local-b is outside the placements of component:default/shop`,
    ],
    [
      'a Service that does not exist',
      'local-a',
      'nope',
      `Service ${'NS'}/nope in cluster local-a does not exist`,
    ],
  ])(
    'refuses an owner %s with 403, audited; ops may',
    async (_what, cluster, name, reason) => {
      audit.length = 0;
      const res = await post(
        'domains/edge/shop/members',
        ALICE,
        membersWith(cluster, name),
      );
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain(
        reason.replace('NS', lc.namespace),
      );
      expect(audit).toContainEqual(
        expect.objectContaining({
          eventId: 'nginx-upstream-members-edit',
          outcome: 'fail',
        }),
      );
      // ops may follow any Service, existing or not yet
      const ops = await post(
        'domains/edge/shop/members',
        CAROL,
        membersWith(cluster, name),
      );
      expect(ops.status).toBe(200);
    },
  );
});
