import { mockCredentials } from '@backstage/backend-test-utils';
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { ServiceCreateResult } from '@internal/plugin-container-cloud-common';
import { serviceEntity } from '@internal/plugin-container-cloud-node/testing';
import type { LocalCloudClusterName } from '@internal/local-cloud';
import { useLocalCloud } from '@internal/local-cloud/testing';
import request from 'supertest';
import {
  clusterLocators,
  poll,
  versionAtRest,
} from '../../__testUtils__/localCloudFixtures';
import { startServicesBackend } from '../../__testUtils__/startServicesBackend';
import { CREATE_REQUEST_ANNOTATION } from './ServiceCreator';

jest.setTimeout(240_000);

// The create operation on the local cloud's two clusters: payments-api is placed in this file's
// namespace of both, and nowhere else.
const lc = useLocalCloud({ namespacePrefix: 'create' });
const ALICE = 'user:default/alice'; // team-payments, owns payments-api
const BOB = 'user:default/bob'; // team-orders

const SPEC = {
  deployment: 'payments-web',
  image: 'registry.example.com/payments/web:1.0.0',
  port: 8080,
  env: [{ name: 'LOG_LEVEL', value: 'info' }],
  resources: {
    requests: { cpu: '100m', memory: '64Mi' },
    limits: { cpu: '0.5', memory: '128Mi' },
  },
  readinessProbe: { path: '/healthz', port: 8080, periodSeconds: 5 },
};

describe('creating a service in its placements, on the local cloud', () => {
  let backend: Awaited<ReturnType<typeof startServicesBackend>>;
  let clusters: LocalCloudClusterName[];

  beforeAll(async () => {
    clusters = lc.info.clusters.map(c => c.name);
    backend = await startServicesBackend({
      clusters: clusterLocators(lc.info.clusters),
      entities: [
        serviceEntity('payments-api', 'group:default/team-payments', {
          'container-cloud.io/placements': clusters
            .map(c => `${c}/${lc.namespace}`)
            .join(','),
        }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  const create = (user: string, body: object) =>
    request(backend.server)
      .post('/api/services/services/default/payments-api/create')
      .set('Authorization', mockCredentials.user.header(user))
      .send(body);

  const deploymentIn = (cluster: LocalCloudClusterName) =>
    lc
      .kubeConfig(cluster)
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({
        namespace: lc.namespace,
        name: SPEC.deployment,
      })
      .catch(() => undefined);

  it('reports what a dry run would create, and creates nothing', async () => {
    const res = await create(ALICE, {
      ...SPEC,
      cluster: clusters[0],
      namespace: lc.namespace,
      replicas: 1,
      dryRun: true,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      outcome: 'would-create',
      dryRun: true,
      deployment: {
        name: SPEC.deployment,
        images: [{ container: 'app', image: SPEC.image }],
      },
      service: { outcome: 'would-create', port: 8080 },
    });
    expect(await deploymentIn(clusters[0])).toBeUndefined();
  });

  it('refuses another team with 403 and creates nothing', async () => {
    const res = await create(BOB, {
      ...SPEC,
      cluster: clusters[0],
      namespace: lc.namespace,
      replicas: 1,
    });
    expect(res.status).toBe(403);
    expect(await deploymentIn(clusters[0])).toBeUndefined();
  });

  it('refuses a namespace outside the placements with 403', async () => {
    const res = await create(ALICE, {
      ...SPEC,
      cluster: clusters[0],
      namespace: 'default',
      replicas: 1,
    });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain(
      "may not touch namespace 'default'",
    );
  });

  it('creates in both clusters with their own replicas, Ready; a re-run changes nothing; another spec is a 409', async () => {
    const replicas = [2, 1];
    for (const [i, cluster] of clusters.entries()) {
      const res = await create(ALICE, {
        ...SPEC,
        cluster,
        namespace: lc.namespace,
        replicas: replicas[i],
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        cluster,
        outcome: 'created',
        service: { outcome: 'created' },
      });
    }
    for (const [i, cluster] of clusters.entries()) {
      // kwok runs the pods: the rollout completes with every replica ready
      await versionAtRest(
        lc.kubeConfig(cluster),
        lc.namespace,
        SPEC.deployment,
      );
      const deployment = (await deploymentIn(cluster))!;
      expect(deployment.status?.readyReplicas).toBe(replicas[i]);
      expect(deployment.metadata?.labels?.['backstage.io/kubernetes-id']).toBe(
        'payments-api',
      );
      const service = await lc
        .kubeConfig(cluster)
        .makeApiClient(CoreV1Api)
        .readNamespacedService({
          namespace: lc.namespace,
          name: SPEC.deployment,
        });
      expect(service.spec?.type).toBe('ClusterIP');
      expect(service.spec?.ports?.[0].port).toBe(8080);
    }

    // the same request again: found, the same, nothing written
    const before = (await deploymentIn(clusters[0]))!.metadata!.resourceVersion;
    const again = await create(ALICE, {
      ...SPEC,
      cluster: clusters[0],
      namespace: lc.namespace,
      replicas: 2,
    });
    expect(again.status).toBe(200);
    expect((again.body as ServiceCreateResult).outcome).toBe('unchanged');
    expect(again.body.service.outcome).toBe('unchanged');
    expect((await deploymentIn(clusters[0]))!.metadata!.resourceVersion).toBe(
      before,
    );

    // another image: a 409 with the Deployment as it is, which keeps its image
    const other = await create(ALICE, {
      ...SPEC,
      image: 'registry.example.com/payments/web:2.0.0',
      cluster: clusters[0],
      namespace: lc.namespace,
      replicas: 2,
    });
    expect(other.status).toBe(409);
    expect(other.body.error.message).toContain('exists with another spec');
    expect(other.body.error.message).toContain('image');
    expect(other.body.current.images).toEqual([
      { container: 'app', image: SPEC.image },
    ]);
    const kept = await poll('the Deployment read', () =>
      deploymentIn(clusters[0]),
    );
    expect(kept.spec?.template?.spec?.containers[0].image).toBe(SPEC.image);
  });

  it('the same request again after a codeflow rolled another image, env was attached and it was scaled: unchanged, answering the Deployment as it is now', async () => {
    const cluster = clusters[0];
    const name = 'payments-rolled';
    const body = {
      ...SPEC,
      deployment: name,
      cluster,
      namespace: lc.namespace,
      replicas: 1,
    };
    const first = await create(ALICE, body);
    expect(first.status).toBe(200);
    expect(first.body.outcome).toBe('created');
    const apps = lc.kubeConfig(cluster).makeApiClient(AppsV1Api);
    const core = lc.kubeConfig(cluster).makeApiClient(CoreV1Api);
    const read = () =>
      apps.readNamespacedDeployment({ namespace: lc.namespace, name });
    const hash = (await read()).metadata?.annotations?.[
      CREATE_REQUEST_ANNOTATION
    ];
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(
      (await core.readNamespacedService({ namespace: lc.namespace, name }))
        .metadata?.annotations?.[CREATE_REQUEST_ANNOTATION],
    ).toBe(hash);

    // what a codeflow's roll-out, the app store's attach and a scale do to it since
    const built = `registry.example.com/payments/web@sha256:${'b'.repeat(64)}`;
    await apps.patchNamespacedDeployment(
      {
        namespace: lc.namespace,
        name,
        body: {
          spec: {
            replicas: 2,
            template: {
              spec: {
                containers: [
                  {
                    name: 'app',
                    image: built,
                    env: [
                      { name: 'LOG_LEVEL', value: 'info' },
                      { name: 'REDIS_HOST', value: 'redis.payments' },
                    ],
                  },
                ],
              },
            },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const atRest = () =>
      versionAtRest(lc.kubeConfig(cluster), lc.namespace, name);
    const changed = await atRest();

    const again = await create(ALICE, body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      outcome: 'unchanged',
      service: { outcome: 'unchanged' },
      deployment: {
        name,
        images: [{ container: 'app', image: built }],
      },
    });
    // nothing written: the roll-out's image, env and replicas stay
    const after = await read();
    expect(after.metadata?.resourceVersion).toBe(changed);
    expect(after.spec?.replicas).toBe(2);
    expect(after.spec?.template.spec?.containers[0].image).toBe(built);

    // another request (another port): today's comparison, a 409 in words with the Deployment as it is
    const other = await create(ALICE, { ...body, port: 8081 });
    expect(other.status).toBe(409);
    expect(other.body.error.message).toContain('exists with another spec');
    expect(other.body.error.message).toContain('port: 8080 ≠ 8081');
    expect(other.body.error.message).toContain(
      'made by a create request with other values',
    );
    expect(other.body.current.images).toEqual([
      { container: 'app', image: built },
    ]);
    expect((await read()).metadata?.resourceVersion).toBe(changed);

    // made before the hash was recorded (no annotation): compared as it is now, the rolled image
    // is another spec
    await apps.patchNamespacedDeployment(
      {
        namespace: lc.namespace,
        name,
        body: [
          {
            op: 'remove',
            path: `/metadata/annotations/${CREATE_REQUEST_ANNOTATION.replace(
              '/',
              '~1',
            )}`,
          },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    const unannotated = await atRest();
    const old = await create(ALICE, body);
    expect(old.status).toBe(409);
    expect(old.body.error.message).toContain(`image: ${built} ≠ ${SPEC.image}`);
    expect(old.body.error.message).not.toContain('made by a create request');
    expect((await read()).metadata?.resourceVersion).toBe(unannotated);
  });

  it('answers 400 naming the field for a bad request, and creates nothing', async () => {
    const res = await create(ALICE, {
      ...SPEC,
      deployment: 'payments-bad',
      cluster: clusters[0],
      namespace: lc.namespace,
      replicas: 1,
      port: 70000,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('port');
    const absent = await lc
      .kubeConfig(clusters[0])
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({
        namespace: lc.namespace,
        name: 'payments-bad',
      })
      .catch(() => undefined);
    expect(absent).toBeUndefined();
  });
});
