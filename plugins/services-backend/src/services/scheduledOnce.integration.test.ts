import {
  coreServices,
  createServiceFactory,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { metricsServiceRef } from '@backstage/backend-plugin-api/alpha';
import { DefaultSchedulerService } from '@backstage/backend-defaults/scheduler';
import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { clusterLocators, poll } from '../__testUtils__/localCloudFixtures';
import { servicesDatabase } from '../__testUtils__/servicesDatabase';
import { startServicesBackend } from '../__testUtils__/startServicesBackend';
import { PodHistoryStore } from '../database/PodHistoryStore';

jest.setTimeout(240_000);

// Two backend replicas on one PostgreSQL each schedule the history retention. Backstage's
// scheduler keeps the task in the database: when a run is due (here: asked for on both replicas
// at once, through the scheduler's own trigger route), one replica claims it and the other does
// not run it. The runs are counted as they start, by Backstage's scheduler with a counter around
// each task, and each run is held until both replicas were asked, so a replica that ran the task
// on its own would be counted too.
const lc = useLocalCloud({ namespacePrefix: 'schedonce' });
const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });
const TASK = 'pod-history-retention';
const TASKS = '/api/services/.backstage/scheduler/v1/tasks';

/**
 * Backstage's scheduler, recording each run of `counted` as it starts, held until `gate()` opens.
 * (Every plugin of the replica gets it; the catalog's tasks, on a database of each replica's own,
 * run unchanged.)
 */
function countingScheduler(
  replica: string,
  counted: string,
  runs: string[],
  gate: () => Promise<void>,
) {
  return createServiceFactory({
    service: coreServices.scheduler,
    deps: {
      database: coreServices.database,
      logger: coreServices.logger,
      rootLifecycle: coreServices.rootLifecycle,
      httpRouter: coreServices.httpRouter,
      pluginMetadata: coreServices.pluginMetadata,
      metrics: metricsServiceRef,
    },
    factory(deps): SchedulerService {
      const real = DefaultSchedulerService.create(deps);
      const scheduleTask: SchedulerService['scheduleTask'] = task =>
        real.scheduleTask(
          task.id !== counted
            ? task
            : {
                ...task,
                fn: async signal => {
                  runs.push(replica);
                  await gate();
                  await task.fn(signal);
                },
              },
        );
      return {
        scheduleTask,
        triggerTask: id => real.triggerTask(id),
        cancelTask: id => real.cancelTask(id),
        getScheduledTasks: () => real.getScheduledTasks(),
        createScheduledTaskRunner: schedule => ({
          run: task => scheduleTask({ ...task, ...schedule }),
        }),
      };
    },
  });
}

/** A pod of a service that ended long before any retention: the next run forgets it. */
function endedLongAgo(uid: string) {
  return {
    cluster: 'local-a',
    uid,
    kubernetesId: 'payments-api',
    namespace: 'payments',
    podName: `payments-api-${uid}`,
    images: [{ container: 'app', image: 'example.com/payments-api:1' }],
    restarts: 0,
    startedAt: new Date('2020-01-01T00:00:00Z'),
    endedAt: new Date('2020-01-02T00:00:00Z'),
  };
}

describe('scheduled work with two backend replicas on one database', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it.each(databases.eachSupportedId())(
    'runs the history retention on one replica per run, though both are asked (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const cluster = lc.info.clusters.find(c => c.name === 'local-a')!;
      const runs: string[] = [];
      // each round's run waits here until both replicas were asked
      const gate = { opened: Promise.resolve(), open: () => {} };
      const replicas: string[] = [];
      for (const replica of ['a', 'b']) {
        const backend = await startServicesBackend({
          clusters: clusterLocators([cluster]),
          services: [
            servicesDatabase(knex),
            countingScheduler(replica, TASK, runs, () => gate.opened),
          ],
        });
        replicas.push(`http://127.0.0.1:${backend.server.port()}`);
      }
      const tasks = (base: string, path = '', init: RequestInit = {}) =>
        fetch(`${base}${TASKS}${path}`, {
          ...init,
          headers: { authorization: mockCredentials.service.header() },
        });
      const state = async () => {
        const res = await tasks(replicas[0]);
        expect(res.status).toBe(200);
        const body: {
          tasks: Array<{ taskId: string; taskState: { status: string } }>;
        } = await res.json();
        return body.tasks.find(t => t.taskId === TASK)!.taskState.status;
      };
      const history = new PodHistoryStore(knex);

      for (let round = 1; round <= 3; round++) {
        await history.record(endedLongAgo(`old-${round}`));
        gate.opened = new Promise<void>(resolve => {
          gate.open = resolve;
        });
        // both replicas are asked at once; one of them may find the run already claimed (409)
        const asked = await Promise.all(
          replicas.map(base =>
            tasks(base, `/${TASK}/trigger`, { method: 'POST' }),
          ),
        );
        expect(asked.map(r => r.status)).toContain(200);
        for (const res of asked) expect([200, 409]).toContain(res.status);
        // the run starts on one replica and waits at the gate; then it ends
        await poll(`run ${round} starting`, async () =>
          runs.length >= round ? true : undefined,
        );
        gate.open();
        await poll(`run ${round} ending`, async () =>
          (await state()) === 'idle' ? true : undefined,
        );
        expect(runs).toHaveLength(round);
        expect(
          await knex('pod_history').where({ uid: `old-${round}` }),
        ).toEqual([]);
      }
    },
  );
});
