/**
 * The autoscaler's arithmetic, with no I/O: from the use measured in every cluster to the
 * replicas each cluster gets.
 */

/** A recommendation the scale-down stabilisation window remembers. */
export interface Recommendation {
  /** unix milliseconds */
  at: number;
  replicas: number;
}

export interface RecommendInput {
  /** the sum over every measured replica in every cluster, in percent of its request */
  usage: number;
  /** percent per replica */
  target: number;
  /** replicas in every cluster now */
  current: number;
  minReplicas: number;
  maxReplicas: number;
  /** e.g. 0.1: no change while use is within 10% of the target */
  tolerance: number;
  /** the unit of usage and target in the reasons: '%' (of the request, default) or e.g. 'bytes/s' */
  unit?: string;
}

export interface Recommended {
  replicas: number;
  reason: string;
}

const clamp = (value: number, min: number, max: number) =>
  Math.min(max, Math.max(min, value));

/** Rounds away float noise before a ceiling: 6.000000000001 replicas is 6. */
const ceil = (value: number) => Math.ceil(Math.round(value * 1e9) / 1e9);

const round1 = (value: number) => Math.round(value * 10) / 10;

/**
 * desired = ceil(usage / target), clamped to [min, max]; the current count while the use per
 * replica is within the tolerance of the target.
 */
export function recommend(input: RecommendInput): Recommended {
  const { usage, target, current, minReplicas, maxReplicas, tolerance } = input;
  const unit = input.unit ?? '%';
  const amount = (value: number) =>
    unit === '%' ? `${value}%` : `${value} ${unit}`;
  const raw = usage / target;
  const perReplica = current > 0 ? usage / current : 0;
  if (current > 0 && Math.abs(perReplica / target - 1) <= tolerance) {
    const replicas = clamp(current, minReplicas, maxReplicas);
    return {
      replicas,
      reason:
        replicas === current
          ? `${amount(round1(perReplica))} per replica is within ${round1(
              tolerance * 100,
            )}% of the ${amount(target)} target`
          : `within the tolerance, but ${current} replicas is outside ${minReplicas}–${maxReplicas}`,
    };
  }
  const wanted = ceil(raw);
  const replicas = clamp(wanted, minReplicas, maxReplicas);
  const sum = `${amount(round1(usage))} / ${amount(target)} = ${round1(
    raw,
  )} → ${wanted}`;
  if (replicas !== wanted) {
    return {
      replicas,
      reason: `${sum}, held to ${
        replicas === maxReplicas ? 'the maximum' : 'the minimum'
      } of ${replicas}`,
    };
  }
  return { replicas, reason: sum };
}

export interface Stabilised {
  replicas: number;
  /** the window's recommendations to keep, this one included */
  window: Recommendation[];
  /** why the count stays above the recommendation, when it does */
  reason?: string;
}

/**
 * The scale-down stabilisation window: a scale-down goes no lower than the highest
 * recommendation of the window (so a dip does not shed replicas a moment before the load comes
 * back); a scale-up is taken at once.
 */
export function stabilise(
  recommended: number,
  current: number,
  history: Recommendation[],
  now: number,
  windowMs: number,
): Stabilised {
  const window = [
    ...history.filter(r => r.at > now - windowMs && r.at <= now),
    { at: now, replicas: recommended },
  ];
  if (recommended >= current) return { replicas: recommended, window };
  const highest = Math.max(...window.map(r => r.replicas));
  const replicas = Math.min(current, highest);
  if (replicas === recommended) return { replicas, window };
  return {
    replicas,
    window,
    reason: `scale-down to ${recommended} stabilising: ${highest} was recommended in the last ${Math.round(
      windowMs / 1000,
    )} s`,
  };
}

/**
 * Splits a total across clusters in proportion to their weights (their current replicas, or
 * their free capacity): each gets the whole part of its share, and the replicas left over go to
 * the largest remainders (ties: the cluster with more weight, then the first). Clusters with no
 * weight at all share equally.
 */
export function split(total: number, weights: number[]): number[] {
  if (weights.length === 0) return [];
  const positive = weights.map(w => (Number.isFinite(w) && w > 0 ? w : 0));
  const sum = positive.reduce((a, b) => a + b, 0);
  const shares =
    sum > 0
      ? positive.map(w => (total * w) / sum)
      : positive.map(() => total / weights.length);
  const result = shares.map(s => Math.floor(s + 1e-9));
  let left = total - result.reduce((a, b) => a + b, 0);
  const order = shares
    .map((share, i) => ({ i, remainder: share - result[i] }))
    .sort(
      (a, b) =>
        b.remainder - a.remainder || positive[b.i] - positive[a.i] || a.i - b.i,
    );
  for (const { i } of order) {
    if (left <= 0) break;
    result[i] += 1;
    left -= 1;
  }
  return result;
}

/** One cluster's Deployment as the cycle measured it. */
export interface ClusterMeasure {
  cluster: string;
  namespace: string;
  replicas: number;
  /** pods measured, and the sum of their use in percent of their requests */
  pods: number;
  usage: number;
  /** free capacity (CPU cores or memory bytes), when the split follows it */
  freeCapacity?: number;
}

export interface DecideInput {
  clusters: ClusterMeasure[];
  target: number;
  minReplicas: number;
  maxReplicas: number;
  tolerance: number;
  stabilizationMs: number;
  history: Recommendation[];
  now: number;
  /** 'share': each cluster's current share of the replicas; 'capacity': its free capacity */
  splitBy: 'share' | 'capacity';
  /** the unit of usage and target in the reasons; default '%' */
  unit?: string;
}

export interface Decided {
  current: number;
  recommended: number;
  desired: number;
  /** per cluster, in the order of the input */
  perCluster: number[];
  window: Recommendation[];
  reason: string;
}

/** What a cluster's share of a new total follows. */
function weightOf(
  c: ClusterMeasure,
  splitBy: DecideInput['splitBy'],
  current: number,
): number {
  if (splitBy === 'capacity') return c.freeCapacity ?? 0;
  // nothing runs anywhere yet: every cluster the same
  return current > 0 ? c.replicas : 1;
}

/** The whole decision for one service: recommend, stabilise, split. */
export function decide(input: DecideInput): Decided {
  const current = input.clusters.reduce((a, c) => a + c.replicas, 0);
  const usage = input.clusters.reduce((a, c) => a + c.usage, 0);
  const recommended = recommend({
    usage,
    target: input.target,
    current,
    minReplicas: input.minReplicas,
    maxReplicas: input.maxReplicas,
    tolerance: input.tolerance,
    unit: input.unit,
  });
  const stabilised = stabilise(
    recommended.replicas,
    current,
    input.history,
    input.now,
    input.stabilizationMs,
  );
  const desired = clamp(
    stabilised.replicas,
    input.minReplicas,
    input.maxReplicas,
  );
  const perCluster =
    desired === current
      ? input.clusters.map(c => c.replicas)
      : split(
          desired,
          input.clusters.map(c => weightOf(c, input.splitBy, current)),
        );
  const reasons = [recommended.reason];
  if (stabilised.reason) reasons.push(stabilised.reason);
  if (desired !== current && input.splitBy === 'capacity') {
    reasons.push(
      `split by free CPU (${input.clusters
        .map(c => `${c.cluster} ${round1(c.freeCapacity ?? 0)} cores`)
        .join(', ')})`,
    );
  }
  return {
    current,
    recommended: recommended.replicas,
    desired,
    perCluster,
    window: stabilised.window,
    reason: reasons.join('; '),
  };
}
