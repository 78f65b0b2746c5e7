import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import type { AutoscalingSettings } from '@internal/plugin-container-cloud-common';
import {
  AutoscalingSettingsConflictError,
  AutoscalingStore,
  DecisionRecord,
} from './AutoscalingStore';
import { migrateAutoscaling } from './__testUtils__/autoscalingDatabase';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const REF = 'component:default/payments-api';
const ALICE = 'user:default/alice';
const settings: AutoscalingSettings = {
  enabled: true,
  deployment: 'payments-api',
  metric: 'cpu',
  target: 50,
  minReplicas: 2,
  maxReplicas: 10,
};

function decision(over: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    outcome: 'held',
    reason: 'Prometheus at http://127.0.0.1:1 could not be reached',
    metric: 'cpu',
    target: 50,
    current: 4,
    recommended: null,
    desired: null,
    clusters: [],
    settingsVersion: 1,
    ...over,
  };
}

describe('AutoscalingStore', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let store: AutoscalingStore;
    beforeAll(async () => {
      const knex = await databases.init(databaseId as TestDatabaseId);
      await migrateAutoscaling(knex);
      store = new AutoscalingStore(knex);
    });

    it('saves versions, and refuses a save from a stale one with the saved settings', async () => {
      const first = await store.saveSettings(REF, settings, 0, ALICE, 1000);
      expect(first).toEqual({
        ...settings,
        version: 1,
        updatedBy: ALICE,
        updatedAt: new Date(1000).toISOString(),
      });
      const second = await store.saveSettings(
        REF,
        { ...settings, target: 70.5 },
        1,
        'user:default/carol',
      );
      expect(second).toMatchObject({ version: 2, target: 70.5 });

      for (const stale of [0, 1, 5]) {
        const error = await store
          .saveSettings(REF, { ...settings, enabled: false }, stale, ALICE)
          .catch(e => e);
        expect(error).toBeInstanceOf(AutoscalingSettingsConflictError);
        expect(error.message).toContain('changed since you loaded them');
        expect(error.current).toMatchObject({ version: 2, target: 70.5 });
      }
      expect(await store.getSettings(REF.toUpperCase())).toMatchObject({
        version: 2,
        enabled: true,
        entityRef: REF,
      });
    });

    it('lets one of two concurrent first saves win', async () => {
      const ref = 'component:default/race';
      const results = await Promise.allSettled([
        store.saveSettings(ref, settings, 0, ALICE),
        store.saveSettings(ref, { ...settings, target: 10 }, 0, ALICE),
      ]);
      expect(results.map(r => r.status).sort()).toEqual([
        'fulfilled',
        'rejected',
      ]);
      const lost = results.find(
        r => r.status === 'rejected',
      ) as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(AutoscalingSettingsConflictError);
    });

    it('lists the enabled settings with their window, kept for their version only', async () => {
      const ref = 'component:default/off';
      await store.saveSettings(ref, { ...settings, enabled: false }, 0, ALICE);
      const window = [{ at: 5, replicas: 3 }];
      await store.saveRecommendations(REF, 2, window);
      await store.saveRecommendations(REF, 1, [{ at: 6, replicas: 9 }]);
      const enabled = await store.listEnabled();
      expect(enabled.map(s => s.entityRef)).not.toContain(ref);
      expect(enabled.find(s => s.entityRef === REF)?.recommendations).toEqual(
        window,
      );
    });

    it('counts a repeated decision on the last one, and keeps the newest first', async () => {
      const ref = 'component:default/decisions';
      await store.recordDecision(ref, decision(), 1000);
      await store.recordDecision(ref, decision(), 2000);
      await store.recordDecision(
        ref,
        decision({
          outcome: 'scaled',
          reason: '320% / 50% = 6.4 → 7',
          desired: 7,
        }),
        3000,
      );
      await store.recordDecision(ref, decision(), 4000);
      const list = await store.listDecisions(ref);
      expect(list.map(d => [d.outcome, d.count, d.at, d.lastAt])).toEqual([
        ['held', 1, new Date(4000).toISOString(), new Date(4000).toISOString()],
        [
          'scaled',
          1,
          new Date(3000).toISOString(),
          new Date(3000).toISOString(),
        ],
        ['held', 2, new Date(1000).toISOString(), new Date(2000).toISOString()],
      ]);
      expect(list[1].desired).toBe(7);
    });

    it('records a whole cycle at once: repeats counted, windows kept for the version read', async () => {
      const a = 'component:default/cycle-a';
      const b = 'component:default/cycle-b';
      await store.saveSettings(a, settings, 0, ALICE);
      await store.saveSettings(b, settings, 0, ALICE);
      await store.recordCycle(
        [
          { entityRef: a, decision: decision(), version: 1 },
          {
            entityRef: b,
            decision: decision({ outcome: 'steady', reason: 'within' }),
            window: [{ at: 100, replicas: 4 }],
            version: 1,
          },
        ],
        100,
      );
      await store.recordCycle(
        [
          { entityRef: a, decision: decision(), version: 1 },
          {
            entityRef: b,
            decision: decision({ outcome: 'scaled', reason: '6.4 → 7' }),
            window: [{ at: 200, replicas: 7 }],
            // settings saved again since the cycle read them: the window is not theirs
            version: 5,
          },
        ],
        200,
      );
      expect(
        (await store.listDecisions(a)).map(d => [d.outcome, d.count, d.lastAt]),
      ).toEqual([['held', 2, new Date(200).toISOString()]]);
      expect(
        (await store.listDecisions(b)).map(d => [d.outcome, d.count]),
      ).toEqual([
        ['scaled', 1],
        ['steady', 1],
      ]);
      expect((await store.getSettings(b))?.recommendations).toEqual([
        { at: 100, replicas: 4 },
      ]);
    });

    it('prunes by age and by count per service', async () => {
      const ref = 'component:default/pruned';
      for (let i = 0; i < 6; i++) {
        await store.recordDecision(ref, decision({ current: i }), 10_000 + i);
      }
      await store.recordDecision('component:default/old', decision(), 1);
      const removed = await store.pruneDecisions(100, 4);
      expect(removed).toBeGreaterThanOrEqual(3);
      expect(await store.listDecisions('component:default/old')).toEqual([]);
      expect((await store.listDecisions(ref)).map(d => d.current)).toEqual([
        5, 4, 3, 2,
      ]);
    });
  });
});
