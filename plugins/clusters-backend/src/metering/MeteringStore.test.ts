import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { MeteringStore, ServiceSample } from './MeteringStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 11, 1, 10, 0);

function sample(
  name: string,
  team: string,
  cpuUsed: number,
  extra: Partial<ServiceSample> = {},
): ServiceSample {
  return {
    entityRef: `component:default/${name}`,
    kubernetesId: name,
    team,
    cpuRequested: 2,
    cpuUsed,
    memoryRequested: 2 * 2 ** 30,
    memoryUsed: 2 ** 30,
    replicas: 2,
    ...extra,
  };
}

describe('MeteringStore', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let store: MeteringStore;

    beforeAll(async () => {
      const knex = await databases.init(databaseId as TestDatabaseId);
      await knex.migrate.latest({
        directory: resolvePackagePath(
          '@internal/plugin-clusters-backend',
          'migrations',
        ),
      });
      store = new MeteringStore(knex);
      // three 5-minute samples in the 10:00 hour, one in the 11:00 hour
      for (const [minute, used] of [
        [0, 0.5],
        [5, 1],
        [10, 1.5],
      ] as const) {
        await store.write('sample', T0 + minute * 60_000, [
          sample('payments-api', 'group:default/team-payments', used),
          sample('orders-api', 'group:default/team-orders', 1.9),
        ]);
      }
      await store.write('sample', T0 + HOUR, [
        sample('payments-api', 'group:default/team-payments', 2),
      ]);
    });

    it('writes an interval once, however often it is sampled', async () => {
      await store.write('sample', T0, [
        sample('payments-api', 'group:default/team-payments', 0.5),
      ]);
      const rows = await store.rows('sample', T0, T0, {});
      expect(rows.map(r => r.entityRef)).toEqual([
        'component:default/orders-api',
        'component:default/payments-api',
      ]);
    });

    it("sums a team's services per interval, and averages each service over the range", async () => {
      const points = await store.points('sample', T0, T0 + 2 * HOUR, {
        team: 'group:default/team-payments',
      });
      expect(points.map(p => [p.time, p.cpuUsed])).toEqual([
        [T0 / 1000, 0.5],
        [T0 / 1000 + 300, 1],
        [T0 / 1000 + 600, 1.5],
        [T0 / 1000 + 3600, 2],
      ]);
      const all = await store.points('sample', T0, T0, {});
      expect(all[0]).toMatchObject({
        cpuUsed: 2.4,
        cpuRequested: 4,
        replicas: 4,
      });
      const [payments] = await store.averages('sample', T0, T0 + 15 * 60_000, {
        entityRef: 'component:default/payments-api',
      });
      expect(payments.cpuUsed).toBeCloseTo(1, 9);
      expect(payments.cpuWaste).toBeCloseTo(1, 9);
      expect(payments.memoryWaste).toBe(2 ** 30);
    });

    it('rolls samples up into hours and hours into days, again as samples arrive', async () => {
      expect(await store.rollUp('hour', T0)).toBe(2);
      expect(await store.rollUp('hour', T0 + HOUR)).toBe(1);
      const hours = await store.averages('hour', T0, T0 + HOUR, {
        entityRef: 'component:default/payments-api',
      });
      // (0.5 + 1 + 1.5) / 3 for 10:00 and 2 for 11:00, averaged
      expect(hours[0].cpuUsed).toBeCloseTo(1.5, 9);
      await store.rollUp('day', Date.UTC(2026, 11, 1));
      const [day] = await store.averages(
        'day',
        Date.UTC(2026, 11, 1),
        Date.UTC(2026, 11, 1),
        {
          team: 'group:default/team-orders',
        },
      );
      expect(day.cpuUsed).toBeCloseTo(1.9, 9);
    });

    it('prunes one resolution by age and leaves the others', async () => {
      expect(await store.prune('sample', T0 + HOUR)).toBe(6);
      expect(await store.rows('sample', 0, T0 + 2 * HOUR, {})).toHaveLength(1);
      expect(await store.rows('hour', 0, T0 + 2 * HOUR, {})).toHaveLength(3);
      expect(await store.lastSample()).toBe(T0 + HOUR);
    });
  });
});
