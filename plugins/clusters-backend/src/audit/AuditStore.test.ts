import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { AuditRecord } from '@internal/plugin-container-cloud-node';
import type { Knex } from 'knex';
import { AuditStore } from './AuditStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

async function migratedAuditDatabase(
  databaseId: TestDatabaseId,
): Promise<Knex> {
  const knex = await databases.init(databaseId);
  await knex.migrate.latest({
    directory: resolvePackagePath(
      '@internal/plugin-clusters-backend',
      'migrations',
    ),
  });
  return knex;
}

function record(n: number, extra: Partial<AuditRecord> = {}): AuditRecord {
  return {
    time: new Date(Date.UTC(2026, 11, 1, 0, n)).toISOString(),
    plugin: 'services',
    eventId: 'service-scale',
    severity: 'medium',
    outcome: 'succeeded',
    actor: 'user:default/alice',
    entityRef: 'component:default/payments-api',
    cluster: 'local-a',
    namespace: 'payments',
    requestId: `req-${n}`,
    method: 'POST',
    path: '/api/services/services/default/payments-api/scale',
    error: null,
    meta: { request: { replicas: n } },
    ...extra,
  };
}

describe('AuditStore', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let store: AuditStore;
    let knex: Knex;

    beforeAll(async () => {
      knex = await migratedAuditDatabase(databaseId as TestDatabaseId);
      store = new AuditStore(knex);
      for (let n = 1; n <= 5; n++) await store.append(record(n));
      await store.append(
        record(6, {
          actor: 'user:default/bob',
          outcome: 'failed',
          error: 'you may not scale component:default/payments-api',
          plugin: 'nginx',
          eventId: 'nginx-publish',
          entityRef: null,
          cluster: 'nginx-a',
        }),
      );
    });

    it('answers newest first, a page at a time, until the last page', async () => {
      const first = await store.search({ limit: 4 });
      expect(first.items.map(e => e.requestId)).toEqual([
        'req-6',
        'req-5',
        'req-4',
        'req-3',
      ]);
      expect(first.nextCursor).toBe(
        `${Date.parse(first.items[3].time)}_${first.items[3].id}`,
      );
      const second = await store.search({ limit: 4, before: first.nextCursor });
      expect(second.items.map(e => e.requestId)).toEqual(['req-2', 'req-1']);
      expect(second.nextCursor).toBeUndefined();
    });

    it('keeps every field as it came', async () => {
      const { items } = await store.search({
        limit: 1,
        actor: 'user:default/bob',
      });
      expect(items).toEqual([
        {
          id: expect.any(String),
          time: '2026-12-01T00:06:00.000Z',
          plugin: 'nginx',
          eventId: 'nginx-publish',
          severity: 'medium',
          outcome: 'failed',
          actor: 'user:default/bob',
          entityRef: null,
          cluster: 'nginx-a',
          namespace: 'payments',
          requestId: 'req-6',
          method: 'POST',
          path: '/api/services/services/default/payments-api/scale',
          error: 'you may not scale component:default/payments-api',
          meta: { request: { replicas: 6 } },
        },
      ]);
    });

    it('filters by every field at once, and by time range', async () => {
      const ids = async (filters: object) =>
        (await store.search({ limit: 50, ...filters })).items.map(
          e => e.requestId,
        );
      expect(await ids({ outcome: 'failed' })).toEqual(['req-6']);
      expect(
        await ids({ plugin: 'services', eventId: 'service-scale' }),
      ).toHaveLength(5);
      expect(
        await ids({
          entityRef: 'Component:default/Payments-API',
          actor: 'user:default/alice',
        }),
      ).toHaveLength(5);
      expect(await ids({ cluster: 'nginx-a' })).toEqual(['req-6']);
      expect(
        await ids({
          from: new Date(Date.UTC(2026, 11, 1, 0, 2)),
          to: new Date(Date.UTC(2026, 11, 1, 0, 4)),
        }),
      ).toEqual(['req-4', 'req-3', 'req-2']);
      expect(await ids({ actor: 'user:default/nobody' })).toEqual([]);
    });

    it('offers the plugins and actions it holds', async () => {
      expect(await store.facets()).toEqual({
        plugins: ['nginx', 'services'],
        eventIds: ['nginx-publish', 'service-scale'],
      });
    });

    it('prunes what is older than the retention, a batch at a time, and nothing else', async () => {
      const pruned = await store.prune(
        new Date(Date.UTC(2026, 11, 1, 0, 3)),
        1,
      );
      expect(pruned).toBe(2);
      const { items } = await store.search({ limit: 50 });
      expect(items.map(e => e.requestId)).toEqual([
        'req-6',
        'req-5',
        'req-4',
        'req-3',
      ]);
    });

    it("pages by the event's time, newest first, ties by id, whatever order they arrived in", async () => {
      const late = (n: number, minute: number) =>
        record(n, {
          plugin: 'late',
          time: new Date(Date.UTC(2026, 11, 1, 1, minute)).toISOString(),
        });
      await store.append(late(10, 10));
      await store.append(late(11, 8));
      await store.append(late(12, 8));
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 4; page++) {
        const result = await store.search({
          plugin: 'late',
          limit: 1,
          before: cursor,
        });
        seen.push(...result.items.map(e => e.requestId));
        cursor = result.nextCursor;
        if (!cursor) break;
      }
      expect(seen).toEqual(['req-10', 'req-12', 'req-11']);
    });
  });
});
