import {
  mockCredentials,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AppsV1Api } from '@kubernetes/client-node';
import type {
  ClusterServicePage,
  ServiceView,
} from '@internal/plugin-container-cloud-common';
import { SerializedJson } from '@internal/plugin-container-cloud-node';
import {
  FIXTURES_ORIGIN,
  perPluginTestDatabase,
} from '@internal/plugin-container-cloud-node/testing';
import { useLocalCloud } from '@internal/local-cloud/testing';
import request from 'supertest';
import {
  clusterLocators,
  poll,
  serviceDeployment,
} from './__testUtils__/localCloudFixtures';
import { startServicesBackend } from './__testUtils__/startServicesBackend';

jest.setTimeout(240_000);

// The service view (GET /services/:namespace/:name) as many viewers read it: serialised once per
// change, answered 304 to a caller holding the current ETag, its containers a page at a time
// with whole counts. Against the local cloud's two clusters, on SQLite and PostgreSQL.
const lc = useLocalCloud({ namespacePrefix: 'svcview' });
const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});
const ALICE = mockCredentials.user.header('user:default/alice'); // owns payments-api
const BOB = mockCredentials.user.header('user:default/bob'); // another team
const PODS = { 'local-a': 7, 'local-b': 3 } as const;
const PATH = '/api/services/services/default/payments-api';

function deployment(namespace: string, replicas: number) {
  const manifest = serviceDeployment({
    namespace,
    name: 'payments-api',
    kubernetesId: 'payments-api',
    replicas,
  });
  manifest.spec.template.spec.containers = [
    {
      name: 'app',
      image: 'registry.example.com/payments/api:1.0.0',
      env: [{ name: 'DB_PASSWORD', value: 'not-for-bob' }],
    } as any,
  ];
  return manifest;
}

/** The bench's own pods in one cluster's page: those of the test's namespace. */
const mine = (c: ClusterServicePage) =>
  c.pods.filter(p => p.namespace === lc.namespace);

/** A Deployment of the view without its resourceVersion. */
function withoutVersion<T extends { resourceVersion?: string }>(d: T) {
  const { resourceVersion, ...rest } = d;
  return rest;
}

describe.each(databases.eachSupportedId())(
  'the service view on %s',
  databaseId => {
    let backend: Awaited<ReturnType<typeof startServicesBackend>>;
    let server: typeof backend.server;

    beforeAll(async () => {
      for (const [cluster, replicas] of Object.entries(PODS)) {
        const apps = lc
          .kubeConfig(cluster as keyof typeof PODS)
          .makeApiClient(AppsV1Api);
        await apps
          .deleteNamespacedDeployment({
            namespace: lc.namespace,
            name: 'payments-api',
          })
          .catch(() => undefined);
        await poll(`the old Deployment gone in ${cluster}`, async () =>
          apps
            .readNamespacedDeployment({
              namespace: lc.namespace,
              name: 'payments-api',
            })
            .then(
              () => undefined,
              () => true,
            ),
        );
        await apps.createNamespacedDeployment({
          namespace: lc.namespace,
          body: deployment(lc.namespace, replicas),
        });
      }
      const perPluginDatabase = perPluginTestDatabase(
        databases,
        databaseId as TestDatabaseId,
      );
      backend = await startServicesBackend({
        clusters: clusterLocators(lc.info.clusters),
        services: [perPluginDatabase],
        containerCloud: {
          binding: {
            trustedOrigins: [FIXTURES_ORIGIN],
            placements: {
              'component:default/payments-api': [`*/${lc.namespace}`],
            },
          },
        },
      });
      server = backend.server;
      // every pod in the watch caches, each cluster's whole
      await poll('every pod in the view', async () => {
        const view = (await get(ALICE, '?podsLimit=500')).body as ServiceView;
        const ready = view.clusters.every(
          c =>
            c.podCounts.ready === PODS[c.cluster as keyof typeof PODS] &&
            c.podCounts.total === PODS[c.cluster as keyof typeof PODS],
        );
        return ready ? true : undefined;
      });
    });

    afterAll(() => backend?.stop());

    function get(user: string | undefined, query = '', etag?: string) {
      const req = request(server).get(`${PATH}${query}`);
      if (user) req.set('Authorization', user);
      if (etag) req.set('If-None-Match', etag);
      return req;
    }

    it('answers 304 to the ETag it gave, and the same ETag always carries the same body', async () => {
      // the view may change between two reads (a probe's health refresh): then the tag moves
      // with it, and the next pair is tried
      const pairs: Array<{ full: request.Response; again: request.Response }> =
        [];
      for (let attempt = 0; attempt < 3; attempt++) {
        const full = await get(BOB);
        const again = await get(BOB, '', full.headers.etag);
        pairs.push({ full, again });
        if (again.status === 304) break;
      }
      // every tag is its body's hash: the same tag is the same body, on any replica
      for (const { full } of pairs) {
        expect(full.status).toBe(200);
        expect(full.headers.etag).toBe(SerializedJson.of(full.body).etag);
      }
      const hit = pairs.find(p => p.again.status === 304);
      expect(hit).toBeDefined();
      expect(hit!.again.text).toBe('');
      expect(hit!.again.headers.etag).toBe(hit!.full.headers.etag);
      // a re-read that was not a 304 came with a body under another tag
      const missed = pairs.filter(p => p.again.status !== 304);
      expect(
        missed.map(p => [
          p.again.status,
          p.again.headers.etag === p.full.headers.etag,
        ]),
      ).toEqual(missed.map(() => [200, false]));
    });

    it('gives another ETag and the new state once the watch sees a change', async () => {
      const before = await get(BOB);
      const etag = before.headers.etag;
      const apps = lc.kubeConfig('local-b').makeApiClient(AppsV1Api);
      await apps.patchNamespacedDeployment({
        namespace: lc.namespace,
        name: 'payments-api',
        body: [{ op: 'replace', path: '/spec/replicas', value: 4 }],
      });
      try {
        const changed = await poll('the scale in the view', async () => {
          const res = await get(BOB, '', etag);
          if (res.status === 304) return undefined;
          const b = (res.body as ServiceView).clusters.find(
            c => c.cluster === 'local-b',
          )!;
          return b.deployments[0]?.replicas.desired === 4 ? res : undefined;
        });
        expect(changed.status).toBe(200);
        expect(changed.headers.etag).not.toBe(etag);
        expect(changed.headers.etag).toBe(SerializedJson.of(changed.body).etag);
      } finally {
        await apps.patchNamespacedDeployment({
          namespace: lc.namespace,
          name: 'payments-api',
          body: [{ op: 'replace', path: '/spec/replicas', value: 3 }],
        });
        // the pods, and the Deployment's status too: the next test compares pages of the view
        await poll('local-b back at 3 pods', async () => {
          const view = (await get(BOB, '?podsLimit=500')).body as ServiceView;
          const b = view.clusters.find(c => c.cluster === 'local-b')!;
          const r = b.deployments[0]?.replicas;
          return b.podCounts.total === 3 &&
            b.podCounts.ready === 3 &&
            r?.desired === 3 &&
            r.available === 3 &&
            r.ready === 3 &&
            r.updated === 3
            ? true
            : undefined;
        });
      }
    });

    it('pages every cluster’s containers: each one on exactly one page, the counts whole on every page', async () => {
      const whole = (await get(BOB, '?podsLimit=500')).body as ServiceView;
      for (const all of whole.clusters) {
        const names = all.pods.map(p => p.name);
        expect(names).toHaveLength(PODS[all.cluster as keyof typeof PODS]);
        expect([...names].sort()).toEqual(names);
        const seen: string[] = [];
        for (let offset = 0; offset < names.length + 2; offset += 2) {
          const res = await get(
            BOB,
            `?cluster=${all.cluster}&podsOffset=${offset}&podsLimit=2`,
          );
          expect(res.status).toBe(200);
          const page = res.body as ServiceView;
          expect(page.clusters.map(c => c.cluster)).toEqual([all.cluster]);
          const [c] = page.clusters;
          expect(c.podCounts).toEqual(all.podCounts);
          expect(c.podsPage).toEqual({ offset, limit: 2 });
          // the whole cluster's Deployments on every page (their resourceVersion may move
          // while the controller writes status between two reads)
          expect(c.deployments.map(withoutVersion)).toEqual(
            all.deployments.map(withoutVersion),
          );
          expect(c.pods.length).toBeLessThanOrEqual(2);
          seen.push(...mine(c).map(p => p.name));
        }
        expect(seen).toEqual(names);
      }
      // the default page: the first 50 of each cluster, all of them here
      const first = (await get(BOB)).body as ServiceView;
      expect(first.clusters.map(c => c.podsPage)).toEqual([
        { offset: 0, limit: 50 },
        { offset: 0, limit: 50 },
      ]);
    });

    it('never gives one reader the view of a reader with other rights', async () => {
      const alice = await get(ALICE);
      const bob = await get(BOB);
      const envOf = (view: ServiceView) =>
        view.clusters.find(c => c.cluster === 'local-a')!.deployments[0].config
          .containers[0].env;
      expect(envOf(alice.body)).toEqual([
        { name: 'DB_PASSWORD', value: 'not-for-bob' },
      ]);
      expect(envOf(bob.body)).toEqual([
        { name: 'DB_PASSWORD', value: '<hidden>' },
      ]);
      expect(alice.headers.etag).not.toBe(bob.headers.etag);
      // bob holding alice's tag gets his own view
      const crossed = await get(BOB, '', alice.headers.etag);
      expect(crossed.status).toBe(200);
      expect(envOf(crossed.body)).toEqual([
        { name: 'DB_PASSWORD', value: '<hidden>' },
      ]);
      // and a service token, which reads without the policy, sees no values either
      const service = await request(server)
        .get(PATH)
        .set('Authorization', mockCredentials.service.header());
      expect(service.status).toBe(200);
      expect(envOf(service.body)).toEqual([
        { name: 'DB_PASSWORD', value: '<hidden>' },
      ]);
    });

    it('checks the caller before answering 304', async () => {
      const res = await get(undefined, '', '*');
      expect(res.status).toBe(401);
    });

    it.each([
      ['?podsLimit=0', 'podsLimit is 1 to 500'],
      ['?podsLimit=501', 'podsLimit is 1 to 500'],
      ['?podsOffset=-1', 'podsOffset cannot be below 0'],
      ['?podsOffset=1.5', 'podsOffset is a whole number'],
      ['?cluster=nowhere', "no cluster named 'nowhere'"],
      ['?pods=all', 'pods'],
    ])('answers 400 in words to %s', async (query, words) => {
      const res = await get(BOB, query);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(words);
    });
  },
);
