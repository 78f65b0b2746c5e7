import {
  mockCredentials,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AppsV1Api } from '@kubernetes/client-node';
import type { LocalCloudClusterName } from '@internal/local-cloud';
import { useLocalCloud } from '@internal/local-cloud/testing';
import {
  FIXTURES_ORIGIN,
  perPluginTestDatabase,
  serviceEntity,
} from '@internal/plugin-container-cloud-node/testing';
import request from 'supertest';
import {
  clusterLocators,
  serviceDeployment,
} from '../../__testUtils__/localCloudFixtures';
import { startServicesBackend } from '../../__testUtils__/startServicesBackend';

jest.setTimeout(240_000);

// #17: where team-payments may run a new service, and the check a golden path runs before it
// creates one, against the local cloud's two clusters: team-payments is granted this file's
// namespace in every cluster; a Deployment of another service and one of a service of the same
// name (an earlier run) are there already.
const lc = useLocalCloud({ namespacePrefix: 'targets' });
const ALICE = 'user:default/alice'; // team-payments
const OWNER = 'group:default/team-payments';

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

describe('deploy targets on the local cloud', () => {
  let clusters: LocalCloudClusterName[];

  beforeAll(async () => {
    clusters = lc.info.clusters.map(c => c.name);
    const apps = lc.kubeConfig(clusters[0]).makeApiClient(AppsV1Api);
    // another service's Deployment under a name a new service might want
    await apps.createNamespacedDeployment({
      namespace: lc.namespace,
      body: serviceDeployment({
        namespace: lc.namespace,
        name: 'taken',
        kubernetesId: 'someone-else',
      }),
    });
    // what an earlier run of the template made
    await apps.createNamespacedDeployment({
      namespace: lc.namespace,
      body: serviceDeployment({
        namespace: lc.namespace,
        name: 'rerun',
        kubernetesId: 'rerun',
      }),
    });
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: Awaited<ReturnType<typeof startServicesBackend>>;

    beforeAll(async () => {
      const perPluginDatabase = perPluginTestDatabase(
        databases,
        databaseId as TestDatabaseId,
      );
      backend = await startServicesBackend({
        clusters: clusterLocators(lc.info.clusters),
        entities: [serviceEntity('payments-api', OWNER)],
        containerCloud: {
          binding: {
            trustedOrigins: [FIXTURES_ORIGIN],
            teamPlacements: { [OWNER]: [`*/${lc.namespace}`] },
            requireTeamPlacements: true,
          },
        },
        services: [perPluginDatabase],
      });
    });

    afterAll(() => backend?.stop());

    const everywhere = () =>
      clusters.map(cluster => ({ cluster, namespace: lc.namespace }));
    const check = (name: string) =>
      request(backend.server)
        .post('/api/services/deploy-targets/check')
        .set('Authorization', mockCredentials.user.header(ALICE))
        .send({ name, owner: OWNER, placements: everywhere() });

    it("lists the team's namespace in each of the local cloud's clusters", async () => {
      const res = await request(backend.server)
        .get(`/api/services/deploy-targets?owner=${OWNER}`)
        .set('Authorization', mockCredentials.user.header(ALICE));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        items: everywhere().map(p => ({ owner: OWNER, ...p })),
      });
    });

    it('finds nothing in the way of a new name', async () => {
      const res = await check('brand-new');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        name: 'brand-new',
        owner: OWNER,
        entityRef: 'component:default/brand-new',
        entity: 'absent',
        placements: everywhere().map(p => ({ ...p, outcome: 'would-create' })),
      });
    });

    it("finds the service's own Deployment of an earlier run, and the catalog entry its team owns", async () => {
      const res = await check('rerun');
      expect(res.status).toBe(200);
      expect(res.body.placements).toEqual([
        { cluster: clusters[0], namespace: lc.namespace, outcome: 'exists' },
        {
          cluster: clusters[1],
          namespace: lc.namespace,
          outcome: 'would-create',
        },
      ]);
      const own = await check('payments-api');
      expect(own.status).toBe(200);
      expect(own.body.entity).toBe('exists');
    });

    it("answers 409 with the Deployment as it is when the name is another service's there", async () => {
      const res = await check('taken');
      expect(res.status).toBe(409);
      expect(res.body.error.message).toBe(
        `the name 'taken' is taken in namespace '${lc.namespace}' of cluster ${clusters[0]}: its Deployment belongs to another service (backstage.io/kubernetes-id=someone-else); choose another name`,
      );
      expect(res.body.current).toMatchObject({
        name: 'taken',
        namespace: lc.namespace,
      });
    });

    it('changes nothing in the clusters', async () => {
      const apps = lc.kubeConfig(clusters[1]).makeApiClient(AppsV1Api);
      const { items } = await apps.listNamespacedDeployment({
        namespace: lc.namespace,
      });
      expect(items.map(d => d.metadata?.name)).toEqual([]);
    });
  });
});
