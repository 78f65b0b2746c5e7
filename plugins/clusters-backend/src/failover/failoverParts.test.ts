import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import {
  deploymentForTarget,
  FAILOVER_FROM_ANNOTATION,
} from './FailoverRunner';
import { referencedConfigMaps } from './FailoverService';
import { FailoverStore, runView } from './FailoverStore';

jest.setTimeout(60_000);

const source = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'api',
    namespace: 'shop',
    uid: 'abc',
    resourceVersion: '42',
    generation: 7,
    labels: { 'backstage.io/kubernetes-id': 'api' },
    annotations: { 'deployment.kubernetes.io/revision': '7', team: 'shop' },
    managedFields: [{ manager: 'kubectl' }],
  },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'api' } },
    template: {
      metadata: { labels: { app: 'api' } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'api:1',
            envFrom: [{ configMapRef: { name: 'env' } }],
            env: [
              {
                name: 'X',
                valueFrom: { configMapKeyRef: { name: 'keys', key: 'x' } },
              },
            ],
          },
        ],
        volumes: [
          { name: 'conf', configMap: { name: 'files' } },
          {
            name: 'more',
            projected: { sources: [{ configMap: { name: 'env' } }] },
          },
        ],
      },
    },
  },
  status: { readyReplicas: 2 },
};

describe('deploymentForTarget', () => {
  it("keeps the source's spec and labels, with the target's replicas, and nothing the source cluster owns", () => {
    const d = deploymentForTarget(source, 5, {
      cluster: 'local-b',
      runId: 'r1',
    });
    expect(d.metadata).toEqual({
      name: 'api',
      namespace: 'shop',
      labels: { 'backstage.io/kubernetes-id': 'api' },
      annotations: {
        team: 'shop',
        [FAILOVER_FROM_ANNOTATION]: 'local-b',
        'container-cloud.io/failover-run': 'r1',
      },
    });
    expect(d.spec).toEqual({ ...source.spec, replicas: 5 });
    expect(d).not.toHaveProperty('status');
    expect(source.spec.replicas).toBe(2);
  });
});

describe('referencedConfigMaps', () => {
  it('names every ConfigMap the pods read, once', () => {
    expect(referencedConfigMaps(source)).toEqual(['env', 'files', 'keys']);
  });
});

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

describe.each(databases.eachSupportedId())(
  'FailoverStore on %s',
  databaseId => {
    it('records runs step by step and moves a run only from the states it is in', async () => {
      const knex = await databases.init(databaseId as TestDatabaseId);
      await knex.migrate.latest({
        directory: resolvePackagePath(
          '@internal/plugin-clusters-backend',
          'migrations',
        ),
      });
      const store = new FailoverStore(knex);
      const id = '11111111-1111-4111-8111-111111111111';
      await store.create({
        id,
        source: 'b',
        target: 'a',
        createdBy: 'user:default/carol',
        steps: Array.from({ length: 120 }, (_, i) => ({
          kubernetesId: `s${i}`,
          entityRef: null,
          namespace: 'shop',
          deployment: `s${i}`,
          replicas: 1,
          targetReplicas: 1,
          sourceSpec: '{}',
          configMaps: null,
          carried: null,
          state: 'pending' as const,
          reason: null,
        })),
      });
      expect(await store.active()).toEqual([id]);
      await store.updateStep(id, 3, 'scaling-up', 'created');
      const run = (await store.get(id))!;
      expect(run.steps).toHaveLength(120);
      expect(run.steps[3]).toMatchObject({
        state: 'scaling-up',
        reason: 'created',
      });
      expect(runView(run).steps[0]).not.toHaveProperty('sourceSpec');
      expect(await store.transition(id, ['stopped'], 'running')).toBe(false);
      expect(await store.transition(id, ['running'], 'stopping')).toBe(true);
      expect(await store.state(id)).toBe('stopping');
      expect(await store.active()).toEqual([id]);
      expect(await store.transition(id, ['stopping'], 'stopped')).toBe(true);
      expect(await store.active()).toEqual([]);
      expect((await store.list()).map(r => r.id)).toEqual([id]);
    });
  },
);
