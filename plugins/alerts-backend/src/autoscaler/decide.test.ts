import { decide, recommend, split, stabilise } from './decide';

const bounds = { minReplicas: 1, maxReplicas: 20, tolerance: 0.1 };
const MINUTE = 60_000;

describe('recommend', () => {
  it('scales 4 replicas at 80% with a 50% target to 7 (320 / 50 = 6.4 → 7)', () => {
    const r = recommend({ usage: 4 * 80, target: 50, current: 4, ...bounds });
    expect(r.replicas).toBe(7);
    expect(r.reason).toBe('320% / 50% = 6.4 → 7');
  });

  it('says a target in its own unit in those words (a rule metric: bytes/s per replica)', () => {
    const r = recommend({
      usage: 3 * 400_000,
      target: 250_000,
      current: 3,
      ...bounds,
      unit: 'bytes/s',
    });
    expect(r.replicas).toBe(5);
    expect(r.reason).toBe('1200000 bytes/s / 250000 bytes/s = 4.8 → 5');
  });

  it('keeps the count while use per replica is within the tolerance band', () => {
    // 4 replicas at 54%: 8% above the target, inside 10%
    expect(
      recommend({ usage: 4 * 54, target: 50, current: 4, ...bounds }).replicas,
    ).toBe(4);
    // at 44%: 12% below, outside: ceil(176/50) = 4 (the same count, for another reason)
    expect(
      recommend({ usage: 4 * 46, target: 50, current: 4, ...bounds }).replicas,
    ).toBe(4);
    // at 56%: 12% above: ceil(224/50) = 5
    expect(
      recommend({ usage: 4 * 56, target: 50, current: 4, ...bounds }).replicas,
    ).toBe(5);
    // a band of 0 reacts to 54% too
    expect(
      recommend({
        usage: 4 * 54,
        target: 50,
        current: 4,
        ...bounds,
        tolerance: 0,
      }).replicas,
    ).toBe(5);
  });

  it('clamps to the minimum and the maximum, and says so', () => {
    const high = recommend({
      usage: 10 * 300,
      target: 50,
      current: 10,
      ...bounds,
    });
    expect(high.replicas).toBe(20);
    expect(high.reason).toContain('held to the maximum of 20');
    const low = recommend({
      usage: 10,
      target: 50,
      current: 4,
      ...bounds,
      minReplicas: 2,
    });
    expect(low.replicas).toBe(2);
    expect(low.reason).toContain('held to the minimum of 2');
  });

  it('brings a count within the band but outside the bounds back inside them', () => {
    expect(
      recommend({
        usage: 30 * 50,
        target: 50,
        current: 30,
        ...bounds,
      }).replicas,
    ).toBe(20);
  });

  it('does not round float noise up to a whole replica', () => {
    // 0.1 + 0.2 style sums: 300.00000000000006 / 50 is 6, not 7
    expect(
      recommend({
        usage: 100.1 + 199.90000000000006,
        target: 50,
        current: 3,
        ...bounds,
        tolerance: 0,
      }).replicas,
    ).toBe(6);
  });
});

describe('stabilise', () => {
  const now = 10 * MINUTE;

  it('takes a scale-up at once', () => {
    expect(stabilise(7, 4, [], now, 5 * MINUTE).replicas).toBe(7);
  });

  it('scales down no lower than the highest recommendation of the window', () => {
    const history = [
      { at: now - 4 * MINUTE, replicas: 6 },
      { at: now - 2 * MINUTE, replicas: 5 },
    ];
    const s = stabilise(3, 7, history, now, 5 * MINUTE);
    expect(s.replicas).toBe(6);
    expect(s.reason).toBe(
      'scale-down to 3 stabilising: 6 was recommended in the last 300 s',
    );
    expect(s.window).toEqual([...history, { at: now, replicas: 3 }]);
  });

  it('forgets recommendations older than the window', () => {
    const history = [
      { at: now - 6 * MINUTE, replicas: 9 },
      { at: now - 1 * MINUTE, replicas: 4 },
    ];
    const s = stabilise(3, 7, history, now, 5 * MINUTE);
    expect(s.replicas).toBe(4);
    expect(s.window).toEqual([
      { at: now - 1 * MINUTE, replicas: 4 },
      { at: now, replicas: 3 },
    ]);
  });

  it('never scales up while stabilising a scale-down', () => {
    const history = [{ at: now - MINUTE, replicas: 12 }];
    expect(stabilise(3, 7, history, now, 5 * MINUTE).replicas).toBe(7);
  });

  it('scales down at once with a window of 0', () => {
    const history = [{ at: now - MINUTE, replicas: 12 }];
    expect(stabilise(3, 7, history, now, 0).replicas).toBe(3);
  });
});

describe('split', () => {
  it('follows each cluster’s current share, the leftover to the largest remainder', () => {
    expect(split(7, [2, 2])).toEqual([4, 3]);
    expect(split(7, [1, 3])).toEqual([2, 5]);
    expect(split(5, [3, 4])).toEqual([2, 3]);
    expect(split(10, [1, 1, 2])).toEqual([3, 2, 5]);
  });

  it('shares equally when no cluster has weight', () => {
    expect(split(3, [0, 0])).toEqual([2, 1]);
  });

  it('gives a cluster without weight nothing while others have some', () => {
    expect(split(6, [0, 4])).toEqual([0, 6]);
  });

  it('always sums to the total', () => {
    for (let total = 0; total < 40; total++) {
      for (const weights of [[1], [1, 2], [3, 5, 7], [0.3, 0.3, 0.4]]) {
        const parts = split(total, weights);
        expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
        expect(parts.every(p => p >= 0)).toBe(true);
      }
    }
  });
});

describe('decide', () => {
  const base = {
    target: 50,
    minReplicas: 1,
    maxReplicas: 20,
    tolerance: 0.1,
    stabilizationMs: 5 * MINUTE,
    history: [],
    now: 10 * MINUTE,
    splitBy: 'share' as const,
  };

  it('scales 2 + 2 replicas at 80% to 7 across two clusters', () => {
    const d = decide({
      ...base,
      clusters: [
        { cluster: 'a', namespace: 'p', replicas: 2, pods: 2, usage: 160 },
        { cluster: 'b', namespace: 'p', replicas: 2, pods: 2, usage: 160 },
      ],
    });
    expect(d).toMatchObject({
      current: 4,
      recommended: 7,
      desired: 7,
      perCluster: [4, 3],
    });
  });

  it('splits by free capacity when configured', () => {
    const d = decide({
      ...base,
      splitBy: 'capacity',
      clusters: [
        {
          cluster: 'a',
          namespace: 'p',
          replicas: 2,
          pods: 2,
          usage: 160,
          freeCapacity: 1,
        },
        {
          cluster: 'b',
          namespace: 'p',
          replicas: 2,
          pods: 2,
          usage: 160,
          freeCapacity: 6,
        },
      ],
    });
    expect(d.perCluster).toEqual([1, 6]);
    expect(d.reason).toBe(
      '320% / 50% = 6.4 → 7; split by free CPU (a 1 cores, b 6 cores)',
    );
  });

  it('splits a scale-down by free capacity too, and equally when no cluster has any', () => {
    const clusters = (freeA: number, freeB: number) => [
      {
        cluster: 'a',
        namespace: 'p',
        replicas: 5,
        pods: 5,
        usage: 5 * 10,
        freeCapacity: freeA,
      },
      {
        cluster: 'b',
        namespace: 'p',
        replicas: 1,
        pods: 1,
        usage: 10,
        freeCapacity: freeB,
      },
    ];
    // 60% / 50% → 2 replicas (no stabilisation history), split 0.5 : 1.5 of free CPU
    const down = decide({
      ...base,
      stabilizationMs: 0,
      splitBy: 'capacity',
      clusters: clusters(0.5, 1.5),
    });
    expect([down.desired, down.perCluster]).toEqual([2, [0, 2]]);
    // by share the same total goes 5 : 1
    expect(
      decide({ ...base, stabilizationMs: 0, clusters: clusters(0.5, 1.5) })
        .perCluster,
    ).toEqual([2, 0]);
    const full = decide({
      ...base,
      stabilizationMs: 0,
      splitBy: 'capacity',
      clusters: clusters(0, 0),
    });
    expect(full.perCluster).toEqual([1, 1]);
  });

  it('leaves each cluster as it is when the total stays', () => {
    const d = decide({
      ...base,
      clusters: [
        { cluster: 'a', namespace: 'p', replicas: 1, pods: 1, usage: 50 },
        { cluster: 'b', namespace: 'p', replicas: 3, pods: 3, usage: 150 },
      ],
    });
    expect(d.desired).toBe(4);
    expect(d.perCluster).toEqual([1, 3]);
  });

  it('holds a scale-down inside the window, and says why', () => {
    const d = decide({
      ...base,
      history: [{ at: base.now - MINUTE, replicas: 7 }],
      clusters: [
        { cluster: 'a', namespace: 'p', replicas: 4, pods: 4, usage: 40 },
        { cluster: 'b', namespace: 'p', replicas: 3, pods: 3, usage: 30 },
      ],
    });
    expect(d.recommended).toBe(2);
    expect(d.desired).toBe(7);
    expect(d.perCluster).toEqual([4, 3]);
    expect(d.reason).toContain('stabilising');
  });

  it('starts a Deployment at zero replicas at the minimum, shared equally', () => {
    const d = decide({
      ...base,
      minReplicas: 3,
      clusters: [
        { cluster: 'a', namespace: 'p', replicas: 0, pods: 0, usage: 0 },
        { cluster: 'b', namespace: 'p', replicas: 0, pods: 0, usage: 0 },
      ],
    });
    expect(d.desired).toBe(3);
    expect(d.perCluster).toEqual([2, 1]);
  });
});
