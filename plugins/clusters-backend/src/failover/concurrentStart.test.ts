import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { ContainerCloudClustersService } from '@internal/plugin-container-cloud-node';
import type { FailoverPlan, FailoverPlanner } from './FailoverPlanner';
import { FailoverService, RunConflictError } from './FailoverService';
import { FailoverStore } from './FailoverStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

/** A plan moving one service off `source` (the planner reads clusters; this test only races). */
const planOff = (source: string): FailoverPlan => {
  const amounts = { cpuCores: 0, memoryBytes: 0 };
  return {
    source,
    target: 'a',
    targetChosenBy: 'operator',
    services: [
      {
        kubernetesId: 'api',
        entityRef: 'component:default/api',
        namespace: 'shop',
        deployment: 'api',
        replicas: 2,
        targetReplicas: 0,
        requestedPerReplica: amounts,
        action: 'move',
        reason: null,
        source: { metadata: { name: 'api', namespace: 'shop' } },
      },
    ],
    targetBefore: { allocatable: amounts, requested: amounts },
    targetAfter: { allocatable: amounts, requested: amounts },
    fits: true,
    warnings: [],
  };
};

/**
 * Two replicas of the backend: two services on one database. Their look for an active run off
 * the source is held until both have looked, so both pass it, as two requests at the same
 * instant on two replicas can; the database decides.
 */
async function twoReplicas(databaseId: TestDatabaseId) {
  const knex = await databases.init(databaseId);
  await knex.migrate.latest({
    directory: resolvePackagePath(
      '@internal/plugin-clusters-backend',
      'migrations',
    ),
  });
  let looked = 0;
  let bothLooked: () => void = () => {};
  const barrier = new Promise<void>(resolve => {
    bothLooked = resolve;
  });
  const replica = () => {
    const store = new FailoverStore(knex);
    const activeOff = store.activeOff.bind(store);
    let first = true;
    store.activeOff = async (source: string) => {
      const found = await activeOff(source);
      if (first) {
        first = false;
        looked += 1;
        if (looked === 2) bothLooked();
        await barrier;
      }
      return found;
    };
    const clusters = {
      // the source does not answer: nothing is read from it
      health: () => ({ a: { reachable: true }, b: { reachable: false } }),
    } as unknown as ContainerCloudClustersService;
    return new FailoverService({
      planner: {
        plan: async (r: { source: string }) => planOff(r.source),
      } as unknown as FailoverPlanner,
      store,
      clusters,
      logger: mockServices.logger.mock(),
      wake: async () => {},
    });
  };
  return { knex, one: replica(), other: replica() };
}

describe.each(databases.eachSupportedId())(
  'starting two failover runs off one cluster at once, on %s',
  databaseId => {
    it('lets exactly one start; the other is a 409 carrying the running one', async () => {
      const { knex, one, other } = await twoReplicas(
        databaseId as TestDatabaseId,
      );
      const results = await Promise.allSettled([
        one.start({ source: 'b', target: 'a' }, 'user:default/carol'),
        other.start({ source: 'b', target: 'a' }, 'user:default/dave'),
      ]);
      const started = results.filter(r => r.status === 'fulfilled');
      const refused = results.filter(r => r.status === 'rejected');
      expect(started).toHaveLength(1);
      expect(refused).toHaveLength(1);
      const run = (started[0] as PromiseFulfilledResult<any>).value;
      const error = (refused[0] as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(RunConflictError);
      expect(error.message).toBe(
        `run ${run.id} is already moving the services of b: stop it first`,
      );
      expect((error as RunConflictError).current).toMatchObject({
        id: run.id,
        state: 'running',
        source: 'b',
      });
      const rows = await knex('clusters_failover_runs').select('id', 'state');
      expect(rows).toEqual([{ id: run.id, state: 'running' }]);
    });

    it('refuses to resume a stopped run while another moves its cluster, and lets it once that one is done', async () => {
      const { one, other } = await twoReplicas(databaseId as TestDatabaseId);
      const [first] = await Promise.allSettled([
        one.start({ source: 'b', target: 'a' }, 'user:default/carol'),
        other.start({ source: 'c', target: 'a' }, 'user:default/dave'),
      ]);
      const stopped = (first as PromiseFulfilledResult<any>).value;
      await one.stop(stopped.id);
      // nothing drives the runs here: the runner would move stopping on to stopped
      const store = (one as any).deps.store as FailoverStore;
      await store.transition(stopped.id, ['stopping'], 'stopped');
      const second = await one.start(
        { source: 'b', target: 'a' },
        'user:default/carol',
      );
      const resumed = one.resume(stopped.id);
      await expect(resumed).rejects.toBeInstanceOf(RunConflictError);
      await expect(resumed).rejects.toMatchObject({
        current: { id: second.id, state: 'running' },
      });
      expect((await one.get(stopped.id)).state).toBe('stopped');
      await store.transition(second.id, ['running'], 'done');
      expect((await one.resume(stopped.id)).state).toBe('running');
    });
  },
);
