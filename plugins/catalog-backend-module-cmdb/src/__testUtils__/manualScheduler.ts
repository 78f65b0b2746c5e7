import {
  coreServices,
  createServiceFactory,
  SchedulerServiceTaskFunction,
} from '@backstage/backend-plugin-api';

/**
 * A scheduler that never runs anything by itself: a test runs a task with `run(id)` and awaits it
 * to completion, so syncs happen exactly when the test says.
 */
export function manualScheduler() {
  const tasks = new Map<string, SchedulerServiceTaskFunction>();
  const run = async (id: string) => {
    const fn = tasks.get(id);
    if (!fn) {
      throw new Error(
        `no task ${id}; scheduled: ${[...tasks.keys()].join(', ')}`,
      );
    }
    await fn(new AbortController().signal);
  };
  const factory = createServiceFactory({
    service: coreServices.scheduler,
    deps: {},
    factory: () => ({
      async scheduleTask(task) {
        tasks.set(task.id, task.fn);
      },
      createScheduledTaskRunner: () => ({
        async run(task) {
          tasks.set(task.id, task.fn);
        },
      }),
      triggerTask: run,
      async cancelTask() {},
      async getScheduledTasks() {
        return [];
      },
    }),
  });
  return { factory, run };
}
