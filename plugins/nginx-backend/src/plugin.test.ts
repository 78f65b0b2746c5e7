import { mockServices } from '@backstage/backend-test-utils';
import { startNginxBackend } from './__testUtils__/startNginxBackend';

// the test environments' sync is scheduled on the configured frequency (the scheduler runs it on
// one replica at a time); what the sync does is TestEnvironments' tests'
describe('the nginx plugin schedules the test environment sync', () => {
  const cluster = {
    name: 'edge',
    confDir: '/nonexistent/conf.d',
    reloadCommand: ['true'],
  };
  const testEnvironments = { cluster: 'edge', wildcardDomain: 'example.com' };

  async function scheduledWith(nginx: object) {
    const scheduler = mockServices.scheduler.mock();
    const backend = await startNginxBackend({
      nginx,
      services: [scheduler.factory],
    });
    await backend.stop();
    return scheduler.scheduleTask.mock.calls
      .map(([task]) => task)
      .filter(task => task.id === 'nginx-test-environments');
  }

  it('every configured frequency, starting after it when it is short', async () => {
    const [task, ...more] = await scheduledWith({
      clusters: [cluster],
      testEnvironments: { ...testEnvironments, frequency: { seconds: 5 } },
    });
    expect(more).toEqual([]);
    expect(task).toMatchObject({
      frequency: { seconds: 5 },
      initialDelay: { seconds: 5 },
      timeout: { minutes: 5 },
    });
    // the scheduler's default scope: one replica at a time
    expect(task.scope ?? 'global').toBe('global');
  });

  it('every 5 minutes by default, the first after 30 s', async () => {
    const [task] = await scheduledWith({
      clusters: [cluster],
      testEnvironments,
    });
    expect(task).toMatchObject({
      frequency: { minutes: 5 },
      initialDelay: { seconds: 30 },
    });
  });

  it('not at all without test environments', async () => {
    expect(await scheduledWith({ clusters: [cluster] })).toEqual([]);
  });
});
