import { nextRecord, troubleOf } from './HealthController';
import type { HealthRecord } from './HealthStore';

const settings = { unhealthyAfterMs: 60_000, healthyAfterMs: 30_000 };
const at = (seconds: number) => new Date(Date.UTC(2026, 11, 6, 12, 0, seconds));

describe('troubleOf', () => {
  it('names an unreachable cluster and one that lost most ready nodes', () => {
    expect(
      troubleOf({ reachable: false, error: 'refused', checkedAt: '' }, 0.5),
    ).toBe('unreachable: refused');
    expect(
      troubleOf(
        { reachable: true, nodesReady: 1, nodesTotal: 3, checkedAt: '' },
        0.5,
      ),
    ).toBe('only 1 of 3 nodes are ready');
    expect(
      troubleOf(
        { reachable: true, nodesReady: 2, nodesTotal: 3, checkedAt: '' },
        0.5,
      ),
    ).toBeUndefined();
  });
});

describe('nextRecord', () => {
  it('marks a cluster unhealthy only once its trouble lasted the window, since the trouble began', () => {
    let r: HealthRecord = nextRecord(
      'b',
      undefined,
      undefined,
      at(0),
      settings,
    );
    expect(r.state).toBe('healthy');
    r = nextRecord('b', r, 'unreachable: x', at(1), settings);
    expect(r).toMatchObject({
      state: 'healthy',
      troubledSince: at(1).toISOString(),
    });
    r = nextRecord('b', r, 'unreachable: x', at(60), settings);
    expect(r.state).toBe('healthy');
    r = nextRecord('b', r, 'unreachable: y', at(61), settings);
    expect(r).toMatchObject({
      state: 'unhealthy',
      since: at(1).toISOString(),
      reason: 'unreachable: y',
    });
  });

  it('forgets a trouble that went away before the window', () => {
    let r = nextRecord('b', undefined, 'unreachable: x', at(0), settings);
    r = nextRecord('b', r, undefined, at(10), settings);
    r = nextRecord('b', r, 'unreachable: x', at(50), settings);
    r = nextRecord('b', r, 'unreachable: x', at(100), settings);
    expect(r.state).toBe('healthy');
  });

  it('turns healthy again after looking well for its window', () => {
    let r = nextRecord('b', undefined, 'unreachable: x', at(0), settings);
    r = nextRecord('b', r, 'unreachable: x', at(60), settings);
    expect(r.state).toBe('unhealthy');
    r = nextRecord('b', r, undefined, at(70), settings);
    expect(r).toMatchObject({
      state: 'unhealthy',
      recoveringSince: at(70).toISOString(),
    });
    r = nextRecord('b', r, undefined, at(100), settings);
    expect(r).toMatchObject({
      state: 'healthy',
      since: at(70).toISOString(),
      reason: null,
    });
  });
});
