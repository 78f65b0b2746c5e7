import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { PodHistoryStore, PodRecord } from './PodHistoryStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

function pod(n: number, extra: Partial<PodRecord> = {}): PodRecord {
  return {
    cluster: 'local-a',
    uid: `uid-${n}`,
    kubernetesId: 'payments-api',
    namespace: 'payments',
    podName: `payments-api-abc-${n}`,
    deployment: 'payments-api',
    ip: `10.0.0.${n}`,
    node: 'kwok-node-0',
    images: [
      { container: 'app', image: 'registry.example.com/payments/api:1.0.0' },
    ],
    startedAt: new Date(Date.UTC(2026, 10, 23, 8, n)),
    restarts: 0,
    ...extra,
  };
}

describe('PodHistoryStore', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let store: PodHistoryStore;

    beforeAll(async () => {
      const knex = await databases.init(databaseId as TestDatabaseId);
      store = await PodHistoryStore.create(mockServices.database({ knex }));
    });

    it('records a pod, updates it in place, and keeps it after it ends', async () => {
      await store.record(pod(1, { ip: undefined }));
      await store.record(pod(1, { restarts: 2 }));
      // the delete event often lacks the IP: the one seen before is kept
      await store.record(
        pod(1, {
          ip: undefined,
          restarts: 2,
          endedAt: new Date(),
          exitReason: 'OOMKilled',
          exitCode: 137,
        }),
      );
      // an update that arrives after the delete does not reopen it
      await store.record(pod(1, { restarts: 2 }));
      const page = await store.list({
        kubernetesId: 'payments-api',
        limit: 10,
        offset: 0,
      });
      expect(page.total).toBe(1);
      expect(page.items[0]).toMatchObject({
        pod: 'payments-api-abc-1',
        ip: '10.0.0.1',
        restarts: 2,
        exitReason: 'OOMKilled',
        exitCode: 137,
        images: [
          {
            container: 'app',
            image: 'registry.example.com/payments/api:1.0.0',
          },
        ],
      });
      expect(page.items[0].endedAt).toBeDefined();
    });

    it('filters by cluster and state, newest first, with paging', async () => {
      for (let n = 2; n <= 6; n++) await store.record(pod(n));
      await store.record(pod(7, { cluster: 'local-b' }));
      await store.record(pod(8, { kubernetesId: 'orders-api' }));

      const running = await store.list({
        kubernetesId: 'payments-api',
        state: 'running',
        cluster: 'local-a',
        limit: 2,
        offset: 1,
      });
      expect(running.total).toBe(5);
      expect(running.items.map(i => i.pod)).toEqual([
        'payments-api-abc-5',
        'payments-api-abc-4',
      ]);
      const ended = await store.list({
        kubernetesId: 'payments-api',
        state: 'ended',
        limit: 10,
        offset: 0,
      });
      expect(ended.items.map(i => i.pod)).toEqual(['payments-api-abc-1']);
      const all = await store.list({
        kubernetesId: 'payments-api',
        limit: 50,
        offset: 0,
      });
      expect(all.total).toBe(7);
    });

    it('closes the pods of a cluster that vanished while unwatched', async () => {
      const closed = await store.closeMissing(
        'local-a',
        new Set(['uid-2', 'uid-3']),
        new Date(),
      );
      expect(closed).toBe(4); // uid-4, uid-5, uid-6 and orders-api's uid-8
      const running = await store.list({
        kubernetesId: 'payments-api',
        cluster: 'local-a',
        state: 'running',
        limit: 10,
        offset: 0,
      });
      expect(running.items.map(i => i.pod).sort()).toEqual([
        'payments-api-abc-2',
        'payments-api-abc-3',
      ]);
      // other clusters are left alone
      const b = await store.list({
        kubernetesId: 'payments-api',
        cluster: 'local-b',
        state: 'running',
        limit: 10,
        offset: 0,
      });
      expect(b.total).toBe(1);
    });

    it("finds one pod of the service, gone or not, and never another service's", async () => {
      const where = {
        kubernetesId: 'payments-api',
        cluster: 'local-a',
        namespace: 'payments',
      };
      expect(
        await store.find({ ...where, pod: 'payments-api-abc-1' }),
      ).toMatchObject({ pod: 'payments-api-abc-1', exitReason: 'OOMKilled' });
      expect(
        (await store.find({ ...where, pod: 'payments-api-abc-1' }))?.endedAt,
      ).toBeDefined();
      expect(
        await store.find({ ...where, pod: 'payments-api-abc-8' }),
      ).toBeUndefined(); // orders-api's
      expect(
        await store.find({
          ...where,
          cluster: 'local-b',
          pod: 'payments-api-abc-1',
        }),
      ).toBeUndefined();
    });

    it('lists pods not started yet first, then newest first, on every database', async () => {
      const ordering = (n: number, startedAt?: Date) =>
        pod(n, { kubernetesId: 'ordering-api', uid: `order-${n}`, startedAt });
      await store.record(ordering(1, new Date(Date.UTC(2026, 10, 23, 8, 1))));
      await store.record(ordering(2, undefined));
      await store.record(ordering(3, new Date(Date.UTC(2026, 10, 23, 8, 3))));
      await store.record(ordering(4, undefined));
      const page = await store.list({
        kubernetesId: 'ordering-api',
        limit: 10,
        offset: 0,
      });
      expect(page.items.map(i => i.pod)).toEqual([
        'payments-api-abc-4',
        'payments-api-abc-2',
        'payments-api-abc-3',
        'payments-api-abc-1',
      ]);
    });

    it('forgets pods that ended before the retention cutoff, and only those', async () => {
      const day = (d: number) => new Date(Date.UTC(2026, 10, d));
      const kept = (n: number, extra: Partial<PodRecord>) =>
        pod(n, { kubernetesId: 'retention-api', uid: `ret-${n}`, ...extra });
      await store.record(kept(1, { startedAt: day(1), endedAt: day(2) }));
      await store.record(kept(2, { startedAt: day(1), endedAt: day(10) }));
      // running since long before the cutoff: kept
      await store.record(kept(3, { startedAt: day(1) }));
      expect(await store.pruneEndedBefore(day(5))).toBe(1);
      const page = await store.list({
        kubernetesId: 'retention-api',
        limit: 10,
        offset: 0,
      });
      expect(page.items.map(i => i.pod).sort()).toEqual([
        'payments-api-abc-2',
        'payments-api-abc-3',
      ]);
    });

    it("keeps to the service's placements: a * cluster matches every cluster, none matches nothing", async () => {
      const placed = (n: number, cluster: string, namespace: string) =>
        pod(100 + n, {
          kubernetesId: 'placed-svc',
          cluster,
          namespace,
          uid: `placed-${n}`,
          podName: `placed-svc-${n}`,
        });
      await store.record(placed(1, 'local-a', 'payments'));
      await store.record(placed(2, 'local-b', 'payments'));
      await store.record(placed(3, 'local-a', 'stray'));
      await store.record(placed(4, 'local-b', 'shared'));
      const list = async (
        placements?: Array<{ cluster: string; namespace: string }>,
      ) =>
        (
          await store.list({
            kubernetesId: 'placed-svc',
            placements,
            limit: 50,
            offset: 0,
          })
        ).items
          .map(i => i.pod)
          .sort();
      expect(await list()).toEqual([
        'placed-svc-1',
        'placed-svc-2',
        'placed-svc-3',
        'placed-svc-4',
      ]);
      expect(
        await list([
          { cluster: 'local-a', namespace: 'payments' },
          { cluster: '*', namespace: 'shared' },
        ]),
      ).toEqual(['placed-svc-1', 'placed-svc-4']);
      expect(await list([])).toEqual([]);
    });
  });
});
