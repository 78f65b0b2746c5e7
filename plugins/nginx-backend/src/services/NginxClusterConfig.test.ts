import { ConfigReader } from '@backstage/config';
import { durationMs, readNginxConfig } from './NginxClusterConfig';

describe('readNginxConfig: test environments', () => {
  const withTestEnvironments = (testEnvironments: object) =>
    readNginxConfig(
      new ConfigReader({
        containerCloud: {
          nginx: {
            clusters: [
              {
                name: 'edge',
                confDir: '/tmp/conf.d',
                reloadCommand: ['nginx', '-s', 'reload'],
              },
            ],
            testEnvironments: {
              cluster: 'edge',
              wildcardDomain: 'example.com',
              ...testEnvironments,
            },
          },
        },
      }),
    );

  it('syncs every 5 minutes when no frequency is configured, with the other defaults', () => {
    expect(withTestEnvironments({}).testEnvironments).toEqual({
      cluster: 'edge',
      wildcardDomain: 'example.com',
      environment: 'test',
      port: 80,
      address: undefined,
      frequency: { minutes: 5 },
    });
  });

  it('reads the frequency as a Backstage duration: an object, an ISO duration or a short text', () => {
    expect(
      withTestEnvironments({ frequency: { seconds: 5 } }).testEnvironments
        ?.frequency,
    ).toEqual({ seconds: 5 });
    const iso = withTestEnvironments({ frequency: 'PT2M' }).testEnvironments!;
    expect(durationMs(iso.frequency)).toBe(120_000);
    const short = withTestEnvironments({ frequency: '10s' }).testEnvironments!;
    expect(durationMs(short.frequency)).toBe(10_000);
  });

  it('refuses a frequency that is no duration, naming the key', () => {
    expect(() => withTestEnvironments({ frequency: 'often' })).toThrow(
      /containerCloud\.nginx\.testEnvironments\.frequency: not a duration/,
    );
    expect(() => withTestEnvironments({ frequency: { ages: 2 } })).toThrow(
      /containerCloud\.nginx\.testEnvironments\.frequency/,
    );
  });

  it('refuses a frequency under a second (the sync would run back to back)', () => {
    expect(() =>
      withTestEnvironments({ frequency: { milliseconds: 200 } }),
    ).toThrow(
      'containerCloud.nginx.testEnvironments.frequency: at least one second, e.g. { seconds: 5 }',
    );
    expect(() => withTestEnvironments({ frequency: { seconds: 0 } })).toThrow(
      /at least one second/,
    );
  });

  it('has no test environments when none are configured', () => {
    expect(
      readNginxConfig(new ConfigReader({ containerCloud: { nginx: {} } }))
        .testEnvironments,
    ).toBeUndefined();
  });
});

describe('durationMs', () => {
  it('adds up every unit', () => {
    expect(durationMs({ minutes: 1, seconds: 5, milliseconds: 10 })).toBe(
      65_010,
    );
    expect(durationMs({ hours: 1 })).toBe(3_600_000);
  });
});
