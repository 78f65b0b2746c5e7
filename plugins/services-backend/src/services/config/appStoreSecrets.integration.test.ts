import { mockCredentials } from '@backstage/backend-test-utils';
import { AppsV1Api, CoreV1Api, type V1Secret } from '@kubernetes/client-node';
import { APP_STORE_SECRET_MARKS } from '@internal/plugin-container-cloud-common';
import { useLocalCloud } from '@internal/local-cloud/testing';
import request from 'supertest';
import {
  clusterLocators,
  serviceDeployment,
  versionAtRest,
} from '../../__testUtils__/localCloudFixtures';
import { startServicesBackend } from '../../__testUtils__/startServicesBackend';

jest.setTimeout(180_000);

// The configuration operation's variables from Secrets, on the local cloud's real apiservers:
// only a Secret the app store made for payments-api (or team-payments, its owner) may be named.
const lc = useLocalCloud({ namespacePrefix: 'svc-secrets' });
const ALICE = 'user:default/alice'; // team-payments, owns payments-api
const CLUSTER = 'local-a';

/** A Secret of a Helm release `name` (Helm's annotation), with the app store's marks or some. */
function secret(
  name: string,
  marks: { owner?: string; instance?: string },
  data: Record<string, string> = { password: 's3cret-Value!' },
): V1Secret {
  return {
    metadata: {
      name,
      labels: { 'app.kubernetes.io/instance': name },
      annotations: {
        [APP_STORE_SECRET_MARKS.helmReleaseAnnotation]: name,
        ...(marks.owner
          ? { [APP_STORE_SECRET_MARKS.ownerAnnotation]: marks.owner }
          : {}),
        ...(marks.instance
          ? { [APP_STORE_SECRET_MARKS.instanceAnnotation]: marks.instance }
          : {}),
      },
    },
    type: 'Opaque',
    stringData: data,
  };
}

describe('variables from Secrets in the configuration operation, on the local cloud', () => {
  let backend: Awaited<ReturnType<typeof startServicesBackend>>;
  type Cluster = Parameters<typeof lc.kubeConfig>[0];
  const apps = (cluster: Cluster = CLUSTER) =>
    lc.kubeConfig(cluster).makeApiClient(AppsV1Api);

  beforeAll(async () => {
    for (const cluster of lc.info.clusters) {
      await apps(cluster.name).createNamespacedDeployment({
        namespace: lc.namespace,
        body: serviceDeployment({
          namespace: lc.namespace,
          name: 'payments-api',
          kubernetesId: 'payments-api',
          containers: [
            { name: 'app', image: 'registry.example.com/payments/api:1.0.0' },
          ],
        }),
      });
      const core = lc.kubeConfig(cluster.name).makeApiClient(CoreV1Api);
      const instance = (release: string) =>
        `${cluster.name}/${lc.namespace}/${release}`;
      for (const body of [
        // made by hand: no marks at all
        secret('forged', {}),
        // the owner annotation without the instance
        secret('unmarked', { owner: 'component:default/payments-api' }),
        // marks copied from a release elsewhere
        secret('copied', {
          owner: 'component:default/payments-api',
          instance: `${cluster.name}/orders/copied`,
        }),
        // the app store's, for another team's service
        secret('orders-db-auth', {
          owner: 'component:default/orders-api',
          instance: instance('orders-db-auth'),
        }),
        // the app store's, for the group owning payments-api
        secret('payments-db-auth', {
          owner: 'group:default/team-payments',
          instance: instance('payments-db-auth'),
        }),
      ]) {
        await core.createNamespacedSecret({ namespace: lc.namespace, body });
      }
    }
    backend = await startServicesBackend({
      clusters: clusterLocators(lc.info.clusters),
    });
  });

  afterAll(() => backend?.stop());

  const deployment = (cluster: Cluster = CLUSTER) =>
    apps(cluster).readNamespacedDeployment({
      namespace: lc.namespace,
      name: 'payments-api',
    });

  async function config(env: object[]) {
    return request(backend.server)
      .post('/api/services/services/default/payments-api/config')
      .set('Authorization', mockCredentials.user.header(ALICE))
      .send({
        cluster: CLUSTER,
        namespace: lc.namespace,
        deployment: 'payments-api',
        resourceVersion: await versionAtRest(
          lc.kubeConfig(CLUSTER),
          lc.namespace,
          'payments-api',
        ),
        container: 'app',
        env,
      });
  }

  const fromSecret = (name: string, key = 'password') => ({
    name: 'DB_PASSWORD',
    valueFrom: { secretKeyRef: { name, key } },
  });

  it.each([
    ['forged', 'is not one the app store made for this service'],
    ['unmarked', 'is not one the app store made for this service'],
    ['copied', 'is not one the app store made for this service'],
    ['orders-db-auth', 'is not one the app store made for this service'],
    ['missing', `there is no Secret missing in namespace '`],
  ])(
    'refuses the Secret %s with a 400 in words, and changes nothing',
    async (name, words) => {
      const before = await deployment();
      const res = await config([
        { name: 'DB_HOST', value: 'db' },
        fromSecret(name),
      ]);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(`env DB_PASSWORD: `);
      expect(res.body.error.message).toContain(words);
      const after = await deployment();
      expect(after.metadata?.generation).toBe(before.metadata?.generation);
      expect(after.spec!.template.spec!.containers[0].env).toEqual(
        before.spec!.template.spec!.containers[0].env,
      );
    },
  );

  it('refuses a key the Secret does not have', async () => {
    const res = await config([fromSecret('payments-db-auth', 'nope')]);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(
      "the Secret payments-db-auth has no key 'nope' (it has: password)",
    );
  });

  it('refuses a variable with both a value and a Secret', async () => {
    const res = await config([
      { ...fromSecret('payments-db-auth'), value: 'x' },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(
      'either a value or valueFrom.secretKeyRef',
    );
  });

  it('refuses a forged Secret in every cluster before writing any', async () => {
    const before = await Promise.all(
      lc.info.clusters.map(c => deployment(c.name)),
    );
    const res = await request(backend.server)
      .post('/api/services/services/default/payments-api/every-cluster/config')
      .set('Authorization', mockCredentials.user.header(ALICE))
      .send({
        targets: await Promise.all(
          lc.info.clusters.map(async c => ({
            cluster: c.name,
            namespace: lc.namespace,
            deployment: 'payments-api',
            resourceVersion: await versionAtRest(
              lc.kubeConfig(c.name),
              lc.namespace,
              'payments-api',
            ),
          })),
        ),
        container: 'app',
        env: [fromSecret('forged')],
      });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('is not one the app store made');
    const after = await Promise.all(
      lc.info.clusters.map(c => deployment(c.name)),
    );
    expect(after.map(d => d.metadata?.generation)).toEqual(
      before.map(d => d.metadata?.generation),
    );
  });

  it("accepts the app store's Secret for the service's owner: the Deployment references it, the page shows where it comes from", async () => {
    const res = await config([
      { name: 'DB_HOST', value: 'db' },
      fromSecret('payments-db-auth'),
    ]);
    expect(res.status).toBe(200);
    const env = (await deployment()).spec!.template.spec!.containers[0].env;
    expect(env).toEqual([
      { name: 'DB_HOST', value: 'db' },
      {
        name: 'DB_PASSWORD',
        valueFrom: {
          secretKeyRef: { name: 'payments-db-auth', key: 'password' },
        },
      },
    ]);
    // the answer (the Deployment as it is now) names the Secret, never its value
    const container = res.body.deployment.config.containers[0];
    expect(container.env).toEqual([{ name: 'DB_HOST', value: 'db' }]);
    expect(container.envFrom).toEqual(['DB_PASSWORD']);
    expect(container.secretEnv).toEqual([
      { name: 'DB_PASSWORD', secret: 'payments-db-auth', key: 'password' },
    ]);
    expect(JSON.stringify(res.body)).not.toContain('s3cret');

    // a later edit of the plain variables keeps the reference (it is not the editor's to drop)
    const edit = await config([{ name: 'DB_HOST', value: 'db2' }]);
    expect(edit.status).toBe(200);
    expect((await deployment()).spec!.template.spec!.containers[0].env).toEqual(
      [
        { name: 'DB_HOST', value: 'db2' },
        {
          name: 'DB_PASSWORD',
          valueFrom: {
            secretKeyRef: { name: 'payments-db-auth', key: 'password' },
          },
        },
      ],
    );
  });
});
